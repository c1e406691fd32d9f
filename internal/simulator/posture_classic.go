// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"net/http"
	"strconv"
)

// postureParams is every classic posture info parameter, plus id_min/id_max
// which its WARNING/URL paging uses.
var postureParams = []string{
	"action", "echo_request", "output_format", "policy_id", "policy_ids", "details", "control_ids",
	"truncation_limit", "ips", "host_ids", "status", "status_changes_since", "evaluation_date",
	"asset_group_ids", "criticality_labels", "criticality_values", "hide_evidence", "show_extended_evidence",
	"include_dp_name", "show_remediation_info", "cause_of_failure", "id_min", "id_max",
}

const (
	postureRoot              = "POSTURE_INFO_LIST_OUTPUT"
	defaultPostureTruncation = 5000
	maxPolicyIDs             = 10
)

type postureQuery struct {
	Query
	policies     []int // policy indexes
	limit        int   // hosts per page; 0: all
	details      string
	hideEvidence bool
}

func (s *Server) handlePostureClassic(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	p, e := readParams(r, postureParams)
	var q postureQuery
	if e == nil {
		q, e = s.parsePosture(p)
	}
	if e != nil {
		s.writeAPIError(w, r, e)
		return
	}
	if s.faultForHosts(w, r, rc, EndpointPosture, func() func(uint64) bool { return s.posturePageHosts(&q) }) {
		return
	}
	o := s.startBody(w, r, rc, http.StatusOK, contentTypeXML)
	defer o.finish()
	o.xmlProlog(postureRoot, baseURL(r)+"/api/"+rc.route.version+"/fo/compliance/posture/info/posture_info_list_output.dtd")
	o.open(0, postureRoot)
	o.open(1, "RESPONSE")
	o.date(2, "DATETIME", o.now)
	if o.fault == nil || o.fault.Kind != FaultEmpty {
		s.writePostures(o, r, &q)
	}
	o.close(1, "RESPONSE")
	o.close(0, postureRoot)
	o.xmlTrailer(o.now)
}

// parsePosture checks the policy parameters as Appendix D describes: one of policy_id and
// policy_ids is required (1903), not both (1904); policy_ids takes at most 10 IDs and no
// truncation_limit (1907); truncation_limit counts hosts (default 5000, 0: no limit).
func (s *Server) parsePosture(p params) (postureQuery, *apiError) {
	var q postureQuery
	switch {
	case !p.has("policy_id") && !p.has("policy_ids"):
		return q, &apiError{http.StatusBadRequest, codeMissingParam, "Missing required parameter(s): policy_id or policy_ids"}
	case p.has("policy_id") && p.has("policy_ids"):
		return q, &apiError{http.StatusBadRequest, codeExclusive, "Please specify only one of these parameters: policy_id, policy_ids"}
	case p.has("policy_ids") && p.has("truncation_limit"):
		return q, &apiError{http.StatusBadRequest, codeUnsupported, "The following combination of key=value pairs is not supported: policy_ids, truncation_limit"}
	}
	name := "policy_id"
	if p.has("policy_ids") {
		name = "policy_ids"
	}
	ids := p.list(name)
	if len(ids) == 0 || len(ids) > maxPolicyIDs || name == "policy_id" && len(ids) != 1 {
		return q, p.invalid(name)
	}
	for _, v := range ids {
		id, err := strconv.ParseUint(v, 10, 64)
		pol, ok := s.tenant.PolicyByID(id)
		if err != nil || !ok {
			return q, p.invalid(name)
		}
		q.policies = append(q.policies, pol.Index)
	}
	var e, err *apiError
	keep := func(x *apiError) {
		if e == nil {
			e = x
		}
	}
	q.limit, err = p.intIn("truncation_limit", defaultPostureTruncation, 0, maxTruncation)
	keep(err)
	if name == "policy_ids" {
		q.limit = 0
	}
	q.details, err = p.enum("details", "Basic", "Basic", "All", "None", "Light")
	keep(err)
	q.hideEvidence, err = p.bool01("hide_evidence", false)
	keep(err)
	q.IDs, err = p.ids("host_ids")
	keep(err)
	q.IDMin, err = p.uint("id_min")
	keep(err)
	q.IDMax, err = p.uint("id_max")
	keep(err)
	q.ControlIDs, err = p.ids("control_ids")
	keep(err)
	q.PostureStatuses, err = p.enumList("status", allPostureStatuses...)
	keep(err)
	q.PostureChangedSince, err = p.date("status_changes_since")
	keep(err)
	_, err = p.enum("output_format", "XML", "XML")
	keep(err)
	return q, e
}

// postureVisit walks the page's postures host by host (ascending host ID), policy by policy.
type postureVisit func(h *Host, k int, ps *Posture)

// eachPagePosture visits the postures of up to q.limit hosts that have at least one matching
// posture and returns the ID of the first host of the next page (0 when none). o, when not nil,
// stops the walk once its client is gone.
func (s *Server) eachPagePosture(o *out, q *postureQuery, visit postureVisit) uint64 {
	t := s.tenant
	cq := t.compile(&q.Query)
	var h Host
	var next uint64
	hosts := 0
	t.eachHostIndex(&q.Query, 0, func(i int) bool {
		if o != nil && o.stopped() {
			return false
		}
		t.fillHost(&h, i)
		matched := false
		for _, k := range q.policies {
			if !t.InPolicy(k, i) {
				continue
			}
			for j := range t.policies[k].Controls {
				ps := t.Posture(k, &h, j)
				if !cq.postureMatches(&ps) {
					continue
				}
				if !matched && q.limit > 0 && hosts == q.limit {
					next = h.ID
					return false
				}
				matched = true
				visit(&h, k, &ps)
			}
		}
		if matched {
			hosts++
		}
		return true
	})
	return next
}

// posturePageHosts says which hosts a classic posture page would list, for the faults of a host.
func (s *Server) posturePageHosts(q *postureQuery) func(id uint64) bool {
	ids := map[uint64]bool{}
	s.eachPagePosture(nil, q, func(h *Host, _ int, _ *Posture) { ids[h.ID] = true })
	return func(id uint64) bool { return ids[id] }
}

func (s *Server) writePostures(o *out, r *http.Request, q *postureQuery) {
	controls := map[uint64]Control{}
	techs := map[uint64]string{}
	var lastHost uint64
	count := 0
	next := s.eachPagePosture(o, q, func(h *Host, k int, ps *Posture) {
		if count == 0 {
			o.open(2, "INFO_LIST")
		}
		count++
		lastHost = h.ID
		techs[ps.TechnologyID] = ps.TechnologyName
		for _, c := range s.tenant.policies[k].Controls {
			if c.ID == ps.ControlID {
				controls[c.ID] = c
			}
		}
		o.record(false)
		writeInfo(o, ps, q.details == "All" && !q.hideEvidence)
	})
	if count > 0 {
		o.close(2, "INFO_LIST")
		s.writeGlossary(o, q, lastHost, controls, techs)
	}
	if next != 0 {
		writeWarning(o, q.limit, nextPageURL(r, next))
	}
}

// writeInfo writes one INFO record (element names from the classic API
// documentation and the PCRS posture record fields; no real sample exists).
func writeInfo(o *out, ps *Posture, evidence bool) {
	o.open(3, "INFO")
	o.uintElem(4, "ID", ps.ID)
	o.uintElem(4, "HOST_ID", ps.HostID)
	o.uintElem(4, "CONTROL_ID", ps.ControlID)
	o.uintElem(4, "POLICY_ID", ps.PolicyID)
	o.uintElem(4, "TECHNOLOGY_ID", ps.TechnologyID)
	o.cdata(4, "INSTANCE", ps.Instance)
	o.text(4, "STATUS", ps.Status)
	if ps.PreviousStatus != "" {
		o.text(4, "PREVIOUS_STATUS", ps.PreviousStatus)
	}
	o.date(4, "FIRST_FAIL_DATE", ps.FirstFailDate)
	o.date(4, "LAST_FAIL_DATE", ps.LastFailDate)
	o.date(4, "FIRST_PASS_DATE", ps.FirstPassDate)
	o.date(4, "LAST_PASS_DATE", ps.LastPassDate)
	o.date(4, "POSTURE_MODIFIED_DATE", ps.Modified)
	o.date(4, "LAST_EVALUATED_DATE", ps.LastEvaluated)
	if evidence {
		o.open(4, "EVIDENCE")
		writeValues(o, 5, "EXPECTED", ps.Expected)
		writeValues(o, 5, "CURRENT", ps.Current)
		o.close(4, "EVIDENCE")
		if len(ps.Missing)+len(ps.Unexpected) > 0 {
			o.open(4, "CAUSE_OF_FAILURE")
			writeValues(o, 5, "MISSING", ps.Missing)
			writeValues(o, 5, "UNEXPECTED", ps.Unexpected)
			o.close(4, "CAUSE_OF_FAILURE")
		}
	}
	o.close(3, "INFO")
}

func writeValues(o *out, level int, name string, vs []string) {
	o.open(level, name)
	for _, v := range vs {
		o.cdata(level+1, "V", v)
	}
	o.close(level, name)
}

// writeGlossary lists the hosts, controls and technologies the page's records refer to. Hosts are
// found by walking the page again (the generators are deterministic), so nothing per host is kept.
func (s *Server) writeGlossary(o *out, q *postureQuery, lastHost uint64, controls map[uint64]Control, techs map[uint64]string) {
	o.open(2, "GLOSSARY")
	o.open(3, "HOST_LIST")
	again := *q
	again.IDMax, again.limit = lastHost, 0
	var prev uint64
	s.eachPagePosture(o, &again, func(h *Host, _ int, _ *Posture) {
		if h.ID == prev {
			return
		}
		prev = h.ID
		o.open(4, "HOST")
		o.uintElem(5, "ID", h.ID)
		o.text(5, "IP", h.IP)
		o.text(5, "TRACKING_METHOD", h.TrackingMethod)
		o.cdataIf(5, "DNS", h.DNS)
		o.cdataIf(5, "NETBIOS", h.NetBIOS)
		o.cdata(5, "OS", h.OS)
		o.date(5, "LAST_SCAN_DATE", h.LastPCScanned)
		o.close(4, "HOST")
	})
	o.close(3, "HOST_LIST")
	o.open(3, "CONTROL_LIST")
	for _, id := range sortedIDs(controls) {
		c := controls[id]
		o.open(4, "CONTROL")
		o.uintElem(5, "ID", c.ID)
		o.cdata(5, "STATEMENT", c.Statement)
		o.open(5, "CRITICALITY")
		o.text(6, "LABEL", c.Criticality.Label)
		o.intElem(6, "VALUE", c.Criticality.Value)
		o.close(5, "CRITICALITY")
		o.close(4, "CONTROL")
	}
	o.close(3, "CONTROL_LIST")
	o.open(3, "TECHNOLOGY_LIST")
	for _, id := range sortedIDs(techs) {
		o.open(4, "TECHNOLOGY")
		o.uintElem(5, "ID", id)
		o.cdata(5, "NAME", techs[id])
		o.close(4, "TECHNOLOGY")
	}
	o.close(3, "TECHNOLOGY_LIST")
	o.close(2, "GLOSSARY")
}
