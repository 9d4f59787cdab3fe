package bun

import (
	"testing"

	"modernc.org/libc"
)

// TestWarmAllocatorSizesFallInTheirClass: the size warmSQLiteAllocator
// asks for each class is served from that class, so that it holds pages of
// every class it names.
func TestWarmAllocatorSizesFallInTheirClass(t *testing.T) {
	tls := libc.NewTLS()
	defer tls.Close()
	for class := range warmClasses {
		p := libc.Xmalloc(tls, libc.Tsize_t(inClass(class)))
		if got := libc.UsableSize(p); int(got) != class {
			t.Errorf("class %d: a block of %d bytes is of class %d", class, inClass(class), got)
		}
		libc.Xfree(tls, p)
	}
}
