// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

const (
	defaultQPSLimit = 100
	maxQPSLimit     = 1000
)

// serviceRequest is the QPS search body: filters/Criteria and preferences. The
// simulator parses its input with encoding/xml; it never parses its own output.
type serviceRequest struct {
	Filters struct {
		Criteria []criterion `xml:"Criteria"`
	} `xml:"filters"`
	Preferences struct {
		LimitResults    *int    `xml:"limitResults"`
		StartFromOffset *int    `xml:"startFromOffset"`
		StartFromID     *uint64 `xml:"startFromId"`
	} `xml:"preferences"`
}

type criterion struct {
	Field    string `xml:"field,attr"`
	Operator string `xml:"operator,attr"`
	Value    string `xml:",chardata"`
}

func (s *Server) handleHostAsset(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if r.Method != http.MethodPost {
		s.qpsError(w, r, http.StatusMethodNotAllowed, "INVALID_REQUEST", "Search requests must use POST.")
		return
	}
	var req serviceRequest
	body := []byte(rc.rec.Body)
	if len(strings.TrimSpace(string(body))) > 0 {
		if err := xml.Unmarshal(body, &req); err != nil {
			s.qpsError(w, r, http.StatusBadRequest, "INVALID_REQUEST", "Invalid XML in request body: "+err.Error())
			return
		}
	}
	limit := defaultQPSLimit
	if req.Preferences.LimitResults != nil {
		limit = *req.Preferences.LimitResults
	}
	if limit < 1 || limit > maxQPSLimit {
		s.qpsError(w, r, http.StatusBadRequest, "INVALID_REQUEST", fmt.Sprintf("limitResults must be between 1 and %d.", maxQPSLimit))
		return
	}
	for _, c := range req.Filters.Criteria {
		if err := checkCriterion(c); err != "" {
			s.qpsError(w, r, http.StatusBadRequest, "INVALID_REQUEST", err)
			return
		}
	}
	o := s.startBody(w, r, rc, http.StatusOK, contentTypeXML)
	defer o.finish()
	s.writeHostAssets(o, r, &req, limit)
}

// writeHostAssets streams one page: assets in ascending id order, at most limit, then looks one
// match further to say whether more records exist.
func (s *Server) writeHostAssets(o *out, r *http.Request, req *serviceRequest, limit int) {
	t := s.tenant
	skip := 0
	if req.Preferences.StartFromOffset != nil {
		skip = max(0, *req.Preferences.StartFromOffset-1)
	}
	start, end := t.hostIndexSpan(req)
	start = max(start, t.assetIndexAtOrAfter(assetLowerBound(req)))
	var h Host
	var lastID uint64
	count, more := 0, false
	empty := o.fault != nil && o.fault.Kind == FaultEmpty
	o.raw(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	o.raw(`<ServiceResponse xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="` +
		baseURL(r) + `/qps/xsd/2.0/am/hostasset.xsd">` + "\n")
	o.text(1, "responseCode", "SUCCESS")
	var page []int
	for i := start; i < end && !empty && !o.stopped(); i++ {
		if !t.HostPresent(i) {
			continue
		}
		t.fillHost(&h, i)
		if !assetMatches(&h, req.Filters.Criteria) {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		if count == limit {
			more = true
			break
		}
		page = append(page, i)
		count++
		lastID = h.AssetID
	}
	o.intElem(1, "count", count)
	o.text(1, "hasMoreRecords", strconv.FormatBool(more))
	if count > 0 {
		o.uintElem(1, "lastId", lastID)
		o.open(1, "data")
		for _, i := range page {
			t.fillHost(&h, i)
			o.record(false)
			writeHostAsset(o, &h)
		}
		o.close(1, "data")
	}
	o.raw("</ServiceResponse>\n")
}

// assetLowerBound is the smallest asset id the id criteria allow, so a page starts there instead
// of at the first asset (the documented paging adds id GREATER lastId).
func assetLowerBound(req *serviceRequest) uint64 {
	var lo uint64
	if req.Preferences.StartFromID != nil {
		lo = *req.Preferences.StartFromID
	}
	for _, c := range req.Filters.Criteria {
		v, err := strconv.ParseUint(strings.TrimSpace(c.Value), 10, 64)
		if c.Field != "id" || err != nil {
			continue
		}
		switch c.Operator {
		case "GREATER":
			lo = max(lo, v+1)
		case "EQUALS":
			lo = max(lo, v)
		}
	}
	return lo
}

// hostIndexSpan is the span of host indexes the qwebHostId criteria allow (host ids ascend with
// the index), so a page of a host id range scans that range, not the tenant up to it and past it.
func (t *Tenant) hostIndexSpan(req *serviceRequest) (start, end int) {
	start, end = 0, t.cfg.Hosts
	for _, c := range req.Filters.Criteria {
		v, err := strconv.ParseUint(strings.TrimSpace(c.Value), 10, 64)
		if c.Field != "qwebHostId" || err != nil {
			continue
		}
		switch c.Operator {
		case "GREATER":
			start = max(start, t.hostIndexAtOrAfter(v+1))
		case "LESSER":
			end = min(end, t.hostIndexAtOrAfter(v))
		case "EQUALS":
			start, end = max(start, t.hostIndexAtOrAfter(v)), min(end, t.hostIndexAtOrAfter(v+1))
		}
	}
	return start, end
}

// writeHostAsset writes one HostAsset with the elements Qualys documents for a
// host asset, network interfaces included.
func writeHostAsset(o *out, h *Host) {
	o.open(2, "HostAsset")
	o.uintElem(3, "id", h.AssetID)
	o.text(3, "name", assetName(h))
	o.date(3, "created", h.FirstFound)
	if o.badValue(o.records) {
		o.text(3, "modified", "soon")
	} else {
		o.date(3, "modified", h.Modified)
	}
	o.text(3, "type", "HOST")
	o.open(3, "tags")
	o.intElem(4, "count", len(h.Tags))
	if len(h.Tags) > 0 {
		o.open(4, "list")
		for _, t := range h.Tags {
			o.open(5, "TagSimple")
			o.uintElem(6, "id", t.ID)
			o.text(6, "name", t.Name)
			o.close(5, "TagSimple")
		}
		o.close(4, "list")
	}
	o.close(3, "tags")
	writeSourceInfo(o, h)
	o.uintElem(3, "qwebHostId", h.ID)
	o.date(3, "lastComplianceScan", h.LastPCScanned)
	o.date(3, "lastVulnScan", h.LastScan)
	o.date(3, "lastSystemBoot", h.LastBoot)
	if h.FQDN != "" {
		o.text(3, "fqdn", h.FQDN)
	}
	o.text(3, "os", h.OS)
	if h.FQDN != "" {
		o.text(3, "dnsHostName", h.FQDN)
	}
	if h.TrackingMethod == "QAGENT" {
		o.open(3, "agentInfo")
		o.text(4, "agentVersion", h.AgentVersion)
		o.text(4, "agentId", h.AgentID)
		o.text(4, "status", "STATUS_ACTIVE")
		o.date(4, "lastCheckedIn", h.Modified)
		o.close(3, "agentInfo")
	}
	if h.NetBIOS != "" {
		o.text(3, "netbiosName", h.NetBIOS)
	}
	o.text(3, "address", h.IP)
	o.text(3, "trackingMethod", h.TrackingMethod)
	writeInterfaces(o, h)
	o.close(2, "HostAsset")
}

// writeInterfaces writes networkInterface/list/HostAssetInterface: one entry per address, as QPS
// lists them (an interface with an IPv6 address appears twice).
func writeInterfaces(o *out, h *Host) {
	o.open(3, "networkInterface")
	o.open(4, "list")
	entry := func(nic Interface, addr string) {
		o.open(5, "HostAssetInterface")
		o.text(6, "hostname", nic.Hostname)
		if h.CloudProvider == "AWS" {
			// QPS gives an EC2 host's interfaces their ENI id, text, as live tenants show.
			o.text(6, "interfaceId", fmt.Sprintf("eni-0%s%04x", strings.ReplaceAll(nic.MAC, ":", ""), nic.ID))
		} else {
			o.intElem(6, "interfaceId", nic.ID)
		}
		o.text(6, "interfaceName", nic.Name)
		o.text(6, "macAddress", nic.MAC)
		o.text(6, "type", "LOCAL")
		o.text(6, "address", addr)
		o.text(6, "gatewayAddress", nic.Gateway)
		o.close(5, "HostAssetInterface")
	}
	for k, nic := range h.Interfaces {
		entry(nic, nic.Address)
		if k == 0 && h.IPv6 != "" {
			entry(nic, h.IPv6)
		}
	}
	o.close(4, "list")
	o.close(3, "networkInterface")
}

// qpsError writes a ServiceResponse error; with Options.QPSErrorsInBody the HTTP status is 200.
func (s *Server) qpsError(w http.ResponseWriter, r *http.Request, status int, code, message string) {
	if s.opts.QPSErrorsInBody {
		status = http.StatusOK
	}
	w.Header().Set("Content-Type", contentTypeXML)
	w.WriteHeader(status)
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<ServiceResponse xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="` +
		baseURL(r) + `/qps/xsd/2.0/am/hostasset.xsd">` + "\n")
	b.WriteString("  <responseCode>" + code + "</responseCode>\n  <responseErrorDetails>\n    <errorMessage>")
	_, _ = xmlEscaper.WriteString(&b, message)
	b.WriteString("</errorMessage>\n  </responseErrorDetails>\n</ServiceResponse>\n")
	_, _ = w.Write([]byte(b.String()))
}
