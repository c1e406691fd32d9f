// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package gauge

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// model is the plain picture of Counts: a map of ids and, during a full pull, the ids counted.
type model struct {
	ids  map[int64]map[uint32]int
	next map[int64]bool
}

func (m *model) set(id int64, kinds map[uint32]int) {
	clean := map[uint32]int{}
	for k, n := range kinds {
		if n > 0 {
			clean[k] = n
		}
	}
	m.ids[id] = clean
	if m.next != nil {
		m.next[id] = true
	}
}

func (m *model) remove(id int64) {
	delete(m.ids, id)
	delete(m.next, id)
}

func (m *model) endFull() {
	if m.next == nil {
		return
	}
	for id := range m.ids {
		if !m.next[id] {
			delete(m.ids, id)
		}
	}
	m.next = nil
}

func (m *model) totals() map[uint32]int64 {
	out := map[uint32]int64{}
	for _, kinds := range m.ids {
		for k, n := range kinds {
			out[k] += int64(n)
		}
	}
	for k, n := range out {
		if n == 0 {
			delete(out, k)
		}
	}
	return out
}

// Random sets, removes and full pulls, over enough ids that the packed ids are rebuilt many times
// (in order, out of order, over ids already there), agree with the model at every step, and
// through a checkpoint.
func TestAgreesWithModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	c := newTestCounts()
	m := &model{ids: map[int64]map[uint32]int{}}
	check := func(step int) {
		t.Helper()
		ids, totals := snapshot(c)
		require.Equal(t, len(m.ids), c.Len(), "step %d", step)
		require.Equal(t, len(m.ids), len(ids), "step %d", step)
		for id, want := range m.ids {
			require.Equal(t, want, ids[id], "step %d id %d", step, id)
		}
		require.Equal(t, m.totals(), totals, "step %d", step)
		require.Equal(t, m.next != nil, c.Collecting(), "step %d", step)
	}
	ascending := int64(0)
	for step := range 60_000 {
		var id int64
		switch rng.IntN(3) {
		case 0:
			ascending += 1 + rng.Int64N(1000)
			id = ascending
		case 1:
			id = rng.Int64N(ascending + 10)
		default:
			id = rng.Int64N(200) // a few ids set again and again
		}
		switch r := rng.IntN(1000); {
		case r < 600:
			kinds := map[uint32]int{}
			for range rng.IntN(3) {
				kinds[rng.Uint32N(8)] += rng.IntN(4)
			}
			c.Set(id, kinds)
			m.set(id, kinds)
		case r < 850:
			k := rng.Uint32N(8)
			c.SetOne(id, k)
			m.set(id, map[uint32]int{k: 1})
		case r < 990:
			c.Remove(id)
			m.remove(id)
		case r < 993:
			c.BeginFull()
			m.next = map[int64]bool{}
		case r < 996:
			c.EndFull()
			m.endFull()
		case r < 997:
			c.AbandonFull()
			m.next = nil
		default:
			again := newTestCounts()
			require.NoError(t, again.Restore(c.Marshal(), nil))
			c = again
		}
		if step%997 == 0 {
			check(step)
		}
	}
	check(-1)
}
