// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver // import "github.com/seed-d80aa3af/qualysreceiver/receiver"

import (
	"encoding/binary"
	"errors"
	"fmt"
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
// with its count, all as varints. About 5 bytes a host plus 4 a kind.
func (c *hostCounts) marshal() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	ids := make([]int64, 0, len(c.hosts))
	for id := range c.hosts {
		ids = append(ids, id)
	}
	slices.Sort(ids)
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
	return buf
}

// restore replaces the counts with what marshal encoded. On an error the counts are unchanged.
func (c *hostCounts) restore(data []byte) error {
	r := countsReader{data: data}
	if format := r.uvarint(); r.err == nil && format != countsFormat {
		return fmt.Errorf("counts format %d, this receiver reads %d", format, countsFormat)
	}
	n := r.uvarint()
	if r.err == nil && n > uint64(len(data)) { // every host takes at least one byte
		return fmt.Errorf("counts claim %d hosts in %d bytes", n, len(data))
	}
	hosts := make(map[int64][]kindCount, int(min(n, uint64(len(data)))))
	totals := map[uint32]int64{}
	var id int64
	for i := uint64(0); i < n && r.err == nil; i++ {
		id += r.varint()
		k := r.uvarint()
		if r.err == nil && k > uint64(len(r.data)) {
			return fmt.Errorf("counts of host %d claim %d kinds in %d bytes", id, k, len(r.data))
		}
		kinds := make([]kindCount, 0, int(k))
		for j := uint64(0); j < k && r.err == nil; j++ {
			kind, count := r.uvarint(), r.uvarint()
			if kind > math.MaxUint32 || count > math.MaxUint32 {
				return fmt.Errorf("counts of host %d: kind %d or count %d out of range", id, kind, count)
			}
			kinds = append(kinds, kindCount{kind: uint32(kind), n: uint32(count)})
			totals[uint32(kind)] += int64(count)
		}
		hosts[id] = kinds
	}
	if r.err != nil {
		return r.err
	}
	if len(r.data) > 0 {
		return fmt.Errorf("counts: %d bytes after the last host", len(r.data))
	}
	if len(hosts) != int(n) {
		return fmt.Errorf("counts: %d hosts listed, %d distinct", n, len(hosts))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hosts, c.totals, c.next = hosts, totals, nil
	return nil
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
