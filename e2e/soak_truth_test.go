// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

//go:build unix

package e2e

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/seed-d80aa3af/qualysreceiver/internal/simulator"
)

// soakHistory is what the tenant showed over the soak: every version of every record (soakKey),
// with the simulated time it could first and last be read.
type soakHistory struct {
	spans map[string][]span // key -> its spans, the last one open while the version lasts
	open  map[string]string // key -> stream, of the versions the tenant shows now
	// pageRecords is the most records one page of each stream held at any time.
	pageRecords map[string]int
	// hostOf is the host of each key's record.
	hostOf map[string]int64
}

type span struct {
	stream   string
	from, to time.Time // to is zero while the version lasts
}

func newSoakHistory() *soakHistory {
	return &soakHistory{spans: map[string][]span{}, open: map[string]string{}, pageRecords: map[string]int{}, hostOf: map[string]int64{}}
}

// observe records the tenant as it is after a change made between before and after: versions it
// shows for the first time begin after it, versions gone ended before it. Both bounds lean the way
// that never asks the receiver for a version it could not have read.
func (h *soakHistory) observe(tenant *simulator.Tenant, pageSize int, before, after time.Time) {
	now := soakRecords(tenant, pageSize, h.pageRecords, h.hostOf)
	for key, stream := range now {
		if _, ok := h.open[key]; !ok {
			h.spans[key] = append(h.spans[key], span{stream: stream, from: after})
		}
	}
	for key := range h.open {
		if _, ok := now[key]; !ok {
			s := h.spans[key]
			s[len(s)-1].to = before
		}
	}
	h.open = now
}

// soakRecords is every record the tenant shows now, by key, with its stream: each present host's
// asset, its detections of every status, and its postures. It raises pageRecords to the largest
// page each stream could have now, and notes each key's host in hostOf.
func soakRecords(tenant *simulator.Tenant, pageSize int, pageRecords map[string]int, hostOf map[string]int64) map[string]string {
	out := map[string]string{}
	var perHost []int
	perPolicy := map[uint64]int{}
	tenant.EachHost(simulator.Query{Statuses: allStatuses}, func(h *simulator.Host, dets []simulator.Detection, ps []simulator.Posture) bool {
		host := int64(h.ID)
		add := func(key, stream string) { out[key], hostOf[key] = stream, host }
		add(assetKey(host, rfc3339(h.Modified)), streamAssets)
		for _, d := range dets {
			add(detectionKey(host, int64(d.QID), int64(d.UniqueVulnID), d.Status, rfc3339(d.LastUpdate)), streamVulnerabilities)
		}
		for _, p := range ps {
			add(postureKey(int64(p.ID), p.Status, rfc3339(p.Modified)), streamCompliance)
			perPolicy[p.PolicyID]++
		}
		perHost = append(perHost, len(dets))
		return true
	})
	// A Host List Detection page is pageSize consecutive hosts; a posture page (postureInfo of up
	// to 1,000 hosts) is a whole policy here.
	for i := range perHost {
		n := 0
		for _, c := range perHost[i:min(i+pageSize, len(perHost))] {
			n += c
		}
		pageRecords[streamVulnerabilities] = max(pageRecords[streamVulnerabilities], n)
	}
	pageRecords[streamAssets] = pageSize
	for _, n := range perPolicy {
		pageRecords[streamCompliance] = max(pageRecords[streamCompliance], n)
	}
	return out
}

// rfc3339 writes a date as the receiver does on a record; a zero date is no attribute at all.
func rfc3339(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}

// soakChanges makes the Qualys-side changes between polls: detections fixed, re-opened and newly
// found, postures changing status, hosts scanned, joining and leaving.
type soakChanges struct {
	tenant *simulator.Tenant
	rnd    *rand.Rand
	done   map[string]int // by kind of change
}

var soakChangeKinds = []struct {
	name   string
	weight int
}{{"detection fixed", 28}, {"detection re-opened", 18}, {"detection found", 14}, {"posture changed", 22},
	{"host scanned", 6}, {"host joined", 6}, {"host removed", 6}}

// change makes one change of a kind drawn at random, dated at, and returns its kind; a kind the
// tenant offers nothing for (no fixed detection to re-open) is drawn again.
func (c *soakChanges) change(at time.Time) (string, error) {
	total := 0
	for _, k := range soakChangeKinds {
		total += k.weight
	}
	for range 20 {
		n := c.rnd.IntN(total)
		for _, k := range soakChangeKinds {
			if n -= k.weight; n < 0 {
				ok, err := c.apply(k.name, at)
				if err != nil || ok {
					if ok {
						c.done[k.name]++
					}
					return k.name, err
				}
				break
			}
		}
	}
	return "", nil
}

func (c *soakChanges) apply(kind string, at time.Time) (bool, error) {
	present := c.presentHosts()
	h := c.tenant.Host(present[c.rnd.IntN(len(present))])
	switch kind {
	case "detection fixed", "detection re-opened":
		from, to := []string{simulator.StatusNew, simulator.StatusActive, simulator.StatusReopened}, simulator.StatusFixed
		if kind == "detection re-opened" {
			from, to = []string{simulator.StatusFixed}, simulator.StatusReopened
		}
		var candidates []uint64
		for _, d := range c.tenant.Detections(&h) {
			if slices.Contains(from, d.Status) {
				candidates = append(candidates, d.QID)
			}
		}
		if len(candidates) == 0 {
			return false, nil
		}
		return true, c.tenant.SetDetectionStatus(h.ID, candidates[c.rnd.IntN(len(candidates))], to, at)
	case "detection found":
		other := c.tenant.Host(present[c.rnd.IntN(len(present))])
		has := map[uint64]bool{}
		for _, d := range c.tenant.Detections(&h) {
			has[d.QID] = true
		}
		for _, d := range c.tenant.Detections(&other) {
			if !has[d.QID] {
				return true, c.tenant.AddDetection(h.ID, d.QID, at)
			}
		}
		return false, nil
	case "posture changed":
		return c.changePosture(at)
	case "host scanned":
		return true, c.tenant.TouchHost(h.ID, at)
	case "host joined":
		_, err := c.tenant.AddHost(at)
		return err == nil, nil // every later host has joined: draw another change
	case "host removed":
		if len(present) <= c.tenant.HostCount()/2 {
			return false, nil
		}
		return true, c.tenant.RemoveHost(h.ID)
	}
	return false, fmt.Errorf("unknown change %q", kind)
}

func (c *soakChanges) changePosture(at time.Time) (bool, error) {
	policies := c.tenant.Policies()
	k := c.rnd.IntN(len(policies))
	var members []int
	for _, i := range c.presentHosts() {
		if c.tenant.InPolicy(k, i) {
			members = append(members, i)
		}
	}
	if len(members) == 0 {
		return false, nil
	}
	h := c.tenant.Host(members[c.rnd.IntN(len(members))])
	j := c.rnd.IntN(len(policies[k].Controls))
	statuses := []string{simulator.PostureStatusPassed, simulator.PostureStatusFailed, simulator.PostureStatusError}
	current := c.tenant.Posture(k, &h, j).Status
	statuses = slices.DeleteFunc(statuses, func(s string) bool { return s == current })
	return true, c.tenant.SetPostureStatus(policies[k].ID, h.ID, policies[k].Controls[j].ID, statuses[c.rnd.IntN(len(statuses))], at)
}

func (c *soakChanges) presentHosts() []int {
	var out []int
	for i := range c.tenant.HostCount() {
		if c.tenant.HostPresent(i) {
			out = append(out, i)
		}
	}
	return out
}
