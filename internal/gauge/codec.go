// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package gauge // import "github.com/seed-d80aa3af/qualysreceiver/internal/gauge"

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
)

// KindCodec encodes a stream's kinds as varints, for a checkpoint.
type KindCodec[K comparable] interface {
	AppendKind(buf []byte, k K) []byte
	// ReadKind reads what AppendKind wrote, refusing a kind the stream cannot have made: a damaged
	// checkpoint must not become metric attributes.
	ReadKind(r *Reader) (K, error)
}

// format is the layout Marshal writes. Format 1 was each stream's own layout (see legacy.go),
// format 2 listed each id's kinds and counts (readPerKind).
const (
	format        = 3
	formatPerKind = 2
)

// Marshal encodes the counts compactly, all as varints: the format; the kinds (KindCodec); the
// profiles (the distinct per-id counts: their kind count and each kind index with its count); the
// id count and per id in ascending order its difference from the previous id and its profile;
// then the ids a full pull in progress has counted (0 when none is, else 1, their count and their
// ascending differences). About 2 to 4 bytes an id.
func (c *Counts[K]) Marshal() []byte { return c.AppendMarshal(nil) }

// AppendMarshal appends what Marshal encodes to buf, so a checkpoint writes the counts straight
// into its own buffer.
func (c *Counts[K]) AppendMarshal(buf []byte) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &c.t
	if t.pending.len() > 0 {
		t.flush(false, nil)
	}
	// The ids take about what they take packed; a signed difference is a byte longer from 64 on.
	counted := 0
	if t.collecting {
		counted = t.base.countSeen()
	}
	if len(buf) == cap(buf) { // else the caller sized it, from the last encoding
		buf = slices.Grow(buf, 16+len(t.kinds)*8+len(t.profiles)*8+t.base.dataLen()+t.base.n/4+counted*2)
	}
	buf = binary.AppendUvarint(buf, format)
	buf = binary.AppendUvarint(buf, uint64(len(t.kinds)))
	for _, k := range t.kinds {
		buf = c.codec.AppendKind(buf, k)
	}
	buf = binary.AppendUvarint(buf, uint64(len(t.profiles)))
	for _, profile := range t.profiles {
		buf = binary.AppendUvarint(buf, uint64(len(profile)))
		for _, kc := range profile {
			buf = binary.AppendUvarint(buf, uint64(kc.kind))
			buf = binary.AppendUvarint(buf, uint64(kc.n))
		}
	}
	buf = binary.AppendUvarint(buf, uint64(t.base.n))
	var prev int64
	t.base.each(func(id int64, p uint32, _ bool) {
		buf = binary.AppendVarint(buf, id-prev)
		buf = binary.AppendUvarint(buf, uint64(p))
		prev = id
	})
	if !t.collecting {
		return binary.AppendUvarint(buf, 0)
	}
	buf = binary.AppendUvarint(buf, 1)
	buf = binary.AppendUvarint(buf, uint64(counted))
	prev = 0
	t.base.each(func(id int64, _ uint32, seen bool) {
		if seen {
			buf = binary.AppendVarint(buf, id-prev)
			prev = id
		}
	})
	return buf
}

// Restore replaces the counts with what Marshal encoded, or what a stream's legacy layout
// encoded (format 1, read by legacy; nil refuses it). On an error the counts are unchanged. The
// ids go straight into the packed form, so a restore costs about what the counts will hold.
func (c *Counts[K]) Restore(data []byte, legacy LegacyReader[K]) error {
	fresh := &restoring[K]{t: newTable[K]()}
	r := &Reader{data: data}
	switch f := r.Uvarint(); {
	case r.err != nil:
		return r.err
	case f == format:
		r.err = fresh.readCurrent(r, c.codec)
	case f == formatPerKind:
		r.err = fresh.readPerKind(r, c.codec)
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
	c.t = fresh.t
	return nil
}

// restoring is a table being read, with a buffer its ids' counts pass through.
type restoring[K comparable] struct {
	t       table[K]
	profile []kindCount
}

// add puts a restored id's counts; an id listed twice is damage.
func (f *restoring[K]) add(id int64, counts map[K]uint32) error {
	return f.assign(id, f.profileOf(counts))
}

// profileOf interns counts as a profile.
func (f *restoring[K]) profileOf(counts map[K]uint32) uint32 {
	f.profile = f.profile[:0]
	for k, n := range counts {
		if n > 0 {
			f.profile = append(f.profile, kindCount{kind: f.t.kindIndex(k), n: n})
		}
	}
	slices.SortFunc(f.profile, func(a, b kindCount) int { return int(a.kind) - int(b.kind) })
	return f.t.profileIndex(f.profile)
}

// assign puts a restored id's profile; an id listed twice is damage.
func (f *restoring[K]) assign(id int64, p uint32) error {
	if f.t.base.n > 0 && id <= f.t.base.last || f.t.pending.len() > 0 {
		if _, ok := f.t.lookup(id); ok {
			return fmt.Errorf("counts: id %d listed twice", id)
		}
	}
	f.t.assign(id, p)
	return nil
}

// readKinds reads the kinds as Marshal writes them.
func readKinds[K comparable](r *Reader, codec KindCodec[K]) ([]K, error) {
	nk := r.Count("kinds")
	kinds := make([]K, 0, nk)
	for range nk {
		k, err := codec.ReadKind(r)
		if err != nil {
			return nil, err
		}
		kinds = append(kinds, k)
	}
	return kinds, r.err
}

// readCurrent reads what Marshal writes after the format.
func (f *restoring[K]) readCurrent(r *Reader, codec KindCodec[K]) error {
	kinds, err := readKinds(r, codec)
	if err != nil {
		return err
	}
	np := r.Count("profiles")
	profiles := make([]uint32, 0, np)
	counts := map[K]uint32{}
	for i := range np {
		clear(counts)
		pairs := r.Count("kinds of a profile")
		for range pairs {
			v, n := r.Uvarint(), r.Uvarint()
			if r.err != nil {
				return r.err
			}
			if v >= uint64(len(kinds)) || n > math.MaxUint32 {
				return fmt.Errorf("counts: profile %d has kind %d of %d, count %d", i, v, len(kinds), n)
			}
			counts[kinds[v]] += uint32(n)
		}
		profiles = append(profiles, f.profileOf(counts))
	}
	n := r.Count("ids")
	var id int64
	for range n {
		id += r.Varint()
		p := r.Uvarint()
		if r.err != nil {
			return r.err
		}
		if p >= uint64(len(profiles)) {
			return fmt.Errorf("counts of id %d: profile %d of %d", id, p, len(profiles))
		}
		if err := f.assign(id, profiles[p]); err != nil {
			return err
		}
	}
	return r.err
}

// readPerKind reads format 2: the kinds, then the ids each with its kinds and counts.
func (f *restoring[K]) readPerKind(r *Reader, codec KindCodec[K]) error {
	kinds, err := readKinds(r, codec)
	if err != nil {
		return err
	}
	return readPerID(r, f.add, func(id int64, v uint64) (K, error) {
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
	counts := map[K]uint32{}
	for range n {
		id += r.Varint()
		pairs := r.Count("kinds of an id")
		clear(counts)
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
func (f *restoring[K]) readCounted(r *Reader) error {
	switch flag := r.Uvarint(); {
	case r.err != nil:
		return r.err
	case flag == 0:
		return r.End()
	case flag != 1:
		return fmt.Errorf("counts: full pull flag %d", flag)
	}
	t := &f.t
	if t.pending.len() > 0 {
		t.flush(false, nil)
	}
	t.collecting = true
	n := r.Count("counted ids")
	var id int64
	for i := range n {
		d := r.Varint()
		if r.err != nil {
			break
		}
		if i > 0 && d <= 0 {
			return errors.New("counts: counted ids not ascending")
		}
		id += d
		pos, _, ok := t.base.find(id)
		if !ok {
			return fmt.Errorf("counts: the full pull counted id %d, which has no counts", id)
		}
		t.base.markSeen(pos)
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

// Err is the first error.
func (r *Reader) Err() error { return r.err }

// End reports the first error, or bytes left after the end.
func (r *Reader) End() error {
	if r.err == nil && len(r.data) > 0 {
		return fmt.Errorf("counts: %d bytes after the end", len(r.data))
	}
	return r.err
}
