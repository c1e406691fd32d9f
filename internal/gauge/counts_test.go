// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package gauge

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testKinds are small numbers below 1<<20, as a stream's packed kinds are.
type testKinds struct{}

func (testKinds) AppendKind(buf []byte, k uint32) []byte { return binary.AppendUvarint(buf, uint64(k)) }

func (testKinds) ReadKind(r *Reader) (uint32, error) {
	v := r.Uvarint()
	if r.Err() == nil && v >= 1<<20 {
		return 0, errors.New("kind out of range")
	}
	return uint32(v), r.Err()
}

func newTestCounts() *Counts[uint32] { return New[uint32](testKinds{}) }

// snapshot is what c holds: every id's counts and the totals.
func snapshot(c *Counts[uint32]) (map[int64]map[uint32]int, map[uint32]int64) {
	ids := map[int64]map[uint32]int{}
	c.mu.Lock()
	all := c.t.ids()
	c.mu.Unlock()
	for _, id := range all {
		ids[id] = c.Of(id)
		if ids[id] == nil {
			ids[id] = map[uint32]int{}
		}
	}
	totals := map[uint32]int64{}
	c.Each(func(k uint32, n int64) { totals[k] = n })
	return ids, totals
}

// ids is every id with counts, in ascending order, read without rebuilding anything.
func (t *table[K]) ids() []int64 {
	var all []int64
	t.base.each(func(id int64, _ uint32, _ bool) {
		if ch, changed := t.pending.get(id); !changed || !ch.gone {
			all = append(all, id)
		}
	})
	t.pending.sorted(func(id int64, ch change) {
		if _, _, inBase := t.base.find(id); !inBase && !ch.gone {
			all = append(all, id)
		}
	})
	slices.Sort(all)
	return all
}

func randomCounts(rng *rand.Rand, ids int) *Counts[uint32] {
	c := newTestCounts()
	for range ids {
		kinds := map[uint32]int{}
		for range rng.IntN(6) {
			kinds[rng.Uint32N(1<<20)] += 1 + rng.IntN(300)
		}
		c.Set(rng.Int64N(1<<40)-1<<39, kinds) // negative ids too: the encoding must not care
	}
	return c
}

// The encoding restores exactly what was saved: every id's counts and the totals.
func TestRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 2, 1000} {
		saved := randomCounts(rng, n)
		restored := newTestCounts()
		require.NoError(t, restored.Restore(saved.Marshal(), nil))
		wantIDs, wantTotals := snapshot(saved)
		gotIDs, gotTotals := snapshot(restored)
		assert.Equal(t, wantIDs, gotIDs, "%d ids", n)
		assert.Equal(t, wantTotals, gotTotals, "%d ids", n)
	}
}

// Setting an id replaces its counts; a completed full pull drops the ids it did not see, and the
// counts of a full pull in progress round-trip with it.
func TestFullPull(t *testing.T) {
	c := newTestCounts()
	c.Set(1, map[uint32]int{1: 1})
	c.SetOne(2, 1)
	c.BeginFull()
	c.Set(9, map[uint32]int{2: 3})
	c.Set(4, nil)
	c.SetOne(2, 2)
	c.Remove(2)
	again := newTestCounts()
	require.NoError(t, again.Restore(c.Marshal(), nil))
	require.True(t, again.Collecting())
	again.EndFull()
	ids, totals := snapshot(again)
	assert.Equal(t, map[int64]map[uint32]int{9: {2: 3}, 4: {}}, ids, "ids 1 and 2 were not in the full pull")
	assert.Equal(t, map[uint32]int64{2: 3}, totals)
	again.AbandonFull()
	assert.False(t, again.Collecting())
}

// AppendMarshal writes after what the buffer holds exactly what Marshal returns, so a checkpoint
// can put the counts after its own header.
func TestAppendMarshalAfterAHeader(t *testing.T) {
	c := randomCounts(rand.New(rand.NewPCG(3, 4)), 500)
	c.BeginFull()
	c.SetOne(7, 1)
	header := []byte("header")
	got := c.AppendMarshal(header)
	assert.Equal(t, "header", string(got[:len(header)]))
	assert.Equal(t, c.Marshal(), got[len(header):])
}

// A damaged encoding is refused with an error and leaves the counts as they were.
func TestRestoreRefusesDamage(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	good := randomCounts(rng, 50).Marshal()
	target := randomCounts(rng, 3)
	wantIDs, wantTotals := snapshot(target)
	check := func(what string, data []byte) {
		t.Helper()
		assert.Error(t, target.Restore(data, nil), what)
		gotIDs, gotTotals := snapshot(target)
		require.Equal(t, wantIDs, gotIDs, "%s: counts unchanged", what)
		require.Equal(t, wantTotals, gotTotals, "%s: totals unchanged", what)
	}
	for n := range len(good) {
		check("cut", good[:n])
	}
	check("trailing bytes", append(slices.Clone(good), 0))
	check("another format", append([]byte{format + 1}, good[1:]...))
	check("format 1 without a legacy reader", append([]byte{1}, good[1:]...))
	// Format 2 (each id with its kinds). One kind (5), two ids: 7 with one record of kind 0, then 7 again.
	check("an id twice", []byte{formatPerKind, 1, 5, 2, 14, 1, 0, 1, 0, 1, 0, 1, 0})
	check("a kind index out of range", []byte{formatPerKind, 1, 5, 1, 14, 1, 1, 1, 0})
	check("a kind the codec refuses", []byte{formatPerKind, 1, 0x80, 0x80, 0x40, 0, 0})
	check("more ids than bytes", []byte{formatPerKind, 0, 0xff, 0xff, 0x03})
	check("a counted id without counts", []byte{formatPerKind, 0, 1, 4, 0, 1, 1, 6})
	check("counted ids not ascending", []byte{formatPerKind, 0, 2, 4, 0, 2, 0, 1, 2, 4, 0})
	// Format 3: one kind (5), one profile (kind 0 once), then ids with their profile.
	check("format 3: an id twice", []byte{format, 1, 5, 1, 1, 0, 1, 2, 14, 0, 0, 0, 0})
	check("format 3: a profile out of range", []byte{format, 1, 5, 1, 1, 0, 1, 1, 14, 1, 0})
	check("format 3: a kind index out of range", []byte{format, 1, 5, 1, 1, 1, 1, 1, 14, 0, 0})
	check("format 3: more profiles than bytes", []byte{format, 0, 0xff, 0x03})
	check("format 3: a counted id without counts", []byte{format, 1, 5, 1, 1, 0, 1, 1, 14, 0, 1, 1, 16})
	check("an unknown full-pull flag", []byte{format, 0, 0, 0, 2})
}

// Format 2, each id with its kinds and counts, still restores.
func TestFormatPerKind(t *testing.T) {
	c := newTestCounts()
	// kinds 5 and 9; id 7 with kind 5 twice and kind 9 once, id 8 with nothing; a full pull counted 8.
	require.NoError(t, c.Restore([]byte{formatPerKind, 2, 5, 9, 2, 14, 2, 0, 2, 1, 1, 2, 0, 1, 1, 16}, nil))
	ids, totals := snapshot(c)
	assert.Equal(t, map[int64]map[uint32]int{7: {5: 2, 9: 1}, 8: {}}, ids)
	assert.Equal(t, map[uint32]int64{5: 2, 9: 1}, totals)
	assert.True(t, c.Collecting())
	again := newTestCounts()
	require.NoError(t, again.Restore(c.Marshal(), nil))
	gotIDs, gotTotals := snapshot(again)
	assert.Equal(t, ids, gotIDs)
	assert.Equal(t, totals, gotTotals)
}

// Format 1 is read by the stream's legacy reader, per host or per record.
func TestLegacyLayouts(t *testing.T) {
	perHost := LegacyPerHost(func(k uint32) (uint32, bool) { return k, k < 100 })
	c := newTestCounts()
	// two hosts: 7 with kind 3 twice, 9 (delta 2) with nothing; then a full pull that counted 9.
	require.NoError(t, c.Restore([]byte{1, 2, 14, 1, 3, 2, 4, 0, 1, 1, 18}, perHost))
	ids, totals := snapshot(c)
	assert.Equal(t, map[int64]map[uint32]int{7: {3: 2}, 9: {}}, ids)
	assert.Equal(t, map[uint32]int64{3: 2}, totals)
	assert.True(t, c.Collecting())
	assert.Error(t, c.Restore([]byte{1, 1, 14, 1, 100, 1, 0}, perHost), "a kind the stream cannot have made")
	assert.Error(t, c.Restore([]byte{1, 2, 14, 0, 0, 0, 0}, perHost), "a host twice")

	type kind struct {
		policy int64
		status uint64
	}
	perRecord := LegacyPerRecord(func(p int64, s uint64) (kind, bool) { return kind{p, s}, s >= 1 && s <= 3 })
	postures := New[kind](nil)
	// two kinds (policy 3 status 1, policy 3 status 2), postures 5 (kind 1) and 6 (kind 0).
	require.NoError(t, postures.Restore([]byte{1, 2, 6, 1, 6, 2, 2, 10, 1, 2, 0, 0}, perRecord))
	got := map[kind]int64{}
	postures.Each(func(k kind, n int64) { got[k] = n })
	assert.Equal(t, map[kind]int64{{3, 1}: 1, {3, 2}: 1}, got)
	assert.Error(t, postures.Restore([]byte{1, 1, 6, 4, 0, 0}, perRecord), "a status out of range")
	assert.Error(t, postures.Restore([]byte{1, 1, 6, 1, 1, 10, 1, 0}, perRecord), "a kind index out of range")
}

// FuzzRestore: any bytes restore without a panic, or fail and leave the counts as they were; what
// restores marshals back to counts that restore the same.
func FuzzRestore(f *testing.F) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 1, 4, 30} {
		f.Add(randomCounts(rng, n).Marshal())
	}
	collecting := randomCounts(rng, 5)
	collecting.BeginFull()
	collecting.Set(3, map[uint32]int{7: 1})
	f.Add(collecting.Marshal())
	f.Add([]byte{1, 2, 14, 1, 3, 2, 4, 0, 1, 1, 18})
	perHost := LegacyPerHost(func(k uint32) (uint32, bool) { return k, k < 1<<20 })
	f.Fuzz(func(t *testing.T, data []byte) {
		c := newTestCounts()
		c.Set(1, map[uint32]int{1: 1})
		if err := c.Restore(data, perHost); err != nil {
			ids, totals := snapshot(c)
			require.Equal(t, map[int64]map[uint32]int{1: {1: 1}}, ids)
			require.Equal(t, map[uint32]int64{1: 1}, totals)
			return
		}
		again := newTestCounts()
		require.NoError(t, again.Restore(c.Marshal(), nil))
		require.Equal(t, c.Collecting(), again.Collecting())
		wantIDs, wantTotals := snapshot(c)
		gotIDs, gotTotals := snapshot(again)
		require.Equal(t, wantIDs, gotIDs)
		require.Equal(t, wantTotals, gotTotals)
	})
}

// An id a full pull keeps (it could not read it) stays with its counts when the pull ends, whether
// the counts sit in base or in a change since; Keep outside a full pull, or of an unknown id, does
// nothing; and the mark survives a checkpoint.
func TestKeepDuringFullPull(t *testing.T) {
	c := newTestCounts()
	for id := int64(1); id <= 10; id++ {
		c.Set(id, map[uint32]int{1: 1})
	}
	c.Set(4, map[uint32]int{2: 3}) // below base's last id: a pending change
	c.Keep(5)                      // no full pull in progress
	c.BeginFull()
	for _, id := range []int64{1, 2, 3, 6, 7, 8, 9} {
		c.Set(id, map[uint32]int{1: 1})
	}
	c.Keep(4)
	c.Keep(10)
	c.Keep(99)
	restored := newTestCounts()
	require.NoError(t, restored.Restore(c.Marshal(), nil))
	for _, counts := range []*Counts[uint32]{c, restored} {
		counts.EndFull()
		ids, totals := snapshot(counts)
		assert.Equal(t, map[uint32]int{2: 3}, ids[4], "kept from a pending change")
		assert.Equal(t, map[uint32]int{1: 1}, ids[10], "kept from base")
		assert.NotContains(t, ids, int64(5), "neither counted nor kept")
		assert.NotContains(t, ids, int64(99))
		assert.Equal(t, map[uint32]int64{1: 8, 2: 3}, totals)
	}
}
