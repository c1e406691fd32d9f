// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package gauge // import "github.com/seed-d80aa3af/qualysreceiver/internal/gauge"

import "syscall"

// madvNoHugepage keeps the kernel from backing a chunk's room with huge pages, which would make
// room never written resident (MADV_NOHUGEPAGE, not in package syscall).
const madvNoHugepage = 15

// mapMemory maps n bytes of anonymous private memory, or returns nil.
func mapMemory(n int) []byte {
	mem, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return nil
	}
	_ = syscall.Madvise(mem, madvNoHugepage) // without it, the chunk still works
	return mem[:0]
}

func unmapMemory(mem []byte) { _ = syscall.Munmap(mem[:cap(mem)]) }
