// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

// Package gauge keeps the counts behind the receiver's summary gauges (detections, postures,
// assets), so a gauge stays right when an incremental pull brings only what changed, and encodes
// them for a checkpoint.
package gauge // import "github.com/seed-d80aa3af/qualysreceiver/internal/gauge"

import (
	"maps"
	"slices"
	"sync"
)

// Counts keeps, per id (a host, or a posture), how many records it has of each kind K (a
// detection's severity, status and type; a posture's policy and status). Setting an id replaces
// its counts, so an incremental pull updates what it brings and keeps the rest. An id costs its
// map entry and a profile index: ids with the same counts share one profile, so a posture (one
// record of one of a few kinds) costs about 16 bytes, and a million hosts fit in tens of MiB.
type Counts[K comparable] struct {
	mu    sync.Mutex
	codec KindCodec[K]
	// kinds interns the kinds seen; a profile refers to them by index.
	kinds   []K
	kindIdx map[K]uint32
	// profiles interns the distinct per-id counts, each sorted by kind index.
	profiles   [][]kindCount
	profileIdx map[string]uint32
	single     map[uint32]uint32 // kind index → profile of one record of that kind
	ids        map[int64]uint32
	totals     map[uint32]int64
	// next collects a full pull: it replaces ids when the pull completes, so ids gone from the
	// tenant drop out.
	next map[int64]uint32
}

type kindCount struct{ kind, n uint32 }

// New returns empty counts whose kinds codec encodes for a checkpoint.
func New[K comparable](codec KindCodec[K]) *Counts[K] {
	c := &Counts[K]{codec: codec}
	c.reset()
	return c
}

func (c *Counts[K]) reset() {
	c.kinds, c.kindIdx = nil, map[K]uint32{}
	c.profiles, c.profileIdx, c.single = nil, map[string]uint32{}, map[uint32]uint32{}
	c.ids, c.totals, c.next = map[int64]uint32{}, map[uint32]int64{}, nil
}

// Set replaces id's counts with kinds (records of the id by kind). An id set with no kinds is
// kept, counting nothing: a host the pull saw without records.
func (c *Counts[K]) Set(id int64, kinds map[K]int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	profile := make([]kindCount, 0, len(kinds))
	for k, n := range kinds {
		if n > 0 {
			profile = append(profile, kindCount{kind: c.kindIndex(k), n: uint32(n)})
		}
	}
	c.put(id, profile)
}

// SetOne replaces id's counts with one record of kind k: a posture.
func (c *Counts[K]) SetOne(id int64, k K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ki := c.kindIndex(k)
	p, ok := c.single[ki]
	if !ok {
		p = c.profileIndex([]kindCount{{kind: ki, n: 1}})
		c.single[ki] = p
	}
	c.assign(id, p)
}

// Remove forgets id: a posture whose status is not counted.
func (c *Counts[K]) Remove(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.remove(id)
}

func (c *Counts[K]) remove(id int64) {
	if old, ok := c.ids[id]; ok {
		c.addTotals(old, -1)
		delete(c.ids, id)
	}
	if c.next != nil {
		delete(c.next, id)
	}
}

func (c *Counts[K]) put(id int64, profile []kindCount) {
	slices.SortFunc(profile, func(a, b kindCount) int { return int(a.kind) - int(b.kind) })
	c.assign(id, c.profileIndex(profile))
}

func (c *Counts[K]) assign(id int64, p uint32) {
	if old, ok := c.ids[id]; ok {
		c.addTotals(old, -1)
	}
	c.ids[id] = p
	c.addTotals(p, 1)
	if c.next != nil {
		c.next[id] = p
	}
}

func (c *Counts[K]) addTotals(p uint32, sign int64) {
	for _, kc := range c.profiles[p] {
		c.totals[kc.kind] += sign * int64(kc.n)
	}
}

func (c *Counts[K]) kindIndex(k K) uint32 {
	i, ok := c.kindIdx[k]
	if !ok {
		i = uint32(len(c.kinds))
		c.kinds = append(c.kinds, k)
		c.kindIdx[k] = i
	}
	return i
}

func (c *Counts[K]) profileIndex(profile []kindCount) uint32 {
	key := make([]byte, 0, len(profile)*8)
	for _, kc := range profile {
		key = append(key, byte(kc.kind), byte(kc.kind>>8), byte(kc.kind>>16), byte(kc.kind>>24),
			byte(kc.n), byte(kc.n>>8), byte(kc.n>>16), byte(kc.n>>24))
	}
	i, ok := c.profileIdx[string(key)]
	if !ok {
		i = uint32(len(c.profiles))
		c.profiles = append(c.profiles, profile)
		c.profileIdx[string(key)] = i
	}
	return i
}

// Len is how many ids have counts.
func (c *Counts[K]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.ids)
}

// Each calls fn with every kind and its total over all ids, skipping kinds with none.
func (c *Counts[K]) Each(fn func(k K, total int64)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, n := range c.totals {
		if n > 0 {
			fn(c.kinds[i], n)
		}
	}
}

// Of is id's counts by kind; nil when it has none.
func (c *Counts[K]) Of(id int64) map[K]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.ids[id]
	if !ok {
		return nil
	}
	out := map[K]int{}
	for _, kc := range c.profiles[p] {
		out[c.kinds[kc.kind]] += int(kc.n)
	}
	return out
}

// BeginFull starts collecting a full pull.
func (c *Counts[K]) BeginFull() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.next = map[int64]uint32{}
}

// EndFull makes a completed full pull's counts the current ones.
func (c *Counts[K]) EndFull() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.next == nil {
		return
	}
	c.ids, c.next = c.next, nil
	c.compact()
	c.totals = map[uint32]int64{}
	for _, p := range c.ids {
		c.addTotals(p, 1)
	}
}

// compact drops the profiles no id has any more, which incremental pulls leave behind.
func (c *Counts[K]) compact() {
	old := c.profiles
	c.profiles, c.profileIdx, c.single = nil, map[string]uint32{}, map[uint32]uint32{}
	remap := map[uint32]uint32{}
	for id, p := range c.ids {
		n, ok := remap[p]
		if !ok {
			n = c.profileIndex(old[p])
			remap[p] = n
		}
		c.ids[id] = n
	}
}

// Collecting says whether a full pull is being counted (BeginFull without EndFull).
func (c *Counts[K]) Collecting() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.next != nil
}

// AbandonFull stops counting a full pull that will not complete.
func (c *Counts[K]) AbandonFull() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.next = nil
}

// sortedIDs is the ids of m in ascending order.
func sortedIDs(m map[int64]uint32) []int64 { return slices.Sorted(maps.Keys(m)) }
