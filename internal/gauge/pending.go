// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package gauge // import "github.com/seed-d80aa3af/qualysreceiver/internal/gauge"

import (
	"maps"
	"slices"
)

// recentLen is how many changes wait in the map of recent ones before they are merged into the
// sorted ones.
const recentLen = 1024

// changes are the ids set or removed since base was built, until a rebuild merges them into it:
// most in two sorted arrays (12 bytes a change, where a map entry costs 25 to 40), the latest in a
// small map, merged into the arrays when it fills. The arrays are already in the order a rebuild
// reads them.
type changes struct {
	ids []int64
	// vals is each id's change, packed (see packChange).
	vals   []uint32
	recent map[int64]change
}

// change is an id's counts set or removed since base was built.
type change struct {
	p    uint32
	seen bool
	gone bool
}

// A profile index fits in 30 bits: a profile costs tens of bytes, so 2^30 of them do not fit in
// memory.
func packChange(ch change) uint32 {
	v := ch.p << 2
	if ch.seen {
		v |= 2
	}
	if ch.gone {
		v |= 1
	}
	return v
}

func unpackChange(v uint32) change { return change{p: v >> 2, seen: v&2 != 0, gone: v&1 != 0} }

func (c *changes) len() int { return len(c.ids) + len(c.recent) }

// get is id's change, if it has one.
func (c *changes) get(id int64) (change, bool) {
	if ch, ok := c.recent[id]; ok {
		return ch, true
	}
	if i, ok := slices.BinarySearch(c.ids, id); ok {
		return unpackChange(c.vals[i]), true
	}
	return change{}, false
}

// put sets id's change.
func (c *changes) put(id int64, ch change) {
	if i, ok := slices.BinarySearch(c.ids, id); ok {
		c.vals[i] = packChange(ch)
		return
	}
	if c.recent == nil {
		c.recent = make(map[int64]change, recentLen)
	}
	c.recent[id] = ch
	if len(c.recent) >= recentLen {
		c.merge()
	}
}

// merge moves the recent changes into the sorted arrays, merging from their ends so the arrays
// grow in place.
func (c *changes) merge() {
	if len(c.recent) == 0 {
		return
	}
	add := slices.Sorted(maps.Keys(c.recent))
	i, j := len(c.ids)-1, len(add)-1
	c.ids = slices.Grow(c.ids, len(add))[:len(c.ids)+len(add)]
	c.vals = slices.Grow(c.vals, len(add))[:len(c.vals)+len(add)]
	for k := len(c.ids) - 1; j >= 0; k-- {
		if i >= 0 && c.ids[i] > add[j] {
			c.ids[k], c.vals[k] = c.ids[i], c.vals[i]
			i--
		} else {
			c.ids[k], c.vals[k] = add[j], packChange(c.recent[add[j]])
			j--
		}
	}
	clear(c.recent)
}

// sorted calls fn with every change in ascending id.
func (c *changes) sorted(fn func(id int64, ch change)) {
	c.merge()
	for i, id := range c.ids {
		fn(id, unpackChange(c.vals[i]))
	}
}

// unseeAll clears every change's seen mark, for a full pull starting.
func (c *changes) unseeAll() {
	for i := range c.vals {
		c.vals[i] &^= 2
	}
	for id, ch := range c.recent {
		ch.seen = false
		c.recent[id] = ch
	}
}
