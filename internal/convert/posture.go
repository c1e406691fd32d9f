// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package convert // import "github.com/seed-d80aa3af/qualysreceiver/internal/convert"

import (
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/seed-d80aa3af/qualysreceiver/internal/decode"
)

// HostFromPCRS is the identity of a host as a PCRS posture record describes it. PCRS gives no IPv6
// address and no cloud fields, so for a host that has them host.ip and cloud.* are shorter than in
// the vulnerabilities stream; qualys.host.id, qualys.asset.id, host.name and os.* are the same.
// netBios comes only from PCRS 5.0 on.
func HostFromPCRS(p *decode.Posture) HostIdentity {
	return HostIdentity{
		HostID:  p.HostID,
		AssetID: p.AssetID,
		DNS:     p.DNS,
		NetBIOS: p.NetBIOS,
		IPv4:    p.IP,
		OS:      p.OS,
	}
}

// HostFromGlossary is the identity of a host as the classic posture glossary describes it: no
// asset id, IPv6 address or cloud fields.
func HostFromGlossary(h *decode.GlossaryHost) HostIdentity {
	return HostIdentity{HostID: h.ID, DNS: h.DNS, NetBIOS: h.NetBIOS, IPv4: h.IP, OS: h.OS}
}

// ClassicPosture is what a classic posture INFO record and the glossary entries it refers to say,
// in the shape of a PCRS record, so both APIs are converted by Posture. Evidence stays out: the
// classic API flattens it into text lines, which ClassicEvidence writes.
func ClassicPosture(info *decode.PostureInfo, ctl *decode.Control, tech *decode.Technology, policyTitle string) decode.Posture {
	p := decode.Posture{
		ID:                  info.ID,
		Instance:            info.Instance,
		PolicyID:            info.PolicyID,
		PolicyTitle:         policyTitle,
		ControlID:           info.ControlID,
		TechnologyID:        info.TechnologyID,
		Status:              info.Status,
		PreviousStatus:      info.PreviousStatus,
		Criticality:         info.Criticality,
		FirstFailDate:       info.FirstFailDate,
		LastFailDate:        info.LastFailDate,
		FirstPassDate:       info.FirstPassDate,
		LastPassDate:        info.LastPassDate,
		PostureModifiedDate: info.PostureModifiedDate,
		LastEvaluatedDate:   info.LastEvaluatedDate,
		HostID:              info.HostID,
	}
	if ctl != nil {
		p.ControlStatement = ctl.Statement
		if p.Criticality == (decode.Criticality{}) {
			p.Criticality = ctl.Criticality
		}
	}
	if tech != nil {
		p.Technology = *tech
	}
	return p
}

// PostureTime is when a posture was last evaluated, else when its status last changed. A backend
// sorts postures by it; the poll time is the observed time.
func PostureTime(p *decode.Posture) time.Time {
	if !p.LastEvaluatedDate.IsZero() {
		return p.LastEvaluatedDate
	}
	return p.PostureModifiedDate
}

// Posture writes one posture into lr. Fields Qualys left empty are left out. Evidence (expected and
// current values, kept as the JSON text PCRS sends) is written only when evidence is true; the
// cause of failure whenever Qualys sent one, which it does only when evidence was asked for.
func Posture(lr plog.LogRecord, p *decode.Posture, observed time.Time, evidence bool) {
	lr.SetEventName(EventPosture)
	lr.SetObservedTimestamp(pcommon.NewTimestampFromTime(observed))
	if t := PostureTime(p); !t.IsZero() {
		lr.SetTimestamp(pcommon.NewTimestampFromTime(t))
	}
	num, text := PostureSeverity(p.Status, p.Criticality.Value)
	lr.SetSeverityNumber(num)
	lr.SetSeverityText(text)

	a := lr.Attributes()
	a.EnsureCapacity(24)
	a.PutInt(AttrPostureID, p.ID)
	if p.PolicyID != 0 {
		a.PutInt(AttrPolicyID, p.PolicyID)
	}
	putStr(a, AttrPolicyTitle, p.PolicyTitle)
	if p.ControlID != 0 {
		a.PutInt(AttrControlID, p.ControlID)
	}
	putStr(a, AttrControlStatement, p.ControlStatement)
	putStr(a, AttrControlCriticality, p.Criticality.Label)
	if p.Criticality.Value > 0 || p.Criticality.Label != "" {
		a.PutInt(AttrControlCriticalityVal, int64(p.Criticality.Value))
	}
	putStr(a, AttrPostureRationale, p.Rationale)
	putStr(a, AttrPostureRemediation, p.Remediation)
	techID := p.TechnologyID
	if techID == 0 {
		techID = p.Technology.ID
	}
	if techID != 0 {
		a.PutInt(AttrTechnologyID, techID)
	}
	putStr(a, AttrTechnologyName, p.Technology.Name)
	putStr(a, AttrPostureInstance, p.Instance)
	putStr(a, AttrPostureStatus, p.Status)
	putStr(a, AttrPosturePrevious, p.PreviousStatus)
	putTime(a, AttrPostureFirstPass, p.FirstPassDate)
	putTime(a, AttrPostureLastPass, p.LastPassDate)
	putTime(a, AttrPostureFirstFail, p.FirstFailDate)
	putTime(a, AttrPostureLastFail, p.LastFailDate)
	putTime(a, AttrPostureEvaluated, p.LastEvaluatedDate)
	putTime(a, AttrPostureModified, p.PostureModifiedDate)
	putTime(a, AttrPostureCreated, p.Created)
	if evidence && len(p.Evidence) > 0 {
		a.PutStr(AttrPostureEvidence, string(p.Evidence))
	}
	if len(p.CauseOfFailure) > 0 {
		a.PutStr(AttrPostureCauseOfFailure, string(p.CauseOfFailure))
	}
}

// ClassicEvidence adds a classic posture's flattened evidence ("PATH: value" lines) to a record
// written by Posture, and its cause of failure.
func ClassicEvidence(lr plog.LogRecord, info *decode.PostureInfo, evidence bool) {
	a := lr.Attributes()
	if evidence {
		putStr(a, AttrPostureEvidence, info.Evidence)
	}
	putStr(a, AttrPostureCauseOfFailure, info.CauseOfFailure)
}
