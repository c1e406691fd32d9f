// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"net/http"
	"slices"
)

// policyListParams are the classic compliance policy list parameters.
var policyListParams = []string{
	"action", "echo_request", "details", "ids", "id_min", "id_max", "updated_after_datetime",
	"updated_before_datetime", "truncation_limit", "output_format", "title",
}

const policyListRoot = "POLICY_LIST_OUTPUT"

// handlePolicyList is GET|POST /api/2.0/fo/compliance/policy/?action=list: details=None gives
// ID_SET, Basic and All give POLICY_LIST/POLICY (All adds each policy's CONTROL_LIST).
func (s *Server) handlePolicyList(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	p, e := readParams(r, policyListParams)
	var page policyPage
	var ids IDSet
	if e == nil {
		page.details, e = p.enum("details", "Basic", "None", "Basic", "All")
	}
	if e == nil {
		ids, e = p.ids("ids")
	}
	if e == nil {
		page.idMin, e = p.uint("id_min")
	}
	if e == nil {
		page.limit, e = p.intIn("truncation_limit", s.opts.PolicyListTruncation, 0, maxTruncation)
	}
	if e != nil {
		s.writeAPIError(w, r, e)
		return
	}
	o := s.startBody(w, r, rc, http.StatusOK, contentTypeXML)
	defer o.finish()
	o.xmlProlog(policyListRoot, baseURL(r)+"/api/"+rc.route.version+"/fo/compliance/policy/policy_list_output.dtd")
	o.open(0, policyListRoot)
	o.open(1, "RESPONSE")
	o.date(2, "DATETIME", o.now)
	if o.fault == nil || o.fault.Kind != FaultEmpty {
		if next := writePolicyList(o, s.tenant.policies, ids, page); next != 0 {
			writeWarning(o, page.limit, nextPageURL(r, next))
		}
	}
	o.close(1, "RESPONSE")
	o.close(0, policyListRoot)
	o.xmlTrailer(o.now)
}

// policyPage is which page of the policy list a request asks for, and in what detail.
type policyPage struct {
	details string
	idMin   uint64
	limit   int // policies per page, 0: all
}

// writePolicyList writes the policies from page.idMin on in ascending id, at most page.limit of
// them, and returns the id the next page starts at (0: this is the last page).
func writePolicyList(o *out, policies []Policy, ids IDSet, page policyPage) (next uint64) {
	sorted := slices.Clone(policies)
	slices.SortFunc(sorted, func(a, b Policy) int { return cmpUint(a.ID, b.ID) })
	set := idSetWriter{o: o}
	count := 0
	for _, p := range sorted {
		if (ids != nil && !ids.Contains(p.ID)) || p.ID < page.idMin {
			continue
		}
		if page.limit > 0 && count == page.limit {
			next = p.ID
			break
		}
		count++
		if page.details == "None" {
			set.add(p.ID)
			continue
		}
		if count == 1 {
			o.open(2, "POLICY_LIST")
		}
		o.record(false)
		writePolicy(o, &p, page.details == "All")
	}
	switch {
	case page.details == "None":
		set.end()
	case count > 0:
		o.close(2, "POLICY_LIST")
	}
	return next
}

func writePolicy(o *out, p *Policy, all bool) {
	o.open(3, "POLICY")
	o.uintElem(4, "ID", p.ID)
	o.cdata(4, "TITLE", p.Title)
	o.open(4, "CREATED")
	o.date(5, "DATETIME", p.Created)
	o.cdata(5, "BY", p.CreatedBy)
	o.close(4, "CREATED")
	o.open(4, "LAST_MODIFIED")
	o.date(5, "DATETIME", p.Modified)
	o.cdata(5, "BY", p.ModifiedBy)
	o.close(4, "LAST_MODIFIED")
	o.open(4, "LAST_EVALUATED")
	o.date(5, "DATETIME", p.LastEvaluated)
	o.close(4, "LAST_EVALUATED")
	o.text(4, "STATUS", p.Status)
	o.boolElem(4, "IS_LOCKED", p.Locked)
	if all {
		o.open(4, "CONTROL_LIST")
		for _, c := range p.Controls {
			o.open(5, "CONTROL")
			o.uintElem(6, "ID", c.ID)
			o.cdata(6, "STATEMENT", c.Statement)
			o.open(6, "CRITICALITY")
			o.text(7, "LABEL", c.Criticality.Label)
			o.intElem(7, "VALUE", c.Criticality.Value)
			o.close(6, "CRITICALITY")
			o.close(5, "CONTROL")
		}
		o.close(4, "CONTROL_LIST")
	}
	o.close(3, "POLICY")
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func sortedIDs[V any](m map[uint64]V) []uint64 {
	ids := make([]uint64, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}
