// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver // import "github.com/seed-d80aa3af/qualysreceiver/receiver"

import "sync"

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
