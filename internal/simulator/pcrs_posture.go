// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"encoding/json"
	"net/http"
	"time"
)

// pcrsPostureQuery is what a postureInfo call asks for.
type pcrsPostureQuery struct {
	body          []postureRequest
	evidence      bool
	compress      bool
	v5            bool
	changedSince  time.Time
	evaluatedFrom time.Time
	scannedFrom   time.Time
	scannedTo     time.Time
}

// handlePCRSPostureInfo is POST /pcrs/{ver}/posture/postureInfo: ONE JSON array of posture
// objects, gzip-compressed unless compressionRequired=0 (no Content-Encoding header: the gzip
// bytes are the entity, as the vendor documents it), or 204 when nothing matches.
func (s *Server) handlePCRSPostureInfo(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if r.Method != http.MethodPost {
		gatewayError(w, http.StatusMethodNotAllowed, "Method Not Allowed", "Use POST")
		return
	}
	q, ok := parsePCRSPostureQuery(r)
	if !ok {
		invalidInputParameter(w)
		return
	}
	if err := json.Unmarshal([]byte(rc.rec.Body), &q.body); err != nil {
		pcrsParamError(w, s.now(), codeInvalidValue, "request body must be the Resolve Host IDs output: "+err.Error())
		return
	}
	q.v5 = versionAtLeast(rc.route.version, 5)
	if s.faultForHosts(w, r, rc, EndpointPCRSPostureInfo, func() func(uint64) bool { return s.pcrsPostureHosts(&q) }) {
		return
	}
	empty := rc.fault != nil && rc.fault.Kind == FaultEmpty
	if empty || !s.eachPCRSPosture(&q, nil, func(*Host, int, *Posture) bool { return false }) {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	contentType := contentTypeJSON
	if q.compress {
		contentType = contentTypeBinary
	}
	o := s.startBody(w, r, rc, http.StatusOK, contentType)
	defer o.finish()
	if q.compress {
		o.gzipBody()
	}
	o.raw("[")
	n := 0
	s.eachPCRSPosture(&q, o, func(h *Host, k int, ps *Posture) bool {
		if n++; n > 1 {
			o.raw(",")
		}
		o.record(true)
		s.writePCRSPosture(o, h, k, ps, &q)
		return true
	})
	o.raw("]")
}

// pcrsPostureHosts says which hosts a postureInfo answer would hold postures of, for the faults of
// a host.
func (s *Server) pcrsPostureHosts(q *pcrsPostureQuery) func(id uint64) bool {
	ids := map[uint64]bool{}
	s.eachPCRSPosture(q, nil, func(h *Host, _ int, _ *Posture) bool {
		ids[h.ID] = true
		return true
	})
	return func(id uint64) bool { return ids[id] }
}

func parsePCRSPostureQuery(r *http.Request) (pcrsPostureQuery, bool) {
	v := r.URL.Query()
	q := pcrsPostureQuery{compress: true}
	flag := func(name string, dst *bool) bool {
		switch v.Get(name) {
		case "":
			return true
		case "0":
			*dst = false
		case "1":
			*dst = true
		default:
			return false
		}
		return true
	}
	ok := flag("evidenceRequired", &q.evidence) && flag("compressionRequired", &q.compress)
	for _, d := range []struct {
		name string
		dst  *time.Time
	}{{"statusChangedSince", &q.changedSince}, {"lastEvaluationDate", &q.evaluatedFrom},
		{"lastScanDate", &q.scannedFrom}, {"lastScanDateFrom", &q.scannedFrom}, {"lastScanDateTo", &q.scannedTo}} {
		if v.Has(d.name) {
			t, good := pcrsDate(r, d.name)
			*d.dst, ok = t, ok && good
		}
	}
	return q, ok
}

// eachPCRSPosture visits the postures the body asks for, in body order (policy, then the host IDs
// as listed, then controls), and reports whether any was visited. visit returns false to stop.
func (s *Server) eachPCRSPosture(q *pcrsPostureQuery, o *out, visit func(*Host, int, *Posture) bool) bool {
	t := s.tenant
	var h Host
	any := false
	for _, req := range q.body {
		p, ok := t.PolicyByID(uint64(req.PolicyID))
		if !ok {
			continue
		}
		for _, hid := range req.HostIDs {
			i, ok := t.HostIndex(uint64(hid))
			if !ok || !t.InPolicy(p.Index, i) || o != nil && o.stopped() {
				continue
			}
			t.fillHost(&h, i)
			if !q.scannedFrom.IsZero() && h.LastPCScanned.Before(q.scannedFrom) ||
				!q.scannedTo.IsZero() && h.LastPCScanned.After(q.scannedTo) {
				continue
			}
			for j := range p.Controls {
				ps := t.Posture(p.Index, &h, j)
				if !q.changedSince.IsZero() && ps.Modified.Before(q.changedSince) ||
					!q.evaluatedFrom.IsZero() && ps.LastEvaluated.Before(q.evaluatedFrom) {
					continue
				}
				any = true
				if !visit(&h, p.Index, &ps) {
					return true
				}
			}
		}
	}
	return any
}

// writePCRSPosture writes one posture object with the v1/v2 fields Qualys documents; v5 adds
// policyTitle, netBios, controlStatement and rationale after the keys its sample opens with.
func (s *Server) writePCRSPosture(o *out, h *Host, k int, ps *Posture, q *pcrsPostureQuery) {
	t := s.tenant
	p := &t.policies[k]
	var ctl Control
	for _, c := range p.Controls {
		if c.ID == ps.ControlID {
			ctl = c
		}
	}
	obj := o.object()
	obj.num("id", ps.ID)
	obj.str("instance", ps.Instance)
	obj.num("policyId", ps.PolicyID)
	if q.v5 {
		obj.str("policyTitle", p.Title)
		obj.strOrNull("netBios", h.NetBIOS)
	}
	obj.num("controlId", ps.ControlID)
	if q.v5 {
		obj.str("controlStatement", ctl.Statement)
		obj.str("rationale", ctl.Rationale)
	}
	obj.num("technologyId", ps.TechnologyID)
	obj.str("status", ps.Status)
	obj.strOrNull("previousStatus", ps.PreviousStatus)
	obj.date("firstFailDate", ps.FirstFailDate)
	obj.date("lastFailDate", ps.LastFailDate)
	obj.date("firstPassDate", ps.FirstPassDate)
	obj.date("lastPassDate", ps.LastPassDate)
	obj.date("postureModifiedDate", ps.Modified)
	obj.date("lastEvaluatedDate", ps.LastEvaluated)
	obj.date("created", ps.Created)
	obj.num("hostId", h.ID)
	obj.str("ip", h.IP)
	obj.str("trackingMethod", h.TrackingMethod)
	obj.str("os", h.OS)
	obj.strOrNull("osCpe", h.OSCPE)
	obj.strOrNull("dns", h.DNS)
	obj.strOrNull("qgHostid", h.QGHostID)
	obj.int("networkId", 0)
	obj.str("networkName", "Global Default Network")
	obj.date("complianceLastScanDate", h.LastPCScanned)
	obj.str("customerUuid", t.customerUUID)
	obj.num("customerId", t.SubscriptionID())
	obj.num("assetId", h.AssetID)
	obj.key("technology")
	tech := o.object()
	tech.num("id", ps.TechnologyID)
	tech.str("name", ps.TechnologyName)
	tech.end()
	obj.key("criticality")
	crit := o.object()
	crit.str("label", ctl.Criticality.Label)
	crit.int("value", ctl.Criticality.Value)
	crit.end()
	if q.evidence {
		obj.key("evidence")
		ev := o.object()
		ev.strings("expectedValues", ps.Expected)
		ev.strings("currentValues", ps.Current)
		ev.end()
		if ps.Status == PostureStatusFailed {
			obj.key("causeOfFailure")
			cf := o.object()
			cf.strings("missing", ps.Missing)
			cf.strings("unexpected", ps.Unexpected)
			cf.end()
		}
	}
	obj.end()
}
