// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

// Package gauge keeps the counts behind the receiver's summary gauges (detections, postures,
// assets), so a gauge stays right when an incremental pull brings only what changed, and encodes
// them for a checkpoint.
package gauge // import "github.com/seed-d80aa3af/qualysreceiver/internal/gauge"

import (
	"slices"
	"sync"
)

// Counts keeps, per id (a host, or a posture), how many records it has of each kind K (a
// detection's severity, status and type; a posture's policy and status). Setting an id replaces
// its counts, so an incremental pull updates what it brings and keeps the rest. Ids with the same
// counts share one profile, and the ids with their profile index are packed (packed.go): a
// million hosts or postures take a few MB. A full pull marks the ids it counts in place, so it
// needs no second copy.
type Counts[K comparable] struct {
	mu    sync.Mutex
	codec KindCodec[K]
	t     table[K]
}

// table is what Counts holds; Restore builds a new one and swaps it in whole.
type table[K comparable] struct {
	// kinds interns the kinds seen; a profile refers to them by index.
	kinds   []K
	kindIdx map[K]uint32
	// profiles interns the distinct per-id counts, each sorted by kind index.
	profiles   [][]kindCount
	profileIdx map[string]uint32
	single     map[uint32]uint32 // kind index → profile of one record of that kind
	totals     []int64           // by kind index
	// base holds the ids; changes go to pending until it is worth rebuilding base with them.
	base    packed
	pending changes
	// pendingMax is the highest id in pending: an id above it and base's goes straight to base.
	pendingMax int64
	n          int
	// collecting: a full pull is in progress; the ids it counted are marked seen, and the rest
	// drop out when it completes.
	collecting bool
}

type kindCount struct{ kind, n uint32 }

// minPending is how many changes wait before base is rebuilt with them, at least; above it, up
// to a pendingShare-th of base, which bounds both their memory (under a byte an id) and the
// rebuilds.
const (
	minPending   = 4096
	pendingShare = 16
)

// New returns empty counts whose kinds codec encodes for a checkpoint.
func New[K comparable](codec KindCodec[K]) *Counts[K] {
	return &Counts[K]{codec: codec, t: newTable[K]()}
}

func newTable[K comparable]() table[K] {
	return table[K]{
		kindIdx: map[K]uint32{}, profileIdx: map[string]uint32{}, single: map[uint32]uint32{},
	}
}

// Set replaces id's counts with kinds (records of the id by kind). An id set with no kinds is
// kept, counting nothing: a host the pull saw without records.
func (c *Counts[K]) Set(id int64, kinds map[K]int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	profile := make([]kindCount, 0, len(kinds))
	for k, n := range kinds {
		if n > 0 {
			profile = append(profile, kindCount{kind: c.t.kindIndex(k), n: uint32(n)})
		}
	}
	c.t.put(id, profile)
}

// SetOne replaces id's counts with one record of kind k: a posture.
func (c *Counts[K]) SetOne(id int64, k K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ki := c.t.kindIndex(k)
	p, ok := c.t.single[ki]
	if !ok {
		p = c.t.profileIndex([]kindCount{{kind: ki, n: 1}})
		c.t.single[ki] = p
	}
	c.t.assign(id, p)
}

// Remove forgets id: a posture whose status is not counted.
func (c *Counts[K]) Remove(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t.remove(id)
}

// Len is how many ids have counts.
func (c *Counts[K]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t.n
}

// Each calls fn with every kind and its total over all ids, skipping kinds with none.
func (c *Counts[K]) Each(fn func(k K, total int64)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, n := range c.t.totals {
		if n > 0 {
			fn(c.t.kinds[i], n)
		}
	}
}

// Of is id's counts by kind; nil when it has none.
func (c *Counts[K]) Of(id int64) map[K]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.t.lookup(id)
	if !ok {
		return nil
	}
	out := map[K]int{}
	for _, kc := range c.t.profiles[p] {
		out[c.t.kinds[kc.kind]] += int(kc.n)
	}
	return out
}

// BeginFull starts collecting a full pull.
func (c *Counts[K]) BeginFull() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t.base.clearSeen()
	c.t.pending.unseeAll()
	c.t.collecting = true
}

// EndFull makes a completed full pull's counts the current ones: the ids it did not count drop
// out.
func (c *Counts[K]) EndFull() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.t.collecting {
		return
	}
	c.t.collecting = false
	c.t.flush(true, nil)
	c.t.compact()
}

// Keep counts id in the full pull in progress with the counts it has: an id the pull could not
// read keeps its last counts instead of dropping out when the pull ends.
func (c *Counts[K]) Keep(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.t.collecting {
		return
	}
	if ch, changed := c.t.pending.get(id); changed {
		if !ch.gone {
			ch.seen = true
			c.t.pending.put(id, ch)
		}
		return
	}
	if pos, _, ok := c.t.base.find(id); ok {
		c.t.base.markSeen(pos)
	}
}

// Collecting says whether a full pull is being counted (BeginFull without EndFull).
func (c *Counts[K]) Collecting() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t.collecting
}

// AbandonFull stops counting a full pull that will not complete.
func (c *Counts[K]) AbandonFull() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t.collecting = false
}

func (t *table[K]) put(id int64, profile []kindCount) {
	slices.SortFunc(profile, func(a, b kindCount) int { return int(a.kind) - int(b.kind) })
	t.assign(id, t.profileIndex(profile))
}

// lookup is id's profile, and whether id is counted: a change pending wins over base.
func (t *table[K]) lookup(id int64) (p uint32, ok bool) {
	if ch, changed := t.pending.get(id); changed {
		return ch.p, !ch.gone
	}
	_, p, ok = t.base.find(id)
	return p, ok
}

func (t *table[K]) assign(id int64, p uint32) {
	if ch, changed := t.pending.get(id); changed {
		if ch.gone {
			t.n++
		} else {
			t.addTotals(ch.p, -1)
		}
		t.pending.put(id, change{p: p, seen: t.collecting})
		t.addTotals(p, 1)
		return
	}
	pos, old, inBase := t.base.find(id)
	if inBase && old == p {
		if t.collecting {
			t.base.markSeen(pos)
		}
		return
	}
	t.addTotals(p, 1)
	switch {
	case inBase:
		t.addTotals(old, -1)
	case (t.base.n == 0 || id > t.base.last) && (t.pending.len() == 0 || id > t.pendingMax):
		t.base.add(id, p, t.collecting)
		t.n++
		return
	default:
		t.n++
	}
	t.pending.put(id, change{p: p, seen: t.collecting})
	if t.pending.len() == 1 || id > t.pendingMax {
		t.pendingMax = id
	}
	if t.pending.len() > max(minPending, t.base.n/pendingShare) {
		t.flush(false, nil)
	}
}

func (t *table[K]) remove(id int64) {
	p, ok := t.lookup(id)
	if !ok {
		return
	}
	t.addTotals(p, -1)
	t.n--
	// An id only pending is marked gone too: a rebuild leaves it out all the same.
	t.pending.put(id, change{gone: true})
}

func (t *table[K]) addTotals(p uint32, sign int64) {
	for _, kc := range t.profiles[p] {
		t.totals[kc.kind] += sign * int64(kc.n)
	}
}

func (t *table[K]) kindIndex(k K) uint32 {
	i, ok := t.kindIdx[k]
	if !ok {
		i = uint32(len(t.kinds))
		t.kinds = append(t.kinds, k)
		t.totals = append(t.totals, 0)
		t.kindIdx[k] = i
	}
	return i
}

// profileIndex interns profile, which it keeps only when it is new.
func (t *table[K]) profileIndex(profile []kindCount) uint32 {
	var small [64]byte
	key := small[:0]
	for _, kc := range profile {
		key = append(key, byte(kc.kind), byte(kc.kind>>8), byte(kc.kind>>16), byte(kc.kind>>24),
			byte(kc.n), byte(kc.n>>8), byte(kc.n>>16), byte(kc.n>>24))
	}
	i, ok := t.profileIdx[string(key)]
	if !ok {
		i = uint32(len(t.profiles))
		t.profiles = append(t.profiles, slices.Clone(profile))
		t.profileIdx[string(key)] = i
	}
	return i
}
