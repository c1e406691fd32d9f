// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package gauge // import "github.com/seed-d80aa3af/qualysreceiver/internal/gauge"

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// KindCodec encodes a stream's kinds as varints, for a checkpoint.
type KindCodec[K comparable] interface {
	AppendKind(buf []byte, k K) []byte
	// ReadKind reads what AppendKind wrote, refusing a kind the stream cannot have made: a damaged
	// checkpoint must not become metric attributes.
	ReadKind(r *Reader) (K, error)
}

// format is the layout Marshal writes. Format 1 was each stream's own layout (see legacy.go).
const format = 2

// Marshal encodes the counts compactly, all as varints: the format; the kinds (KindCodec); the
// id count and per id in ascending order its difference from the previous id, its kind count and
// each kind index with its count; then the ids a full pull in progress has counted (0 when none
// is, else 1, their count and their ascending differences). About 4 bytes a posture and 5 bytes
// a host plus 2 a kind.
func (c *Counts[K]) Marshal() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	ids := sortedIDs(c.ids)
	buf := make([]byte, 0, 16+len(c.kinds)*8+len(ids)*6)
	buf = binary.AppendUvarint(buf, format)
	buf = binary.AppendUvarint(buf, uint64(len(c.kinds)))
	for _, k := range c.kinds {
		buf = c.codec.AppendKind(buf, k)
	}
	buf = binary.AppendUvarint(buf, uint64(len(ids)))
	var prev int64
	for _, id := range ids {
		buf = binary.AppendVarint(buf, id-prev)
		prev = id
		profile := c.profiles[c.ids[id]]
		buf = binary.AppendUvarint(buf, uint64(len(profile)))
		for _, kc := range profile {
			buf = binary.AppendUvarint(buf, uint64(kc.kind))
			buf = binary.AppendUvarint(buf, uint64(kc.n))
		}
	}
	if c.next == nil {
		return binary.AppendUvarint(buf, 0)
	}
	buf = binary.AppendUvarint(buf, 1)
	counted := sortedIDs(c.next)
	buf = binary.AppendUvarint(buf, uint64(len(counted)))
	prev = 0
	for _, id := range counted {
		buf = binary.AppendVarint(buf, id-prev)
		prev = id
	}
	return buf
}

// Restore replaces the counts with what Marshal encoded, or what a stream's legacy layout
// encoded (format 1, read by legacy; nil refuses it). On an error the counts are unchanged.
func (c *Counts[K]) Restore(data []byte, legacy LegacyReader[K]) error {
	fresh := New(c.codec)
	r := &Reader{data: data}
	switch f := r.Uvarint(); {
	case r.err != nil:
		return r.err
	case f == format:
		r.err = fresh.readCurrent(r)
	case f == 1 && legacy != nil:
		r.err = legacy(r, fresh.add)
	default:
		return fmt.Errorf("counts format %d, this receiver reads %d", f, format)
	}
	if err := fresh.readCounted(r); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.kinds, c.kindIdx, c.profiles, c.profileIdx, c.single = fresh.kinds, fresh.kindIdx, fresh.profiles, fresh.profileIdx, fresh.single
	c.ids, c.totals, c.next = fresh.ids, fresh.totals, fresh.next
	return nil
}

// add puts a restored id's counts; an id listed twice is damage.
func (c *Counts[K]) add(id int64, profile map[K]uint32) error {
	if _, dup := c.ids[id]; dup {
		return fmt.Errorf("counts: id %d listed twice", id)
	}
	p := make([]kindCount, 0, len(profile))
	for k, n := range profile {
		p = append(p, kindCount{kind: c.kindIndex(k), n: n})
	}
	c.put(id, p)
	return nil
}

func (c *Counts[K]) readCurrent(r *Reader) error {
	nk := r.Count("kinds")
	kinds := make([]K, 0, nk)
	for range nk {
		k, err := c.codec.ReadKind(r)
		if err != nil {
			return err
		}
		kinds = append(kinds, k)
	}
	return readPerID(r, c.add, func(id int64, v uint64) (K, error) {
		if v >= uint64(len(kinds)) {
			var zero K
			return zero, fmt.Errorf("counts of id %d: kind %d of %d", id, v, len(kinds))
		}
		return kinds[v], nil
	})
}

// readPerID reads ids and their counts as Marshal writes them, and as the per-host layout of
// format 1 did: the id count, then per id in ascending order its difference from the previous
// one, its kind count and each kind (a number kindOf turns into K) with its count.
func readPerID[K comparable](r *Reader, add func(int64, map[K]uint32) error, kindOf func(id int64, v uint64) (K, error)) error {
	n := r.Count("ids")
	var id int64
	for range n {
		id += r.Varint()
		pairs := r.Count("kinds of an id")
		counts := make(map[K]uint32, pairs)
		for range pairs {
			v, count := r.Uvarint(), r.Uvarint()
			if r.err != nil {
				return r.err
			}
			k, err := kindOf(id, v)
			if err != nil {
				return err
			}
			if count > math.MaxUint32 {
				return fmt.Errorf("counts of id %d: count %d out of range", id, count)
			}
			counts[k] += uint32(count)
		}
		if err := add(id, counts); err != nil {
			return err
		}
	}
	return r.err
}

// readCounted reads the ids a full pull in progress has counted; each must have counts.
func (c *Counts[K]) readCounted(r *Reader) error {
	switch flag := r.Uvarint(); {
	case r.err != nil:
		return r.err
	case flag == 0:
		return r.End()
	case flag != 1:
		return fmt.Errorf("counts: full pull flag %d", flag)
	}
	n := r.Count("counted ids")
	c.next = make(map[int64]uint32, n)
	var id int64
	for i := range n {
		d := r.Varint()
		if i > 0 && d <= 0 && r.err == nil {
			return errors.New("counts: counted ids not ascending")
		}
		id += d
		p, ok := c.ids[id]
		if !ok && r.err == nil {
			return fmt.Errorf("counts: the full pull counted id %d, which has no counts", id)
		}
		c.next[id] = p
	}
	return r.End()
}

// Reader reads the varints of a counts encoding; the first error sticks.
type Reader struct {
	data []byte
	err  error
}

// Uvarint reads an unsigned varint; 0 after an error.
func (r *Reader) Uvarint() uint64 { return number(r, binary.Uvarint) }

// Varint reads a signed varint; 0 after an error.
func (r *Reader) Varint() int64 { return number(r, binary.Varint) }

func number[T int64 | uint64](r *Reader, read func([]byte) (T, int)) T {
	if r.err != nil {
		return 0
	}
	v, n := read(r.data)
	if n <= 0 {
		r.err = errors.New("counts: truncated or malformed number")
		return 0
	}
	r.data = r.data[n:]
	return v
}

// Count reads how many of what follow. Each takes at least a byte, so a count above the bytes
// left is damage; refusing it keeps allocations bounded by the input.
func (r *Reader) Count(what string) int {
	n := r.Uvarint()
	if r.err == nil && n > uint64(len(r.data)) {
		r.err = fmt.Errorf("counts claim %d %s in %d bytes", n, what, len(r.data))
	}
	if r.err != nil {
		return 0
	}
	return int(n)
}

// Fail records err as the reader's error, unless it has one.
func (r *Reader) Fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

// Err is the first error.
func (r *Reader) Err() error { return r.err }

// End reports the first error, or bytes left after the end.
func (r *Reader) End() error {
	if r.err == nil && len(r.data) > 0 {
		return fmt.Errorf("counts: %d bytes after the end", len(r.data))
	}
	return r.err
}
