// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver // import "github.com/seed-d80aa3af/qualysreceiver/receiver"

import (
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"sync"
)

// hostCounts keeps, per host, how many records it has of each kind (a detection's severity, status
// and type; a posture's status and policy), so a summary gauge stays right when an incremental pull
// brings only the hosts that changed: their counts are replaced, the others kept. Kinds are small
// keys chosen by the stream; per host they cost 8 bytes a kind.
type hostCounts struct {
	mu     sync.Mutex
	hosts  map[int64][]kindCount
	totals map[uint32]int64
	// next collects a full pull: it replaces hosts when the pull completes, so hosts gone from the
	// tenant drop out.
	next map[int64][]kindCount
	// validKind, when set, is what restore accepts as a kind: a damaged checkpoint is refused
	// rather than turned into metric attributes.
	validKind func(kind uint32) bool
}

type kindCount struct{ kind, n uint32 }

func newHostCounts() *hostCounts {
	return &hostCounts{hosts: map[int64][]kindCount{}, totals: map[uint32]int64{}}
}

// beginFull starts collecting a full pull.
func (c *hostCounts) beginFull() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.next = map[int64][]kindCount{}
}

// endFull makes a completed full pull's counts the current ones.
func (c *hostCounts) endFull() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.next == nil {
		return
	}
	c.hosts = c.next
	c.next = nil
	c.totals = map[uint32]int64{}
	for _, counts := range c.hosts {
		for _, kc := range counts {
			c.totals[kc.kind] += int64(kc.n)
		}
	}
}

// setHost replaces host's counts with kinds (one entry per record of the host).
func (c *hostCounts) setHost(host int64, kinds map[uint32]int) {
	counts := make([]kindCount, 0, len(kinds))
	for k, n := range kinds {
		counts = append(counts, kindCount{kind: k, n: uint32(n)})
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.next != nil {
		c.next[host] = counts
	}
	for _, kc := range c.hosts[host] {
		c.totals[kc.kind] -= int64(kc.n)
	}
	c.hosts[host] = counts
	for _, kc := range counts {
		c.totals[kc.kind] += int64(kc.n)
	}
}

// known reports whether any host has been counted since the receiver started.
func (c *hostCounts) known() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.hosts) > 0
}

// each calls fn with every kind and its total over all hosts.
func (c *hostCounts) each(fn func(kind uint32, total int64)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, n := range c.totals {
		if n > 0 {
			fn(k, n)
		}
	}
}

// countsFormat is the layout of marshal's output; restore refuses any other.
const countsFormat = 1

// marshal encodes the current counts compactly, for a checkpoint: the format, the host count, then
// per host in ascending id the id's difference from the previous one, its kind count and each kind
// with its count, then the hosts a full pull in progress has counted (see appendIDSet), all as
// varints. About 5 bytes a host plus 4 a kind.
func (c *hostCounts) marshal() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	ids := slices.Sorted(maps.Keys(c.hosts))
	buf := make([]byte, 0, 16+len(ids)*12)
	buf = binary.AppendUvarint(buf, countsFormat)
	buf = binary.AppendUvarint(buf, uint64(len(ids)))
	var prev int64
	for _, id := range ids {
		buf = binary.AppendVarint(buf, id-prev)
		prev = id
		kinds := c.hosts[id]
		buf = binary.AppendUvarint(buf, uint64(len(kinds)))
		for _, kc := range kinds {
			buf = binary.AppendUvarint(buf, uint64(kc.kind))
			buf = binary.AppendUvarint(buf, uint64(kc.n))
		}
	}
	return appendIDSet(buf, c.next)
}

// restore replaces the counts with what marshal encoded. On an error the counts are unchanged.
func (c *hostCounts) restore(data []byte) error {
	r := countsReader{data: data}
	if format := r.uvarint(); r.err == nil && format != countsFormat {
		return fmt.Errorf("counts format %d, this receiver reads %d", format, countsFormat)
	}
	n := r.count("hosts")
	hosts := make(map[int64][]kindCount, n)
	totals := map[uint32]int64{}
	var id int64
	for range n {
		id += r.varint()
		k := r.count("kinds")
		if r.err != nil {
			break
		}
		if _, dup := hosts[id]; dup {
			return fmt.Errorf("counts: host %d listed twice", id)
		}
		kinds := make([]kindCount, 0, k)
		for range k {
			kind, count := r.uvarint(), r.uvarint()
			if kind > math.MaxUint32 || count > math.MaxUint32 || c.validKind != nil && !c.validKind(uint32(kind)) {
				return fmt.Errorf("counts of host %d: kind %d or count %d out of range", id, kind, count)
			}
			kinds = append(kinds, kindCount{kind: uint32(kind), n: uint32(count)})
			totals[uint32(kind)] += int64(count)
		}
		hosts[id] = kinds
	}
	var next map[int64][]kindCount
	collecting, counted := r.idSet()
	if collecting {
		next = make(map[int64][]kindCount, len(counted))
		for _, id := range counted {
			kinds, ok := hosts[id]
			if !ok && r.err == nil {
				return fmt.Errorf("counts: the full pull counted host %d, which has no counts", id)
			}
			next[id] = kinds
		}
	}
	if err := r.end(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hosts, c.totals, c.next = hosts, totals, next
	return nil
}

// collecting says whether a full pull is being counted (beginFull without endFull).
func (c *hostCounts) collecting() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.next != nil
}

// abandonFull stops counting a full pull that will not complete.
func (c *hostCounts) abandonFull() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.next = nil
}

// appendIDSet appends the ids a full pull in progress has counted: 0 when none is (set nil), else
// 1, the id count and the ascending ids as differences from the previous one.
func appendIDSet[V any](buf []byte, set map[int64]V) []byte {
	if set == nil {
		return binary.AppendUvarint(buf, 0)
	}
	buf = binary.AppendUvarint(buf, 1)
	ids := slices.Sorted(maps.Keys(set))
	buf = binary.AppendUvarint(buf, uint64(len(ids)))
	var prev int64
	for _, id := range ids {
		buf = binary.AppendVarint(buf, id-prev)
		prev = id
	}
	return buf
}

// countsReader reads the varints of marshal's output; the first error sticks.
type countsReader struct {
	data []byte
	err  error
}

func (r *countsReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.data)
	if n <= 0 {
		r.err = errors.New("counts: truncated or malformed number")
		return 0
	}
	r.data = r.data[n:]
	return v
}

func (r *countsReader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.data)
	if n <= 0 {
		r.err = errors.New("counts: truncated or malformed number")
		return 0
	}
	r.data = r.data[n:]
	return v
}

// count reads how many of what follow. Each takes at least a byte, so a count above the bytes
// left is damage; refusing it keeps allocations bounded by the input.
func (r *countsReader) count(what string) int {
	n := r.uvarint()
	if r.err == nil && n > uint64(len(r.data)) {
		r.err = fmt.Errorf("counts claim %d %s in %d bytes", n, what, len(r.data))
	}
	if r.err != nil {
		return 0
	}
	return int(n)
}

// idSet reads what appendIDSet wrote: whether a full pull is counted, and its ids.
func (r *countsReader) idSet() (collecting bool, ids []int64) {
	switch flag := r.uvarint(); {
	case r.err != nil || flag == 0:
		return false, nil
	case flag != 1:
		r.err = fmt.Errorf("counts: full pull flag %d", flag)
		return false, nil
	}
	n := r.count("counted ids")
	ids = make([]int64, 0, n)
	var id int64
	for i := range n {
		d := r.varint()
		if i > 0 && d <= 0 && r.err == nil {
			r.err = errors.New("counts: counted ids not ascending")
		}
		id += d
		ids = append(ids, id)
	}
	return r.err == nil, ids
}

// end reports the first error, or bytes left after the end.
func (r *countsReader) end() error {
	if r.err == nil && len(r.data) > 0 {
		return fmt.Errorf("counts: %d bytes after the end", len(r.data))
	}
	return r.err
}
