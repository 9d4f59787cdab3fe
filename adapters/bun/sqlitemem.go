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
// The other classes churn too, less: an UPDATE … RETURNING opens and
// closes an ephemeral table (a b-tree and its page cache) every time, the
// JSON functions allocate their strings, and River's batches are JSON.
//
// warmSQLiteAllocator fills reservedPages pages of every class and frees
// every block but one per page: the held block keeps its page mapped, and
// the freed blocks sit on the allocator's free list, which it serves
// before mapping anything new. 64 pages of the 2, 4, 8 and 16 KiB classes
// and 16 of the smaller ones are 23 MiB, held for the life of the process
// and shared by every SQLite database it opens (peak RSS of `waauto bench`
// 78 → 93 MB); blocks beyond them behave as before. Measured on 6,000
// messages (SQLite, River, load ~2): the 2 and 8 KiB classes alone 1,469
// 1,512 1,147 msg/s; these 1,707 1,758 1,507; 64 pages of every class
// (111 MB) 1,854 1,700 1,724; 16 pages of the classes but 2 and 8 KiB
// 1,641 1,457 1,580.
var warmSQLiteAllocator = sync.OnceFunc(func() {
	const allocatorPage = 64 << 10
	tls := libc.NewTLS()
	defer tls.Close()
	for class, reservedPages := range warmClasses {
		perPage := allocatorPage / class
		blocks := make([]uintptr, reservedPages*perPage)
		for i := range blocks {
			blocks[i] = libc.Xmalloc(tls, libc.Tsize_t(inClass(class)))
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

// warmClasses maps the allocator's size classes to the pages
// warmSQLiteAllocator holds of each.
var warmClasses = map[int]int{16: 16, 32: 16, 64: 16, 128: 16, 256: 16, 512: 16, 1 << 10: 16,
	2 << 10: 64, 4 << 10: 64, 8 << 10: 64, 16 << 10: 64}

// inClass is a size the allocator serves from class: it rounds a size up
// to 16 bytes, then to the power of two at or above it (class-16, asked
// before, fell in the class below for 32).
func inClass(class int) int { return class/2 + 1 }
