// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLaterHostsJoinThroughAddHost(t *testing.T) {
	cfg := TenantConfig{Seed: 5, Hosts: 12, LaterHosts: 2, Policies: 1, HostsPerPolicy: 12, ControlsPerPolicy: 3}
	srv, base := startServer(t, cfg, Options{})
	tn := srv.Tenant()
	all := "truncation_limit=0&status=New,Active,Re-Opened,Fixed"
	hosts, _ := fetchHLD(t, hldURL(base, "5.0", all))
	for _, h := range hosts {
		assert.NotContains(t, []uint64{tn.HostID(10), tn.HostID(11)}, h.ID, "a later host is not in the tenant before it joins")
	}
	assert.False(t, tn.HostPresent(10))
	_, ok := tn.HostIndex(tn.HostID(10))
	assert.False(t, ok)
	before := tn.Counts(Query{Statuses: allStatuses})
	assert.Equal(t, 10, before.Hosts)
	assert.Equal(t, 10*3, before.Postures)

	at := cfg.withDefaults().BaseTime.Add(3 * time.Hour)
	id, err := tn.AddHost(at)
	require.NoError(t, err)
	assert.Equal(t, tn.HostID(10), id, "later hosts join in ascending order")
	h, ok := tn.HostByID(id)
	require.True(t, ok)
	assert.Equal(t, at, h.VMProcessed, "a joined host was processed when it joined")
	assert.Equal(t, at, h.Modified)
	ps := tn.Posture(0, &h, 1)
	assert.Equal(t, at, ps.Modified, "its postures were first evaluated when it joined")
	assert.Equal(t, at, ps.LastEvaluated)
	assert.Empty(t, ps.PreviousStatus)

	changed, _ := fetchHLD(t, hldURL(base, "5.0", all+"&vm_processed_after="+at.Add(-time.Second).Format(time.RFC3339)))
	require.Len(t, changed, 1, "an incremental pull finds the joined host")
	assert.Equal(t, id, changed[0].ID)
	after := tn.Counts(Query{Statuses: allStatuses})
	assert.Equal(t, 11, after.Hosts)
	assert.Equal(t, 11*3, after.Postures)
	own := tn.Counts(Query{Statuses: allStatuses, IDs: NewIDSet(id)}).Detections
	require.Positive(t, own)
	assert.Equal(t, before.Detections+own, after.Detections)

	_, err = tn.AddHost(at)
	require.NoError(t, err)
	_, err = tn.AddHost(at)
	assert.ErrorContains(t, err, "all 2 later hosts have joined")
}

func TestRemovedHostsLeaveEveryEndpoint(t *testing.T) {
	srv, base := startServer(t, TenantConfig{Seed: 6, Hosts: 10, Policies: 1, HostsPerPolicy: 10, ControlsPerPolicy: 2}, Options{})
	tn := srv.Tenant()
	gone := tn.HostID(3)
	before := tn.Counts(Query{Statuses: allStatuses})
	own := tn.Counts(Query{Statuses: allStatuses, IDs: NewIDSet(gone)}).Detections
	require.Positive(t, own)
	require.NoError(t, tn.RemoveHost(gone))

	_, ok := tn.HostByID(gone)
	assert.False(t, ok)
	assert.False(t, tn.HostPresent(3))
	hosts, _ := fetchHLD(t, hldURL(base, "5.0", "truncation_limit=3&status=New,Active,Re-Opened,Fixed"))
	for _, x := range hosts {
		assert.NotEqual(t, gone, x.ID, "Host List Detection, page by page, leaves the removed host out")
	}
	after := tn.Counts(Query{Statuses: allStatuses})
	assert.Equal(t, before.Hosts-1, after.Hosts)
	assert.Equal(t, before.Detections-own, after.Detections)
	assert.Equal(t, before.Postures-2, after.Postures)
	assert.ErrorContains(t, tn.RemoveHost(gone), "no host")
	assert.Error(t, tn.SetDetectionStatus(gone, 1, StatusFixed, time.Now()), "a removed host cannot change")

	tn.ResetMutations()
	assert.True(t, tn.HostPresent(3), "ResetMutations brings it back")
}

func TestEachHostVisitsWhatCountsCounts(t *testing.T) {
	tn := NewTenant(TenantConfig{Seed: 8, Hosts: 30, LaterHosts: 3, Policies: 2, ControlsPerPolicy: 3})
	require.NoError(t, tn.RemoveHost(tn.HostID(4)))
	q := Query{Statuses: []string{StatusActive, StatusFixed}}
	want := tn.Counts(q)
	hosts, detections, postures := 0, map[string]int{}, map[string]int{}
	var last uint64
	tn.EachHost(q, func(h *Host, dets []Detection, ps []Posture) bool {
		assert.Greater(t, h.ID, last, "ascending")
		assert.NotEqual(t, tn.HostID(4), h.ID, "a removed host is not visited")
		last = h.ID
		hosts++
		for _, d := range dets {
			detections[d.Status]++
		}
		for _, p := range ps {
			postures[p.Status]++
		}
		return true
	})
	assert.Equal(t, want.Hosts, hosts)
	assert.Equal(t, want.ByStatus, detections)
	assert.Equal(t, want.PosturesByStatus, postures)
}
