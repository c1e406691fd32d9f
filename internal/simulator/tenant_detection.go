// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"slices"
	"time"
)

// Detection TYPE and STATUS values as Qualys spells them.
const (
	TypeConfirmed = "Confirmed"
	TypePotential = "Potential"
	TypeInfo      = "Info"

	StatusNew      = "New"
	StatusActive   = "Active"
	StatusReopened = "Re-Opened"
	StatusFixed    = "Fixed"
)

// Detection is one QID found on one host.
type Detection struct {
	HostID        uint64
	QID           uint64
	UniqueVulnID  uint64
	Type          string // Confirmed, Potential, Info
	Severity      int
	Port          int // 0 when the detection has no port
	Protocol      string
	SSL           bool
	Status        string
	FirstFound    time.Time
	LastFound     time.Time
	LastTest      time.Time
	LastUpdate    time.Time
	LastProcessed time.Time
	LastFixed     time.Time // zero when never fixed
	FirstReopened time.Time // zero when never re-opened
	LastReopened  time.Time
	TimesReopened int
	TimesFound    int
	QDS           int // 1-100
	CVSS3         float64
	IsIgnored     bool
	IsDisabled    bool
	// AffectRunningKernel is -1 for QIDs that are not kernel-related (no AFFECT_RUNNING_KERNEL
	// element), else 0 or 1.
	AffectRunningKernel int
	HasResults          bool
	resultsSeed         uint64
}

// QDSSeverity is the severity attribute of QDS: LOW 1-39, MEDIUM 40-69, HIGH 70-89, CRITICAL 90-100.
func (d *Detection) QDSSeverity() string {
	switch {
	case d.QDS >= 90:
		return "CRITICAL"
	case d.QDS >= 70:
		return "HIGH"
	case d.QDS >= 40:
		return "MEDIUM"
	}
	return "LOW"
}

// Detections returns every detection of a host (all statuses and types, ascending QID), with
// mutations applied. Filters are the caller's business (see Query).
func (t *Tenant) Detections(h *Host) []Detection { return t.appendDetections(nil, h) }

// appendDetections appends h's detections to dst; the HLD writer reuses dst across hosts.
func (t *Tenant) appendDetections(dst []Detection, h *Host) []Detection {
	start := len(dst)
	for _, qid := range t.hostQIDs(h) {
		dst = append(dst, t.detection(h, qid))
	}
	dets := t.ov.hostDetections(h.ID)
	if dets == nil {
		return dst
	}
	for k := start; k < len(dst); k++ {
		if o, ok := dets[dst[k].QID]; ok {
			o.apply(&dst[k], h)
		}
	}
	return dst
}

// hostQIDs picks the host's QIDs: (start + j·stride) mod QIDs visits distinct pool entries, so no
// set is needed; added detections are merged in.
func (t *Tenant) hostQIDs(h *Host) []uint64 {
	r := newRNG(t.seed, kindDetSet, uint64(h.Index), 0)
	q := t.cfg.QIDs
	n := min(q, r.intn(2*t.cfg.DetectionsPerHost+1))
	added := t.ov.addedQIDs(h.ID)
	qids := make([]uint64, 0, n+len(added))
	start := r.intn(q)
	for j := range n {
		qids = append(qids, t.qidAt((start+j*t.detStride)%q))
	}
	for _, a := range added {
		if !slices.Contains(qids, a) {
			qids = append(qids, a)
		}
	}
	slices.Sort(qids)
	return qids
}

func (t *Tenant) detection(h *Host, qid uint64) Detection {
	c, _ := t.vulnCore(qid)
	r := newRNG(t.seed, kindDet, h.ID, qid)
	d := Detection{HostID: h.ID, QID: qid, UniqueVulnID: h.ID*uniqueVulnMult + qid, Type: detTypeNames[c.typ],
		Severity: c.severity, CVSS3: float64(c.cvss3) / 10, AffectRunningKernel: -1}
	if r.chance(75) {
		sp := servicePorts[r.intn(len(servicePorts))]
		d.Port, d.Protocol, d.SSL = sp.port, sp.proto, sp.ssl && r.chance(70)
	}
	d.Status = []string{StatusNew, StatusActive, StatusReopened, StatusFixed}[r.weighted([]int{15, 55, 5, 25})]
	t.detectionDates(&d, h, &r)
	d.QDS = min(100, max(1, c.severity*17+r.intn(20)))
	d.IsIgnored, d.IsDisabled = r.chance(2), r.chance(1)
	if c.kernel {
		d.AffectRunningKernel = r.intn(2)
	}
	d.HasResults, d.resultsSeed = r.chance(95), r.next()
	return d
}

// detectionDates keeps the dates consistent with the status: first found <= last found <= last
// test, LAST_FIXED_DATETIME on Fixed (and on some detections fixed once before), re-open dates on
// Re-Opened.
func (t *Tenant) detectionDates(d *Detection, h *Host, r *rng) {
	scanned := h.LastVMScanned
	days := func(lo, hi int) time.Duration { return time.Duration(r.between(lo*day, hi*day)) * time.Second }
	first := scanned.Add(-days(1, 500))
	if first.Before(h.FirstFound) {
		first = h.FirstFound
	}
	d.FirstFound, d.LastFound, d.LastTest, d.LastProcessed = first, scanned, scanned, h.VMProcessed
	d.TimesFound = r.between(2, 300)
	d.LastUpdate = minTime(first.Add(days(1, 30)), h.LastScan)
	switch d.Status {
	case StatusNew:
		d.FirstFound, d.TimesFound, d.LastUpdate = scanned, 1, h.LastScan
	case StatusReopened:
		d.LastFixed = first.Add(scanned.Sub(first) / 2)
		d.LastReopened, d.LastUpdate = scanned, h.LastScan
		d.FirstReopened, d.TimesReopened = d.LastReopened, r.between(1, 3)
		if d.TimesReopened > 1 {
			d.FirstReopened = d.LastFixed.Add(-days(1, 10))
		}
	case StatusFixed:
		d.LastFixed, d.LastUpdate = scanned, h.LastScan
		d.LastFound = maxTime(first, scanned.Add(-days(1, 30)))
	default:
		if r.chance(10) {
			d.LastFixed = first.Add(d.LastUpdate.Sub(first) / 3)
		}
	}
}

// Results returns the RESULTS text of a detection ("" when it has none).
func (t *Tenant) Results(d *Detection) string {
	if !d.HasResults {
		return ""
	}
	return string(t.appendResults(nil, d))
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
