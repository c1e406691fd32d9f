// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package compliance

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-d80aa3af/qualysreceiver/internal/metadata"
)

// A compliance selection is the same for the same policies in another order or with repeats, and
// for every status named as for none; it differs when a filter or evidence changes.
func TestComplianceSelectionIsCanonical(t *testing.T) {
	all := statusFilter(nil)
	assert.Equal(t, complianceSelection([]int64{2, 1, 2}, all, false), complianceSelection([]int64{1, 2}, statusFilter([]string{"Passed", "Failed", "Error"}), false))
	assert.NotEqual(t, complianceSelection([]int64{1}, all, false), complianceSelection([]int64{1, 2}, all, false))
	assert.NotEqual(t, complianceSelection(nil, all, false), complianceSelection(nil, statusFilter([]string{"Failed"}), false))
	assert.NotEqual(t, complianceSelection(nil, all, false), complianceSelection(nil, all, true))
}

// The postures gauge's counts accept only kinds the compliance stream makes: a damaged status
// would index past the status enum when the gauge is emitted.
func TestPostureCountsRefuseKindsTheStreamCannotMake(t *testing.T) {
	postures := newPostureCounts()
	postures.SetOne(1, postureKind{policy: 3, status: 2})
	require.NoError(t, newPostureCounts().Unmarshal(postures.Marshal()))
	postures.SetOne(2, postureKind{policy: 3, status: uint8(len(postureStatuses) + 1)})
	assert.Error(t, newPostureCounts().Unmarshal(postures.Marshal()), "a status out of range")
}

// The gauge's store replaces postures one by one, and a completed full pull drops the postures it
// did not see.
func TestPostureCounts(t *testing.T) {
	c := newPostureCounts()
	totals := func() map[postureKind]int64 {
		out := map[postureKind]int64{}
		c.Each(func(k postureKind, n int64) { out[k] = n })
		return out
	}
	passed, failed := postureKind{policy: 7, status: 1}, postureKind{policy: 7, status: 2}
	c.BeginFull()
	c.SetOne(1, passed)
	c.SetOne(2, passed)
	c.SetOne(3, failed)
	c.EndFull()
	assert.Equal(t, map[postureKind]int64{passed: 2, failed: 1}, totals())

	c.SetOne(2, failed) // a status change
	c.Remove(3)         // a status no longer counted
	c.Remove(3)         // twice: nothing to remove
	assert.Equal(t, map[postureKind]int64{passed: 1, failed: 1}, totals())

	c.BeginFull()
	c.SetOne(2, failed)
	c.EndFull()
	assert.Equal(t, map[postureKind]int64{failed: 1}, totals(), "posture 1 went away")
}

// A full pull that skipped a host keeps every posture it did not see: the gauge counts postures,
// and the skipped host's cannot be told apart from those gone from the tenant. The next full pull
// that skips no host drops what is gone.
func TestFullPullThatSkippedAHostDropsNoPosture(t *testing.T) {
	s := New(Settings{Counts: metadata.QualysCompliancePosturesMetricConfig{Enabled: true}})
	require.NotNil(t, s.KeepSkipped, "the stream skips hosts")
	totals := func() map[postureKind]int64 {
		out := map[postureKind]int64{}
		s.counts.Each(func(k postureKind, n int64) { out[k] = n })
		return out
	}
	passed, failed := postureKind{policy: 7, status: 1}, postureKind{policy: 7, status: 2}
	fullPull := func(skipped []int64, postures map[int64]postureKind) {
		s.gauge.BeginFull()
		for id, k := range postures {
			s.counts.SetOne(id, k)
		}
		for _, host := range skipped {
			s.KeepSkipped(host)
		}
		assert.True(t, s.gauge.Completed(true), "the pull counts as the full sync")
	}
	fullPull(nil, map[int64]postureKind{1: passed, 2: passed, 3: failed})
	require.Equal(t, map[postureKind]int64{passed: 2, failed: 1}, totals())

	fullPull([]int64{42}, map[int64]postureKind{1: failed})
	assert.Equal(t, map[postureKind]int64{passed: 1, failed: 2}, totals(), "postures 2 and 3 kept, posture 1 changed")
	assert.True(t, s.gauge.Complete())

	fullPull(nil, map[int64]postureKind{1: failed, 3: failed})
	assert.Equal(t, map[postureKind]int64{failed: 2}, totals(), "posture 2 went away")
}
