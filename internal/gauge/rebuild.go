// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package gauge // import "github.com/seed-d80aa3af/qualysreceiver/internal/gauge"

// flush rebuilds base with the pending changes, merging the two in id order; dropUnseen leaves
// out the ids a full pull did not count, remap (when not nil) renumbers the profiles. The old
// base lets go of its data a chunk at a time as the new one is built, so the two together hold
// about the packed ids once.
func (t *table[K]) flush(dropUnseen bool, remap []uint32) {
	t.pending.merge()
	ids, vals := t.pending.ids, t.pending.vals
	next := sized(t.base.n + len(ids))
	emit := func(id int64, p uint32, seen bool) {
		if dropUnseen && !seen {
			return
		}
		if remap != nil {
			p = remap[p]
		}
		next.add(id, p, seen && !dropUnseen)
	}
	emitChange := func(i int) {
		if ch := unpackChange(vals[i]); !ch.gone {
			emit(ids[i], ch.p, ch.seen)
		}
	}
	i := 0
	t.base.drain(func(id int64, p uint32, seen bool) {
		for ; i < len(ids) && ids[i] < id; i++ {
			emitChange(i)
		}
		if i < len(ids) && ids[i] == id {
			emitChange(i)
			i++
			return
		}
		emit(id, p, seen)
	})
	for ; i < len(ids); i++ {
		emitChange(i)
	}
	next.trim()
	t.base, t.pending, t.pendingMax = next, changes{}, 0
	t.n = next.n
}

// compact drops the profiles no id has any more, which incremental pulls leave behind, and
// counts the totals again. pending must be empty (after flush).
func (t *table[K]) compact() {
	used := make([]bool, len(t.profiles))
	clear(t.totals)
	t.base.each(func(_ int64, p uint32, _ bool) {
		used[p] = true
		t.addTotals(p, 1)
	})
	kept := 0
	for _, u := range used {
		if u {
			kept++
		}
	}
	if kept == len(t.profiles) {
		return
	}
	old := t.profiles
	remap := make([]uint32, len(old))
	t.profiles, t.profileIdx, t.single = nil, map[string]uint32{}, map[uint32]uint32{}
	for p, u := range used {
		if u {
			remap[p] = t.profileIndex(old[p])
		}
	}
	t.flush(false, remap)
}
