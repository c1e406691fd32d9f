// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTenantIsDeterministic(t *testing.T) {
	a, b := NewTenant(TenantConfig{Seed: 99, Hosts: 200}), NewTenant(TenantConfig{Seed: 99, Hosts: 200})
	c := NewTenant(TenantConfig{Seed: 100, Hosts: 200})
	differs := 0
	for i := range 200 {
		ha, hb, hc := a.Host(i), b.Host(i), c.Host(i)
		require.Equal(t, ha, hb)
		require.Equal(t, a.Detections(&ha), b.Detections(&hb))
		if ha.OS != hc.OS || ha.ID != hc.ID {
			differs++
		}
	}
	assert.Greater(t, differs, 100, "another seed is another tenant")
	// Reading hosts in any order gives the same data: nothing depends on iteration state.
	h := a.Host(150)
	_ = a.Host(3)
	assert.Equal(t, h, a.Host(150))
}

func TestHostIDsAscendWithGaps(t *testing.T) {
	tn := NewTenant(TenantConfig{Seed: 4, Hosts: 2000})
	gaps, adjacent := 0, 0
	for i := 1; i < tn.HostCount(); i++ {
		prev, id := tn.HostID(i-1), tn.HostID(i)
		require.Greater(t, id, prev)
		if id-prev > 1 {
			gaps++
		} else {
			adjacent++
		}
		j, ok := tn.HostIndex(id)
		require.True(t, ok)
		require.Equal(t, i, j)
		_, ok = tn.HostIndex(id - 1)
		require.Equal(t, id-1 == prev, ok)
		// The id_min cursor: the first host at or after any id.
		require.Equal(t, i, tn.hostIndexAtOrAfter(prev+1))
	}
	assert.Greater(t, gaps, 1500)
	assert.Positive(t, adjacent, "some neighbours are consecutive, so ID_SET ranges occur")
	assert.Equal(t, 0, tn.hostIndexAtOrAfter(0))
	assert.Equal(t, tn.HostCount(), tn.hostIndexAtOrAfter(tn.HostID(tn.HostCount()-1)+1))
}

func TestTenantVariety(t *testing.T) {
	tn := NewTenant(TenantConfig{Seed: 1, Hosts: 400})
	seen := map[string]map[string]bool{}
	note := func(k, v string) {
		if seen[k] == nil {
			seen[k] = map[string]bool{}
		}
		seen[k][v] = true
	}
	old := 0
	for i := range tn.HostCount() {
		h := tn.Host(i)
		note("family", h.OSFamily)
		note("tracking", h.TrackingMethod)
		note("cloud", h.CloudProvider)
		note("ipv6", boolText(h.IPv6 != ""))
		note("interfaces", boolText(len(h.Interfaces) == 2))
		note("netbios", boolText(h.NetBIOS != ""))
		note("dns", boolText(h.DNS != ""))
		if tn.Config().BaseTime.Sub(h.Modified) > 90*24*time.Hour {
			old++
		}
		assert.False(t, h.Modified.After(tn.Config().BaseTime))
		assert.NotEmpty(t, h.SerialNumber)
		for _, nic := range h.Interfaces {
			assert.Regexp(t, `^([0-9a-f]{2}:){5}[0-9a-f]{2}$`, nic.MAC)
			assert.NotEmpty(t, nic.Gateway)
		}
		assert.True(t, h.TruRisk >= 0 && h.TruRisk <= 1000)
		assert.True(t, h.Criticality >= 1 && h.Criticality <= 5)
	}
	assert.Len(t, seen["family"], 4)
	assert.Len(t, seen["tracking"], 5, "IP, DNSNAME, NETBIOS, QAGENT, INSTANCE_ID")
	assert.Len(t, seen["cloud"], 4, "none, AWS, Azure, GCP")
	for _, k := range []string{"ipv6", "interfaces", "netbios", "dns"} {
		assert.Len(t, seen[k], 2, k)
	}
	assert.Greater(t, old, 20, "some hosts were last modified more than 90 days ago")
	assert.Less(t, old, 120)
}

func boolText(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func TestDetectionsAreConsistent(t *testing.T) {
	tn := NewTenant(TenantConfig{Seed: 2, Hosts: 300, DetectionsPerHost: 6, QIDs: 150})
	total := 0
	byStatus, byType := map[string]int{}, map[string]int{}
	for i := range tn.HostCount() {
		h := tn.Host(i)
		dets := tn.Detections(&h)
		total += len(dets)
		qids := make([]uint64, len(dets))
		for k, d := range dets {
			qids[k] = d.QID
			byStatus[d.Status]++
			byType[d.Type]++
			v, ok := tn.Vuln(d.QID)
			require.True(t, ok)
			assert.Equal(t, v.Severity, d.Severity)
			assert.Equal(t, map[string]string{VulnTypeVulnerability: TypeConfirmed, VulnTypePotential: TypePotential,
				VulnTypeIG: TypeInfo}[v.VulnType], d.Type)
			assert.Equal(t, v.Kernel, d.AffectRunningKernel >= 0)
			assert.False(t, d.LastFound.Before(d.FirstFound), "first found <= last found")
			assert.False(t, d.LastFound.After(d.LastTest))
			assert.Equal(t, d.Status == StatusFixed || !d.LastFixed.IsZero(), !d.LastFixed.IsZero())
			assert.Equal(t, h.VMProcessed, d.LastProcessed)
			if d.Status == StatusReopened {
				assert.False(t, d.LastReopened.IsZero())
				assert.Positive(t, d.TimesReopened)
			}
		}
		assert.True(t, slices.IsSorted(qids))
		assert.Len(t, slices.Compact(qids), len(dets), "a QID appears once per host")
	}
	avg := float64(total) / float64(tn.HostCount())
	assert.InDelta(t, 6, avg, 1)
	assert.Len(t, byStatus, 4)
	assert.Len(t, byType, 3)
}

func TestResultsShapes(t *testing.T) {
	tn := NewTenant(TenantConfig{Seed: 8, Hosts: 300, ResultsBytes: 300})
	var multiline, needsCDATA, entities, cdataEnd int
	for i := range tn.HostCount() {
		h := tn.Host(i)
		for _, d := range tn.Detections(&h) {
			r := tn.Results(&d)
			assert.Less(t, len(r), 600)
			multiline += count(r, "\n")
			needsCDATA += count(r, "<html>")
			entities += count(r, "&gt;&gt;HEADER")
			cdataEnd += count(r, "]]>")
		}
	}
	for name, n := range map[string]int{"multi-line": multiline, "raw markup": needsCDATA, "entities": entities, "]]>": cdataEnd} {
		assert.Positive(t, n, name)
	}
}

func count(s, sub string) int {
	n := 0
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			n++
		}
	}
	return n
}

func TestKnowledgeBase(t *testing.T) {
	tn := NewTenant(TenantConfig{Seed: 6, QIDs: 300})
	var qids []uint64
	tn.EachQID(func(q uint64) bool { qids = append(qids, q); return true })
	require.Len(t, qids, 300)
	assert.True(t, slices.IsSorted(qids))
	cves, types := 0, map[string]bool{}
	for _, q := range qids {
		v, ok := tn.Vuln(q)
		require.True(t, ok)
		assert.LessOrEqual(t, len(v.CVEs), 3)
		cves += len(v.CVEs)
		types[v.VulnType] = true
		assert.NotEmpty(t, v.Title)
		assert.False(t, v.Modified.Before(v.Published))
		assert.True(t, v.CVSS3Base >= 1 && v.CVSS3Base <= 10)
	}
	assert.Positive(t, cves)
	assert.Len(t, types, 3)
	_, ok := tn.Vuln(qids[0] + 1)
	assert.Equal(t, tn.HasQID(qids[0]+1), ok)
}

func TestMutations(t *testing.T) {
	tn := NewTenant(TenantConfig{Seed: 12, Hosts: 20, DetectionsPerHost: 6})
	at := tn.Config().BaseTime.Add(time.Hour)
	h := tn.Host(4)
	dets := tn.Detections(&h)
	require.NotEmpty(t, dets)
	d := dets[0]

	require.NoError(t, tn.SetDetectionStatus(h.ID, d.QID, StatusFixed, at))
	h2 := tn.Host(4)
	got := tn.Detections(&h2)[0]
	assert.Equal(t, StatusFixed, got.Status)
	assert.Equal(t, at, got.LastFixed)
	assert.Equal(t, at, got.LastUpdate)
	assert.Equal(t, at, h2.VMProcessed, "a status change touches the host")
	assert.Equal(t, at, got.LastProcessed)

	require.NoError(t, tn.SetDetectionStatus(h.ID, d.QID, StatusReopened, at.Add(time.Hour)))
	got = tn.Detections(&h2)[0]
	assert.Equal(t, StatusReopened, got.Status)
	assert.Equal(t, at.Add(time.Hour), got.LastReopened)

	assert.Error(t, tn.SetDetectionStatus(h.ID, d.QID, "Open", at))
	assert.Error(t, tn.SetDetectionStatus(h.ID+1, d.QID, StatusFixed, at))

	// A new KB entry and a detection of it.
	require.NoError(t, tn.AddKBEntry(999_001, at))
	assert.Error(t, tn.AddKBEntry(999_001, at))
	v, ok := tn.Vuln(999_001)
	require.True(t, ok)
	assert.Equal(t, at, v.Published)
	var last uint64
	tn.EachQID(func(q uint64) bool { last = q; return true })
	assert.Equal(t, uint64(999_001), last)
	require.NoError(t, tn.AddDetection(h.ID, 999_001, at))
	assert.Error(t, tn.AddDetection(h.ID, 999_001, at))
	all := tn.Detections(&h2)
	assert.Equal(t, uint64(999_001), all[len(all)-1].QID)
	assert.Equal(t, StatusNew, all[len(all)-1].Status)
	assert.Equal(t, at, all[len(all)-1].FirstFound)

	require.NoError(t, tn.ModifyKB(d.QID, at))
	v, _ = tn.Vuln(d.QID)
	assert.Equal(t, at, v.Modified)

	later := at.Add(48 * time.Hour)
	require.NoError(t, tn.TouchHost(tn.HostID(7), later))
	h7 := tn.Host(7)
	assert.Equal(t, later, h7.VMProcessed)
	assert.Equal(t, later, h7.Modified)
	after := tn.Counts(Query{VMProcessedAfter: at.Add(time.Minute), Statuses: allStatuses, ShowIGs: true,
		IncludeIgnored: true, IncludeDisabled: true})
	assert.Equal(t, 2, after.Hosts, "hosts 4 and 7 were processed after the base time")

	p := tn.Policies()[0]
	var member Host
	for i := range tn.HostCount() {
		if tn.InPolicy(0, i) {
			member = tn.Host(i)
			break
		}
	}
	ctl := p.Controls[2]
	before := tn.Posture(0, &member, 2)
	target := PostureStatusFailed
	if before.Status == PostureStatusFailed {
		target = PostureStatusPassed
	}
	require.NoError(t, tn.SetPostureStatus(p.ID, member.ID, ctl.ID, target, at))
	ps := tn.Posture(0, &member, 2)
	assert.Equal(t, target, ps.Status)
	assert.Equal(t, before.Status, ps.PreviousStatus)
	assert.Equal(t, at, ps.Modified)
	assert.Error(t, tn.SetPostureStatus(p.ID, member.ID, 1, target, at))

	tn.ResetMutations()
	assert.Equal(t, h, tn.Host(4))
	assert.Equal(t, dets, tn.Detections(&h))
}

func TestPostures(t *testing.T) {
	tn := NewTenant(TenantConfig{Seed: 3, Hosts: 40, Policies: 4, ControlsPerPolicy: 6, HostsPerPolicy: 10})
	ids := map[uint64]bool{}
	for k, p := range tn.Policies() {
		members := 0
		for i := range tn.HostCount() {
			if !tn.InPolicy(k, i) {
				continue
			}
			members++
			h := tn.Host(i)
			assert.False(t, h.LastPCScanned.IsZero())
			for j := range p.Controls {
				ps := tn.Posture(k, &h, j)
				assert.False(t, ids[ps.ID], "posture ids are unique")
				ids[ps.ID] = true
				assert.Contains(t, allPostureStatuses, ps.Status)
				assert.False(t, ps.Modified.After(ps.LastEvaluated))
				if ps.Status == PostureStatusFailed {
					assert.Equal(t, ps.LastEvaluated, ps.LastFailDate)
				}
			}
		}
		assert.Equal(t, 10, members)
	}
	c := tn.Counts(Query{})
	assert.Equal(t, 4*10*6, c.Postures)
	assert.Len(t, c.PosturesByStatus, 3)
}
