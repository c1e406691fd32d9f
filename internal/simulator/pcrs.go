// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// handlePCRSPolicies is GET /pcrs/{ver}/posture/policy/list[?lastEvaluationDate=...]: the
// policies evaluated since that date (all without it), IDs as strings as in the vendor sample.
func (s *Server) handlePCRSPolicies(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if r.Method != http.MethodGet {
		gatewayError(w, http.StatusMethodNotAllowed, "Method Not Allowed", "Use GET")
		return
	}
	since, ok := pcrsDate(r, "lastEvaluationDate")
	if !ok {
		pcrsParamError(w, s.now(), codeInvalidValue, "parameter lastEvaluationDate has invalid value "+r.URL.Query().Get("lastEvaluationDate"))
		return
	}
	o := s.startBody(w, r, rc, http.StatusOK, contentTypeJSON)
	defer o.finish()
	obj := o.object()
	obj.str("subscriptionId", formatUint(s.tenant.SubscriptionID()))
	obj.key("policyList")
	o.raw("[")
	n := 0
	for _, p := range s.tenant.policies {
		if o.fault != nil && o.fault.Kind == FaultEmpty || p.LastEvaluated.Before(since) {
			continue
		}
		if n++; n > 1 {
			o.raw(",")
		}
		o.record(true)
		po := o.object()
		po.str("id", formatUint(p.ID))
		po.str("title", p.Title)
		po.str("createdBy", p.CreatedBy)
		po.date("createdDate", p.Created)
		po.str("modifiedBy", p.ModifiedBy)
		po.date("modifiedDate", p.Modified)
		po.date("lastEvaluatedDate", p.LastEvaluated)
		po.str("status", p.Status)
		po.int("locked", b2i(p.Locked))
		po.end()
	}
	o.raw("]")
	obj.end()
}

// handlePCRSHostIDs is GET /pcrs/{ver}/posture/hostids?policyId=a,b (at most 10): per policy its
// host IDs as strings; an unknown policy gets an "error" and no hosts.
func (s *Server) handlePCRSHostIDs(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if r.Method != http.MethodGet {
		gatewayError(w, http.StatusMethodNotAllowed, "Method Not Allowed", "Use GET")
		return
	}
	raw := r.URL.Query().Get("policyId")
	ids, problem := parsePolicyIDs(raw)
	if problem != "" {
		code := codeInvalidValue
		if raw == "" {
			code = codeMissingParam
		}
		pcrsParamError(w, s.now(), code, problem)
		return
	}
	scanSince, ok := pcrsDate(r, "lastScanDate")
	if !ok {
		pcrsParamError(w, s.now(), codeInvalidValue, "parameter lastScanDate has invalid value "+r.URL.Query().Get("lastScanDate"))
		return
	}
	o := s.startBody(w, r, rc, http.StatusOK, contentTypeJSON)
	defer o.finish()
	o.raw("[")
	for n, id := range ids {
		if n > 0 {
			o.raw(",")
		}
		o.record(true)
		s.writePolicyHostIDs(o, id, scanSince)
	}
	o.raw("]")
}

func (s *Server) writePolicyHostIDs(o *out, id uint64, scanSince time.Time) {
	t := s.tenant
	p, known := t.PolicyByID(id)
	obj := o.object()
	obj.str("policyId", formatUint(id))
	obj.str("subscriptionId", formatUint(t.SubscriptionID()))
	obj.key("hostIds")
	o.raw("[")
	n := 0
	var h Host
	for i := 0; known && i < t.cfg.Hosts && !o.stopped(); i++ {
		if !t.InPolicy(p.Index, i) || !t.HostPresent(i) || o.fault != nil && o.fault.Kind == FaultEmpty {
			continue
		}
		if !scanSince.IsZero() {
			if t.fillHost(&h, i); h.LastPCScanned.Before(scanSince) {
				continue
			}
		}
		if n++; n > 1 {
			o.raw(",")
		}
		o.raw(`"`)
		o.uintText(t.HostID(i))
		o.raw(`"`)
	}
	o.raw("]")
	if !known {
		obj.str("error", "Error: Compliance Policy does not exist.")
	}
	obj.end()
}

func parsePolicyIDs(raw string) ([]uint64, string) {
	if raw == "" {
		return nil, "Missing required parameter(s): policyId"
	}
	parts := strings.Split(raw, ",")
	if len(parts) > maxPolicyIDs {
		return nil, fmt.Sprintf("parameter policy_ids has invalid value %s: at most %d policy IDs are allowed", raw, maxPolicyIDs)
	}
	ids := make([]uint64, 0, len(parts))
	for _, v := range parts {
		id, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return nil, "parameter policy_ids has invalid value " + raw
		}
		ids = append(ids, id)
	}
	return ids, ""
}

// pcrsDate reads an optional YYYY-MM-DD[THH:MM:SSZ] query parameter.
func pcrsDate(r *http.Request, name string) (time.Time, bool) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return time.Time{}, true
	}
	t, err := parseQualysDate(v)
	return t, err == nil
}

// pcrsParamError is the PCRS 400: [{"response":{"datetime","code","text"}}].
func pcrsParamError(w http.ResponseWriter, now time.Time, code int, text string) {
	w.Header().Set("Content-Type", contentTypeJSON)
	w.WriteHeader(http.StatusBadRequest)
	type response struct {
		Datetime string `json:"datetime"`
		Code     int    `json:"code"`
		Text     string `json:"text"`
	}
	b, _ := json.Marshal([]map[string]response{{"response": {qualysTime(now), code, text}}})
	_, _ = w.Write(b)
}

// invalidInputParameter is PCRS' answer to a bad evidenceRequired/compressionRequired: 404.
func invalidInputParameter(w http.ResponseWriter) {
	w.Header().Set("Content-Type", contentTypeJSON)
	w.WriteHeader(http.StatusNotFound)
	_, _ = w.Write([]byte(`{"message":"Invalid input Parameter."}`))
}

// flexID reads an ID sent as a JSON string ("123", as Resolve Host IDs returns them) or number.
type flexID uint64

func (f *flexID) UnmarshalJSON(b []byte) error {
	v, err := strconv.ParseUint(string(bytes.Trim(b, `"`)), 10, 64)
	*f = flexID(v)
	return err
}

// postureRequest is one element of the postureInfo body (the Resolve Host IDs output).
type postureRequest struct {
	PolicyID flexID   `json:"policyId"`
	HostIDs  []flexID `json:"hostIds"`
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
