// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package gauge // import "github.com/seed-d80aa3af/qualysreceiver/internal/gauge"

import (
	"encoding/binary"
	"math/bits"
	"sort"
)

// blockLen is how many ids a block of packed holds: a look-up decodes at most this many entries,
// and a block costs a head id and an offset, under 0.2 bytes an id.
const blockLen = 64

// chunkBlocks is how many blocks share one chunk of data (65,536 ids, about 150 KB): appending
// grows a chunk, not all of the data, and a rebuild lets go of the old data a chunk at a time as
// it passes them, so it never holds the old and the new ids whole at once.
const chunkBlocks = 1024

// firstChunkBytes is the room of a first chunk, which grows as a slice does, so small counts stay
// small; later chunks take the size of the one before.
const firstChunkBytes = 4096

// packed holds ids in ascending order with a profile index each, as varints in blocks of
// blockLen: the first entry of a block is its profile (the id is the block's head), every other
// entry the difference from the previous id and the profile. A host or a posture costs 2 to 5
// bytes, where a map entry costs 30 to 40. seen holds one bit per entry, set when a full pull in
// progress counted it. packed only grows at its end; anything else is rebuilt (see table.flush).
type packed struct {
	heads []int64
	// offs is where each block starts in its chunk.
	offs   []uint32
	chunks [][]byte
	// mapped[i] holds chunks[i]'s memory when it is off the Go heap (offheap.go), else is nil:
	// every chunk after the first, where the system allows.
	mapped []*mapping
	seen   []uint64
	n      int
	last   int64
}

// find is the position and profile of id.
func (b *packed) find(id int64) (pos int, p uint32, ok bool) {
	blk := sort.Search(len(b.heads), func(i int) bool { return b.heads[i] > id }) - 1
	if blk < 0 {
		return 0, 0, false
	}
	data := b.chunks[blk/chunkBlocks][b.offs[blk]:]
	cur := b.heads[blk]
	end := min(blockLen, b.n-blk*blockLen)
	for i := range end {
		if i > 0 {
			d, k := binary.Uvarint(data)
			data = data[k:]
			cur += int64(d)
		}
		v, k := binary.Uvarint(data)
		data = data[k:]
		if cur == id {
			return blk*blockLen + i, uint32(v), true
		}
		if cur > id {
			break
		}
	}
	return 0, 0, false
}

// add appends id, which must be above every id held.
func (b *packed) add(id int64, p uint32, seen bool) {
	if b.n%blockLen == 0 {
		if blk := b.n / blockLen; blk%chunkBlocks == 0 {
			b.newChunk()
		}
		b.heads = append(b.heads, id)
		b.offs = append(b.offs, uint32(len(b.chunks[len(b.chunks)-1])))
	}
	c := &b.chunks[len(b.chunks)-1]
	if b.n%blockLen != 0 {
		*c = binary.AppendUvarint(*c, uint64(id-b.last))
	}
	*c = binary.AppendUvarint(*c, uint64(p))
	if b.n%64 == 0 {
		b.seen = append(b.seen, 0)
	}
	b.last = id
	b.n++
	if seen {
		b.markSeen(b.n - 1)
	}
}

// newChunk starts a chunk: the first on the Go heap, growing as a slice does, so small counts
// stay small; the next ones mapped off it, or else trimming the full chunk, if it has much room
// left, and taking its size.
func (b *packed) newChunk() {
	var m *mapping
	room := firstChunkBytes
	if len(b.chunks) > 0 {
		b.trim()
		full := len(b.chunks[len(b.chunks)-1])
		room = full + full/16 + 64
		m = mapChunk()
	}
	b.mapped = append(b.mapped, m)
	if m != nil {
		b.chunks = append(b.chunks, m.mem)
		return
	}
	b.chunks = append(b.chunks, make([]byte, 0, room))
}

// release lets go of chunk i.
func (b *packed) release(i int) {
	b.chunks[i] = nil
	if m := b.mapped[i]; m != nil {
		b.mapped[i] = nil
		m.release()
	}
}

// each calls fn with every entry in ascending id.
func (b *packed) each(fn func(id int64, p uint32, seen bool)) { b.walk(fn, false) }

// drain is each, letting go of each chunk once it has been read: b is empty afterwards.
func (b *packed) drain(fn func(id int64, p uint32, seen bool)) {
	b.walk(fn, true)
	for i := range b.chunks {
		b.release(i)
	}
	*b = packed{}
}

func (b *packed) walk(fn func(id int64, p uint32, seen bool), release bool) {
	var data []byte
	var cur int64
	for i := range b.n {
		if i%blockLen == 0 {
			blk := i / blockLen
			if blk%chunkBlocks == 0 {
				if release && blk > 0 {
					b.release(blk/chunkBlocks - 1)
				}
				data = b.chunks[blk/chunkBlocks]
			}
			cur = b.heads[blk]
		} else {
			d, k := binary.Uvarint(data)
			data = data[k:]
			cur += int64(d)
		}
		v, k := binary.Uvarint(data)
		data = data[k:]
		fn(cur, uint32(v), b.isSeen(i))
	}
}

func (b *packed) markSeen(pos int)    { b.seen[pos/64] |= 1 << (pos % 64) }
func (b *packed) isSeen(pos int) bool { return b.seen[pos/64]&(1<<(pos%64)) != 0 }

func (b *packed) clearSeen() { clear(b.seen) }

func (b *packed) countSeen() int {
	n := 0
	for _, w := range b.seen {
		n += bits.OnesCount64(w)
	}
	return n
}

// sized returns empty packed with room for the heads, offsets and seen bits of n entries; data
// chunks come as the entries do.
func sized(n int) packed {
	blocks := (n + blockLen - 1) / blockLen
	return packed{
		heads:  make([]int64, 0, blocks),
		offs:   make([]uint32, 0, blocks),
		chunks: make([][]byte, 0, (blocks+chunkBlocks-1)/chunkBlocks),
		mapped: make([]*mapping, 0, (blocks+chunkBlocks-1)/chunkBlocks),
		seen:   make([]uint64, 0, (n+63)/64),
	}
}

// trim gives back what the last chunk over-reserved, when it is worth a copy: on the Go heap
// only, as a mapped chunk's room costs nothing.
func (b *packed) trim() {
	if len(b.chunks) == 0 || b.mapped[len(b.mapped)-1] != nil {
		return
	}
	c := &b.chunks[len(b.chunks)-1]
	if cap(*c)-len(*c) > len(*c)/8+64 {
		*c = append([]byte(nil), *c...)
	}
}

// dataLen is the bytes the entries take.
func (b *packed) dataLen() int {
	n := 0
	for _, c := range b.chunks {
		n += len(c)
	}
	return n
}
