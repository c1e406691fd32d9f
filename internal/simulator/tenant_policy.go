// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"fmt"
	"time"
)

// Posture STATUS values.
const (
	PostureStatusPassed = "Passed"
	PostureStatusFailed = "Failed"
	PostureStatusError  = "Error"
)

// Policy is one compliance policy and its controls.
type Policy struct {
	Index         int
	ID            uint64
	Title         string
	CreatedBy     string
	ModifiedBy    string
	Created       time.Time
	Modified      time.Time
	LastEvaluated time.Time
	Status        string // active or inactive
	Locked        bool
	Controls      []Control
}

// Control is one control of a policy. A control ID appears in two neighbouring policies (as real
// policies share controls) and is the same control in both.
type Control struct {
	ID          uint64
	Statement   string
	Rationale   string
	Remediation string
	Criticality Criticality
}

// Criticality is a control's criticality label and value (MINIMAL 1 ... URGENT 5).
type Criticality struct {
	Label string
	Value int
}

// Posture is the compliance state of one control of one policy on one host.
type Posture struct {
	ID             uint64
	PolicyID       uint64
	HostID         uint64
	ControlID      uint64
	TechnologyID   uint64
	TechnologyName string
	Instance       string
	Status         string // Passed, Failed, Error
	PreviousStatus string // empty on the first evaluation
	FirstFailDate  time.Time
	LastFailDate   time.Time
	FirstPassDate  time.Time
	LastPassDate   time.Time
	Modified       time.Time // postureModifiedDate: when the status last changed
	LastEvaluated  time.Time
	Created        time.Time
	Expected       []string // evidence
	Current        []string
	Missing        []string // causeOfFailure, Failed only
	Unexpected     []string
}

func (t *Tenant) makePolicies() []Policy {
	out := make([]Policy, t.cfg.Policies)
	c := t.cfg.ControlsPerPolicy
	for k := range out {
		r := newRNG(t.seed, kindPolicy, uint64(k), 0)
		p := Policy{Index: k, ID: 1_000_000 + mix64(t.seed+6)%1000*1000 + uint64(k)*7 + r.next()%7,
			Title: policyTitles[k%len(policyTitles)], CreatedBy: "qualys_admin", ModifiedBy: "pc_manager",
			Status: "active", Locked: r.chance(20)}
		if k >= len(policyTitles) {
			p.Title = fmt.Sprintf("%s (copy %d)", p.Title, k/len(policyTitles))
		}
		if r.chance(20) {
			p.Status = "inactive"
		}
		p.Created = t.ago(r.between(400, 2000) * day)
		p.Modified = p.Created.Add(time.Duration(r.between(1, 300)*day) * time.Second)
		p.LastEvaluated = t.ago(r.between(0, 2*day))
		for j := range c {
			p.Controls = append(p.Controls, t.control(k*(c/2)+j))
		}
		out[k] = p
	}
	return out
}

func (t *Tenant) control(ci int) Control {
	r := newRNG(t.seed, kindControl, uint64(ci), 0)
	crit := criticalities[r.weighted([]int{10, 25, 35, 20, 10})]
	stmt := controlStatements[ci%len(controlStatements)]
	return Control{
		ID:          1000 + uint64(ci)*3 + hash3(t.seed, kindControlID, uint64(ci), 0)%3,
		Statement:   stmt,
		Rationale:   "Configuring this setting reduces the attack surface & limits what an attacker can do after a <compromise>.",
		Remediation: fmt.Sprintf("Set the value as the policy requires (reference %d).", ci),
		Criticality: Criticality{crit.label, crit.value},
	}
}

// Policies returns the tenant's policies with their controls.
func (t *Tenant) Policies() []Policy { return append([]Policy(nil), t.policies...) }

// PolicyByID returns a policy.
func (t *Tenant) PolicyByID(id uint64) (*Policy, bool) {
	for k := range t.policies {
		if t.policies[k].ID == id {
			return &t.policies[k], true
		}
	}
	return nil, false
}

// InPolicy reports whether host i is assessed by policy k: each policy covers a window of
// HostsPerPolicy consecutive hosts, windows of different policies shifted against each other.
func (t *Tenant) InPolicy(k, i int) bool {
	return (i+k*t.policyOffset)%t.cfg.Hosts < t.cfg.HostsPerPolicy
}

func (t *Tenant) inAnyPolicy(i int) bool {
	for k := range t.policies {
		if t.InPolicy(k, i) {
			return true
		}
	}
	return false
}

// postureID numbers postures in (policy, host, control) order, so classic posture paging by
// id_min walks hosts in ascending order within a policy.
func (t *Tenant) postureID(k, i, j int) uint64 {
	return postureIDBase + (uint64(k)*uint64(t.cfg.Hosts)+uint64(i))*uint64(t.cfg.ControlsPerPolicy) + uint64(j)
}

// Posture returns the posture of control j of policy k on host h, with mutations applied.
func (t *Tenant) Posture(k int, h *Host, j int) Posture {
	p := &t.policies[k]
	ctl := p.Controls[j]
	id := t.postureID(k, h.Index, j)
	r := newRNG(t.seed, kindPosture, id, 0)
	ps := Posture{ID: id, PolicyID: p.ID, HostID: h.ID, ControlID: ctl.ID, TechnologyID: h.TechnologyID,
		TechnologyName: h.TechnologyName, Instance: "os"}
	ps.Status = []string{PostureStatusPassed, PostureStatusFailed, PostureStatusError}[r.weighted([]int{62, 33, 5})]
	ps.PreviousStatus = []string{"", PostureStatusPassed, PostureStatusFailed}[r.weighted([]int{20, 45, 35})]
	ps.LastEvaluated = h.LastPCScanned
	if ps.LastEvaluated.IsZero() {
		ps.LastEvaluated = p.LastEvaluated
	}
	ps.Created = ps.LastEvaluated.Add(-time.Duration(r.between(30, 700)*day) * time.Second)
	ps.Modified = ps.Created.Add(time.Duration(r.int63n(int64(ps.LastEvaluated.Sub(ps.Created)/time.Second))) * time.Second)
	ps.setDates(ps.Modified, ps.Created)
	want := r.between(8, 24)
	ps.Expected = []string{fmt.Sprintf("Setting value: %d or more", want)}
	switch ps.Status {
	case PostureStatusFailed:
		ps.Current = []string{fmt.Sprintf("Setting value: %d", want-r.between(1, 7))}
		ps.Missing, ps.Unexpected = []string{fmt.Sprintf("%d", want)}, []string{fmt.Sprintf("%d", want-1)}
	case PostureStatusPassed:
		ps.Current = []string{fmt.Sprintf("Setting value: %d", want+r.intn(4))}
	default:
		ps.Current = []string{"Error: the setting could not be read (access denied)"}
	}
	if at, ok := t.ov.hostJoined(h.ID); ok { // first evaluated when the host joined
		ps.PreviousStatus, ps.Created, ps.Modified = "", at, at
		ps.FirstPassDate, ps.LastPassDate, ps.FirstFailDate, ps.LastFailDate = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		ps.setDates(at, at)
	}
	if o, ok := t.ov.posture(postureKey{p.ID, h.ID, ctl.ID}); ok {
		o.apply(&ps)
	}
	return ps
}

// setDates fills first/last pass/fail dates consistently with Status, PreviousStatus and the
// time the status last changed.
func (p *Posture) setDates(changed, created time.Time) {
	switch p.Status {
	case PostureStatusPassed:
		p.LastPassDate = p.LastEvaluated
		if p.FirstPassDate.IsZero() {
			p.FirstPassDate = changed
		}
		if p.PreviousStatus == PostureStatusFailed && p.LastFailDate.IsZero() {
			p.FirstFailDate, p.LastFailDate = created, changed.Add(-time.Hour)
		}
	case PostureStatusFailed:
		p.LastFailDate = p.LastEvaluated
		if p.FirstFailDate.IsZero() {
			p.FirstFailDate = changed
		}
		if p.PreviousStatus == PostureStatusPassed && p.LastPassDate.IsZero() {
			p.FirstPassDate, p.LastPassDate = created, changed.Add(-time.Hour)
		}
	}
}

func (r *rng) int63n(n int64) int64 {
	if n <= 0 {
		return 0
	}
	return int64(r.next() % uint64(n))
}
