// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package gauge // import "github.com/seed-d80aa3af/qualysreceiver/internal/gauge"

import (
	"encoding/binary"
	"runtime"
	"sync/atomic"
)

// mappedChunkBytes is the room of a chunk off the Go heap: what its ids take at most, so it never
// has to grow. The system backs only the pages written, so the room unused costs address space,
// not memory.
const mappedChunkBytes = blockLen * chunkBlocks * (binary.MaxVarintLen64 + binary.MaxVarintLen32)

// mappedChunks is how many chunks are mapped off the Go heap now, for the tests.
var mappedChunks atomic.Int64

// mapping is memory of a chunk mapped off the Go heap. The garbage collector lets its heap grow
// to about twice what was live at its last collection, so a byte on the heap costs about two of
// resident memory; a mapped byte costs one. A rebuild releases a chunk as soon as it has read it;
// a cleanup releases the chunks of counts dropped whole.
type mapping struct {
	mem     []byte
	cleanup runtime.Cleanup
}

// mapChunk maps the room of a chunk; nil when the system has no such memory to give.
func mapChunk() *mapping {
	mem := mapMemory(mappedChunkBytes)
	if mem == nil {
		return nil
	}
	m := &mapping{mem: mem}
	m.cleanup = runtime.AddCleanup(m, unmapChunk, mem)
	mappedChunks.Add(1)
	return m
}

// release gives the memory back; nothing may read the chunk afterwards.
func (m *mapping) release() {
	m.cleanup.Stop()
	unmapChunk(m.mem)
}

func unmapChunk(mem []byte) {
	unmapMemory(mem)
	mappedChunks.Add(-1)
}
