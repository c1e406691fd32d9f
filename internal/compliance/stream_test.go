// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package compliance

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
