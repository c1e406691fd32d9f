// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package gauge

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// Changes put at random, over more ids than the recent map holds, read back as a map of them
// does, in order, however many merges came between.
func TestChangesAgreeWithMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var c changes
	want := map[int64]change{}
	for step := range 20_000 {
		id := rng.Int64N(6000)
		ch := change{p: rng.Uint32N(1 << 30), seen: rng.IntN(2) == 0, gone: rng.IntN(5) == 0}
		c.put(id, ch)
		want[id] = ch
		probe := rng.Int64N(6000)
		got, ok := c.get(probe)
		w, wok := want[probe]
		require.Equal(t, wok, ok, "step %d id %d", step, probe)
		require.Equal(t, w, got, "step %d id %d", step, probe)
		if step%5000 == 4999 {
			c.unseeAll()
			for id, ch := range want {
				ch.seen = false
				want[id] = ch
			}
		}
	}
	require.Equal(t, len(want), c.len())
	var ids []int64
	c.sorted(func(id int64, ch change) {
		ids = append(ids, id)
		require.Equal(t, want[id], ch, "id %d", id)
	})
	require.True(t, slices.IsSorted(ids))
	require.Len(t, ids, len(want))
	require.Empty(t, c.recent, "sorted merges the recent changes")
}
