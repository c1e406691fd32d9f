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

// packed holds ids in ascending order with a profile index each, as varints in blocks of
// blockLen: the first entry of a block is its profile (the id is the block's head), every other
// entry the difference from the previous id and the profile. A host or a posture costs 2 to 5
// bytes, where a map entry costs 30 to 40. seen holds one bit per entry, set when a full pull in
// progress counted it. packed only grows at its end; anything else is rebuilt (see table.flush).
type packed struct {
	heads []int64
	offs  []uint32
	data  []byte
	seen  []uint64
	n     int
	last  int64
}

// find is the position and profile of id.
func (b *packed) find(id int64) (pos int, p uint32, ok bool) {
	blk := sort.Search(len(b.heads), func(i int) bool { return b.heads[i] > id }) - 1
	if blk < 0 {
		return 0, 0, false
	}
	data := b.data[b.offs[blk]:]
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
		b.heads = append(b.heads, id)
		b.offs = append(b.offs, uint32(len(b.data)))
	} else {
		b.data = binary.AppendUvarint(b.data, uint64(id-b.last))
	}
	b.data = binary.AppendUvarint(b.data, uint64(p))
	if b.n%64 == 0 {
		b.seen = append(b.seen, 0)
	}
	b.last = id
	b.n++
	if seen {
		b.markSeen(b.n - 1)
	}
}

// each calls fn with every entry in ascending id.
func (b *packed) each(fn func(id int64, p uint32, seen bool)) {
	data := b.data
	var cur int64
	for i := range b.n {
		if i%blockLen == 0 {
			cur = b.heads[i/blockLen]
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

// sized returns empty packed with room for n entries of about bytesPer bytes each, so that a
// rebuild does not leave up to half of its arrays unused.
func sized(n, bytesPer int) packed {
	blocks := (n + blockLen - 1) / blockLen
	return packed{
		heads: make([]int64, 0, blocks),
		offs:  make([]uint32, 0, blocks),
		data:  make([]byte, 0, n*bytesPer),
		seen:  make([]uint64, 0, (n+63)/64),
	}
}

// trim gives back what a rebuild over-reserved, when it is worth a copy.
func (b *packed) trim() {
	if cap(b.data)-len(b.data) > len(b.data)/8+64 {
		b.data = append([]byte(nil), b.data...)
	}
}

// bytesPer is the average bytes an entry takes in data, rounded up.
func (b *packed) bytesPer() int {
	if b.n == 0 {
		return 3
	}
	return (len(b.data) + b.n - 1) / b.n
}
