// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"slices"
	"sync"
	"time"
)

// overrides holds the mutations tests make. Readers take the read lock once per host (or per
// KnowledgeBase entry) and get inner maps and slices that writers never modify in place (they
// copy on write), so a page of thousands of detections costs one lock round trip per host.
type overrides struct {
	mu         sync.RWMutex
	hosts      map[uint64]time.Time
	dets       map[uint64]map[uint64]detOverride
	added      map[uint64][]uint64
	kbAdded    map[uint64]time.Time
	kbSorted   []uint64
	kbModified map[uint64]time.Time
	postures   map[postureKey]postureOverride
	// removed holds the hosts RemoveHost took out; joined counts the later hosts AddHost brought
	// in, and joinedAt says when each did.
	removed  map[uint64]bool
	joined   int
	joinedAt map[uint64]time.Time
}

type detOverride struct {
	added   bool
	addedAt time.Time
	status  string // empty: only added
	at      time.Time
}

type postureKey struct{ policy, host, control uint64 }

type postureOverride struct {
	status string
	at     time.Time
}

func (o *overrides) init() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.hosts = map[uint64]time.Time{}
	o.dets = map[uint64]map[uint64]detOverride{}
	o.added = map[uint64][]uint64{}
	o.kbAdded = map[uint64]time.Time{}
	o.kbSorted = nil
	o.kbModified = map[uint64]time.Time{}
	o.postures = map[postureKey]postureOverride{}
	o.removed = map[uint64]bool{}
	o.joined = 0
	o.joinedAt = map[uint64]time.Time{}
}

// absent reports whether host id is out of the tenant: removed, or the later host number later
// (0 for the first; negative for a host there from the start) that has not joined yet.
func (o *overrides) absent(id uint64, later int) bool {
	o.mu.RLock()
	defer o.mu.RUnlock()
	return o.removed[id] || later >= o.joined
}

func (o *overrides) hostJoined(id uint64) (time.Time, bool) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	at, ok := o.joinedAt[id]
	return at, ok
}

func (o *overrides) hostProcessed(id uint64) (time.Time, bool) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	at, ok := o.hosts[id]
	return at, ok
}

func (o *overrides) hostDetections(id uint64) map[uint64]detOverride {
	o.mu.RLock()
	defer o.mu.RUnlock()
	return o.dets[id]
}

func (o *overrides) addedQIDs(id uint64) []uint64 {
	o.mu.RLock()
	defer o.mu.RUnlock()
	return o.added[id]
}

func (o *overrides) kbAddedAt(qid uint64) (time.Time, bool) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	at, ok := o.kbAdded[qid]
	return at, ok
}

func (o *overrides) kbAddedSorted() []uint64 {
	o.mu.RLock()
	defer o.mu.RUnlock()
	return o.kbSorted
}

func (o *overrides) kbAddedCount() int {
	o.mu.RLock()
	defer o.mu.RUnlock()
	return len(o.kbSorted)
}

func (o *overrides) kbModifiedAt(qid uint64) (time.Time, bool) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	at, ok := o.kbModified[qid]
	return at, ok
}

func (o *overrides) posture(k postureKey) (postureOverride, bool) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	p, ok := o.postures[k]
	return p, ok
}

// touchLocked moves a host's processed time forward to at (never backwards).
func (o *overrides) touchLocked(id uint64, at time.Time) {
	if prev, ok := o.hosts[id]; !ok || at.After(prev) {
		o.hosts[id] = at
	}
}

// setDetLocked replaces a host's detection override map with a copy holding the new value.
func (o *overrides) setDetLocked(hostID, qid uint64, v detOverride) {
	m := make(map[uint64]detOverride, len(o.dets[hostID])+1)
	for k, x := range o.dets[hostID] {
		m[k] = x
	}
	m[qid] = v
	o.dets[hostID] = m
}

func (o *overrides) addQIDLocked(hostID, qid uint64) {
	s := append(slices.Clone(o.added[hostID]), qid)
	slices.Sort(s)
	o.added[hostID] = s
}

// apply turns a generated detection into its mutated state. An added detection starts as New at
// the time it was added; a status change then moves the dates that change with that status.
func (o detOverride) apply(d *Detection, h *Host) {
	if o.added {
		d.Status, d.TimesFound, d.TimesReopened = StatusNew, 1, 0
		d.FirstFound, d.LastFound, d.LastTest, d.LastUpdate = o.addedAt, o.addedAt, o.addedAt, o.addedAt
		d.LastFixed, d.FirstReopened, d.LastReopened = time.Time{}, time.Time{}, time.Time{}
	}
	d.LastProcessed = h.VMProcessed
	if o.status == "" {
		return
	}
	at := o.at
	d.Status, d.LastUpdate, d.LastTest = o.status, at, at
	switch o.status {
	case StatusFixed:
		d.LastFixed = at
	case StatusReopened:
		if d.FirstReopened.IsZero() {
			d.FirstReopened = at
		}
		d.LastReopened, d.LastFound = at, at
		d.TimesReopened++
		d.TimesFound++
	default:
		d.LastFound = at
		d.TimesFound++
	}
}

func (o postureOverride) apply(p *Posture) {
	if o.status != p.Status {
		p.PreviousStatus, p.Status, p.Modified = p.Status, o.status, o.at
	}
	p.LastEvaluated = o.at
	switch o.status {
	case PostureStatusPassed:
		p.LastPassDate = o.at
		if p.FirstPassDate.IsZero() {
			p.FirstPassDate = o.at
		}
		p.Missing, p.Unexpected = nil, nil
	case PostureStatusFailed:
		p.LastFailDate = o.at
		if p.FirstFailDate.IsZero() {
			p.FirstFailDate = o.at
		}
		if len(p.Missing) == 0 {
			p.Missing, p.Unexpected = []string{"expected value"}, []string{"current value"}
		}
	}
}
