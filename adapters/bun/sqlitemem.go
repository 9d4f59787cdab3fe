package bun

import (
	"sync"

	"modernc.org/libc"
)

// The C allocator behind the SQLite driver (modernc.org/libc's malloc,
// backed by modernc.org/memory) carves each power-of-two size class, 16
// bytes to 16 KiB, out of 64 KiB pages it maps from the kernel, and
// unmaps a page the moment its last block is freed. SQLite frees whole
// pages' worth of blocks after almost every write: a statement inside a
// group-commit transaction keeps the original of each page it changes in
// an in-memory statement journal (1 KiB chunks, the 2 KiB class) and drops
// it when the statement ends, and in WAL mode a connection empties its
// page cache (4 KiB pages plus headers, the 8 KiB class) whenever another
// connection has written. Under a burst the process spent about a quarter
// of its CPU in mmap/munmap system calls for these two classes
// (internal/app/BENCHMARKS.md).
//
// warmSQLiteAllocator fills reservedPages pages of each of those classes
// and frees every block but one per page: the held block keeps its page
// mapped, and the freed blocks sit on the allocator's free list, which it
// serves before mapping anything new. That is 8 MiB of address space at
// most, held for the life of the process and shared by every SQLite
// database it opens; blocks beyond it, and the other classes, behave as
// before.
var warmSQLiteAllocator = sync.OnceFunc(func() {
	const (
		allocatorPage = 64 << 10
		reservedPages = 64
	)
	tls := libc.NewTLS()
	defer tls.Close()
	for _, class := range []int{2 << 10, 8 << 10} {
		perPage := allocatorPage / class
		blocks := make([]uintptr, reservedPages*perPage)
		for i := range blocks {
			// Ask a little less than the class so that the allocator's
			// rounding keeps the block in it.
			blocks[i] = libc.Xmalloc(tls, libc.Tsize_t(class-16))
		}
		held := map[uintptr]bool{} // by page
		for _, b := range blocks {
			if page := b &^ (allocatorPage - 1); !held[page] {
				held[page] = true
				continue
			}
			libc.Xfree(tls, b)
		}
	}
})
