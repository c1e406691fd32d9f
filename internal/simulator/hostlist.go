// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"net/http"
	"strconv"
	"strings"
)

// hostListParams is every Host List parameter.
var hostListParams = []string{
	"action", "echo_request", "details", "show_asset_id", "os_pattern", "truncation_limit", "ips", "ipv6",
	"ag_ids", "ag_titles", "ids", "id_min", "id_max", "network_ids", "compliance_enabled", "no_vm_scan_since",
	"no_compliance_scan_since", "vm_scan_since", "compliance_scan_since", "vm_processed_before",
	"vm_processed_after", "vm_scan_date_before", "vm_scan_date_after", "vm_auth_scan_date_before",
	"vm_auth_scan_date_after", "scap_scan_since", "no_scap_scan_since", "use_tags", "show_tags", "tag_set_by",
	"tag_include_selector", "tag_exclude_selector", "tag_set_include", "tag_set_exclude", "show_ars",
	"ars_min", "ars_max", "show_ars_factors", "show_trurisk", "trurisk_min", "trurisk_max",
	"show_trurisk_factors", "host_metadata", "host_metadata_fields", "show_cloud_tags", "cloud_tag_fields",
	"os_hostname", "output_format",
}

const hostListRoot = "HOST_LIST_OUTPUT"

type hostListOptions struct {
	limit         int
	details       string // None, Basic, Basic/AGs, All, All/AGs
	showAssetID   bool
	showTags      bool
	showARS       bool
	showTruRisk   bool
	showTRFactors bool
}

func (s *Server) handleHostList(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	p, e := readParams(r, hostListParams)
	var q Query
	var opt hostListOptions
	if e == nil {
		q, opt, e = parseHostList(p)
	}
	if e != nil {
		s.writeAPIError(w, r, e)
		return
	}
	o := s.startBody(w, r, rc, http.StatusOK, contentTypeXML)
	defer o.finish()
	o.xmlProlog(hostListRoot, baseURL(r)+"/api/"+rc.route.version+"/fo/asset/host/host_list_output.dtd")
	o.open(0, hostListRoot)
	o.open(1, "RESPONSE")
	o.date(2, "DATETIME", o.now)
	if o.fault == nil || o.fault.Kind != FaultEmpty {
		s.writeHostList(o, r, &q, opt)
	}
	o.close(1, "RESPONSE")
	o.close(0, hostListRoot)
	o.xmlTrailer(o.now)
}

func parseHostList(p params) (Query, hostListOptions, *apiError) {
	q, e := parseHostFilters(p)
	var opt hostListOptions
	var err *apiError
	keep := func(x *apiError) {
		if e == nil {
			e = x
		}
	}
	opt.limit, err = p.intIn("truncation_limit", defaultTruncation, 0, maxTruncation)
	keep(err)
	opt.details, err = p.enum("details", "Basic", "None", "Basic", "Basic/AGs", "All", "All/AGs")
	keep(err)
	for _, f := range []struct {
		dst  *bool
		name string
	}{{&opt.showAssetID, "show_asset_id"}, {&opt.showTags, "show_tags"}, {&opt.showARS, "show_ars"},
		{&opt.showTruRisk, "show_trurisk"}, {&opt.showTRFactors, "show_trurisk_factors"}} {
		*f.dst, err = p.bool01(f.name, false)
		keep(err)
	}
	_, err = p.enum("output_format", "XML", "XML")
	keep(err)
	return q, opt, e
}

// writeHostList streams HOST_LIST (or ID_SET for details=None) with the 1980 WARNING paging.
func (s *Server) writeHostList(o *out, r *http.Request, q *Query, opt hostListOptions) {
	t := s.tenant
	cq := t.compile(q)
	var h Host
	var next uint64
	count := 0
	ids := idSetWriter{o: o}
	t.eachHostIndex(q, 0, func(i int) bool {
		if o.stopped() {
			return false
		}
		t.fillHost(&h, i)
		if !cq.hostMatches(&h) {
			return true
		}
		if opt.limit > 0 && count == opt.limit {
			next = h.ID
			return false
		}
		count++
		if opt.details == "None" {
			ids.add(h.ID)
			return true
		}
		if count == 1 {
			o.open(2, "HOST_LIST")
		}
		o.record(false)
		s.writeListHost(o, &h, opt)
		return true
	})
	switch {
	case opt.details == "None":
		ids.end()
	case count > 0:
		o.close(2, "HOST_LIST")
	}
	if next != 0 {
		writeWarning(o, opt.limit, nextPageURL(r, next))
	}
}

// writeListHost writes one Host List HOST. The order follows real host list output (ID, ASSET_ID,
// IP, scores, TRACKING_METHOD, DNS, NETBIOS, OS, QG_HOSTID, hardware, TAGS, scan dates).
func (s *Server) writeListHost(o *out, h *Host, opt hostListOptions) {
	all := strings.HasPrefix(opt.details, "All")
	o.open(3, "HOST")
	o.uintElem(4, "ID", h.ID)
	if opt.showAssetID {
		o.uintElem(4, "ASSET_ID", h.AssetID)
	}
	o.text(4, "IP", h.IP)
	if h.IPv6 != "" {
		o.text(4, "IPV6", h.IPv6)
	}
	if opt.showARS {
		o.intElem(4, "ASSET_RISK_SCORE", h.TruRisk)
	}
	if opt.showTruRisk {
		o.intElem(4, "TRURISK_SCORE", h.TruRisk)
	}
	if opt.showTRFactors {
		s.writeTruRiskFactors(o, h)
	}
	if opt.showARS || opt.showTruRisk {
		o.intElem(4, "ASSET_CRITICALITY_SCORE", h.Criticality)
	}
	o.text(4, "TRACKING_METHOD", h.TrackingMethod)
	writeDNS(o, 4, h)
	writeCloud(o, 4, h)
	o.cdataIf(4, "NETBIOS", h.NetBIOS)
	o.cdata(4, "OS", h.OS)
	o.cdataIf(4, "QG_HOSTID", h.QGHostID)
	if all {
		writeHardware(o, h)
	}
	if opt.showTags {
		writeTags(o, 4, h.Tags)
	}
	if all {
		o.date(4, "LAST_VULN_SCAN_DATETIME", h.LastScan)
		o.date(4, "LAST_VM_SCANNED_DATE", h.LastVMScanned)
		o.intElem(4, "LAST_VM_SCANNED_DURATION", h.VMScanDuration)
		if !h.LastAuthScan.IsZero() {
			o.date(4, "LAST_VM_AUTH_SCANNED_DATE", h.LastAuthScan)
			o.intElem(4, "LAST_VM_AUTH_SCANNED_DURATION", h.VMScanDuration)
		}
		o.date(4, "LAST_COMPLIANCE_SCAN_DATETIME", h.LastPCScanned)
	}
	if strings.HasSuffix(opt.details, "/AGs") {
		o.startTag(4, "ASSET_GROUP_IDS")
		o.intText(1000 + h.Index%7)
		o.endTag("ASSET_GROUP_IDS")
	}
	o.close(3, "HOST")
}

func writeHardware(o *out, h *Host) {
	o.date(4, "LAST_BOOT", h.LastBoot)
	o.cdata(4, "SERIAL_NUMBER", h.SerialNumber)
	o.cdata(4, "HARDWARE_UUID", h.HardwareUUID)
	o.date(4, "FIRST_FOUND_DATE", h.FirstFound)
	o.date(4, "LAST_ACTIVITY", h.Modified)
	if h.TrackingMethod == "QAGENT" {
		o.cdata(4, "AGENT_STATUS", "Inventory Scan Complete")
		o.cdata(4, "CLOUD_AGENT_RUNNING_ON", "QAGENT")
	}
}

// writeTruRiskFactors counts the host's open detections by severity, the inputs TruRisk shows.
func (s *Server) writeTruRiskFactors(o *out, h *Host) {
	var bySev [6]int
	for _, d := range s.tenant.Detections(h) {
		if d.Status != StatusFixed && d.Type != TypeInfo {
			bySev[d.Severity]++
		}
	}
	o.open(4, "TRURISK_SCORE_FACTORS")
	o.text(5, "TRURISK_SCORE_FORMULA", "")
	for sev := 1; sev <= 5; sev++ {
		o.leafTag(5, `<VULN_COUNT qds_severity="`+strconv.Itoa(sev)+`">`)
		o.intText(bySev[sev])
		o.endTag("VULN_COUNT")
	}
	o.close(4, "TRURISK_SCORE_FACTORS")
}

// idSetWriter streams an ID_SET, folding consecutive IDs into ID_RANGE a-b as Qualys does.
type idSetWriter struct {
	o      *out
	lo, hi uint64
	open   bool
	any    bool
}

func (w *idSetWriter) add(id uint64) {
	if w.any && id == w.hi+1 {
		w.hi = id
		return
	}
	w.flush()
	w.lo, w.hi, w.any = id, id, true
}

func (w *idSetWriter) flush() {
	if !w.any {
		return
	}
	if !w.open {
		w.o.open(2, "ID_SET")
		w.open = true
	}
	if w.lo == w.hi {
		w.o.uintElem(3, "ID", w.lo)
		return
	}
	w.o.startTag(3, "ID_RANGE")
	w.o.uintText(w.lo)
	w.o.raw("-")
	w.o.uintText(w.hi)
	w.o.endTag("ID_RANGE")
}

func (w *idSetWriter) end() {
	w.flush()
	if w.open {
		w.o.close(2, "ID_SET")
	}
}
