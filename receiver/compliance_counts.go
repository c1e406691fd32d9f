// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver // import "github.com/seed-d80aa3af/qualysreceiver/receiver"

import (
	"encoding/binary"
	"fmt"
	"maps"
	"slices"
	"sync"
)

// postureKind is what the postures gauge counts by: the policy and the status (1-based index in
// postureStatuses; 0 is not counted).
type postureKind struct {
	policy int64
	status uint8
}

// postureCounts keeps the kind of every posture, so the postures gauge stays right across
// incremental pulls. It cannot be a hostCounts: an incremental posture answer carries only the
// postures whose status changed, not all postures of a host, so counts are replaced posture by
// posture. A posture costs about 16 bytes (its id and a small kind index).
type postureCounts struct {
	mu sync.Mutex
	// kinds interns the few distinct kinds (policies × statuses) so a posture stores an index.
	kinds   []postureKind
	kindIdx map[postureKind]uint32
	current map[int64]uint32
	totals  map[uint32]int64
	// next collects a full pull: it replaces current when the pull completes, so postures gone
	// from the tenant drop out.
	next map[int64]uint32
}

func newPostureCounts() *postureCounts {
	return &postureCounts{kindIdx: map[postureKind]uint32{}, current: map[int64]uint32{}, totals: map[uint32]int64{}}
}

// beginFull starts collecting a full pull.
func (c *postureCounts) beginFull() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.next = map[int64]uint32{}
}

// endFull makes a completed full pull's postures the current ones.
func (c *postureCounts) endFull() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.next == nil {
		return
	}
	c.current, c.next = c.next, nil
	c.totals = map[uint32]int64{}
	for _, k := range c.current {
		c.totals[k]++
	}
}

// set records the kind of posture id; a kind with status 0 removes it (a status not counted).
func (c *postureCounts) set(id int64, k postureKind) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.current[id]; ok {
		c.totals[old]--
		delete(c.current, id)
	}
	if c.next != nil {
		delete(c.next, id)
	}
	if k.status == 0 {
		return
	}
	idx, ok := c.kindIdx[k]
	if !ok {
		idx = uint32(len(c.kinds))
		c.kinds = append(c.kinds, k)
		c.kindIdx[k] = idx
	}
	c.current[id] = idx
	c.totals[idx]++
	if c.next != nil {
		c.next[id] = idx
	}
}

// each calls fn with every kind and its total.
func (c *postureCounts) each(fn func(k postureKind, total int64)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for idx, n := range c.totals {
		if n > 0 {
			fn(c.kinds[idx], n)
		}
	}
}

// marshal encodes the current postures compactly, for a checkpoint: the format, the kinds (policy
// id and status index), then the posture count and per posture in ascending id its difference
// from the previous id and its kind index, then the postures a full pull in progress has counted
// (see appendIDSet), all as varints. About 4 bytes a posture.
func (c *postureCounts) marshal() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	ids := slices.Sorted(maps.Keys(c.current))
	buf := make([]byte, 0, 16+len(c.kinds)*8+len(ids)*5)
	buf = binary.AppendUvarint(buf, countsFormat)
	buf = binary.AppendUvarint(buf, uint64(len(c.kinds)))
	for _, k := range c.kinds {
		buf = binary.AppendVarint(buf, k.policy)
		buf = binary.AppendUvarint(buf, uint64(k.status))
	}
	buf = binary.AppendUvarint(buf, uint64(len(ids)))
	var prev int64
	for _, id := range ids {
		buf = binary.AppendVarint(buf, id-prev)
		prev = id
		buf = binary.AppendUvarint(buf, uint64(c.current[id]))
	}
	return appendIDSet(buf, c.next)
}

// restore replaces the postures with what marshal encoded. On an error they are unchanged.
func (c *postureCounts) restore(data []byte) error {
	r := countsReader{data: data}
	if format := r.uvarint(); r.err == nil && format != countsFormat {
		return fmt.Errorf("counts format %d, this receiver reads %d", format, countsFormat)
	}
	nk := r.count("kinds")
	kinds := make([]postureKind, 0, nk)
	kindIdx := make(map[postureKind]uint32, nk)
	for i := range nk {
		policy, status := r.varint(), r.uvarint()
		if r.err != nil {
			break
		}
		if status == 0 || status > uint64(len(postureStatuses)) {
			return fmt.Errorf("counts: kind %d has status %d, not 1 to %d", i, status, len(postureStatuses))
		}
		k := postureKind{policy: policy, status: uint8(status)}
		if _, dup := kindIdx[k]; dup {
			return fmt.Errorf("counts: kind %d repeats policy %d, status %d", i, policy, status)
		}
		kindIdx[k] = uint32(i)
		kinds = append(kinds, k)
	}
	n := r.count("postures")
	current := make(map[int64]uint32, n)
	totals := map[uint32]int64{}
	var id int64
	for range n {
		id += r.varint()
		idx := r.uvarint()
		if r.err != nil {
			break
		}
		if idx >= uint64(len(kinds)) {
			return fmt.Errorf("counts: posture %d has kind %d of %d", id, idx, len(kinds))
		}
		if _, dup := current[id]; dup {
			return fmt.Errorf("counts: posture %d listed twice", id)
		}
		current[id] = uint32(idx)
		totals[uint32(idx)]++
	}
	var next map[int64]uint32
	collecting, counted := r.idSet()
	if collecting {
		next = make(map[int64]uint32, len(counted))
		for _, id := range counted {
			idx, ok := current[id]
			if !ok && r.err == nil {
				return fmt.Errorf("counts: the full pull counted posture %d, which has no kind", id)
			}
			next[id] = idx
		}
	}
	if err := r.end(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.kinds, c.kindIdx, c.current, c.totals, c.next = kinds, kindIdx, current, totals, next
	return nil
}

// collecting says whether a full pull is being counted (beginFull without endFull).
func (c *postureCounts) collecting() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.next != nil
}

// abandonFull stops counting a full pull that will not complete.
func (c *postureCounts) abandonFull() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.next = nil
}
