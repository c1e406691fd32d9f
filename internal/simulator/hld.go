// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"net/http"
	"regexp"
	"strconv"
)

// hldParams is every Host List Detection parameter Qualys documents; names
// outside it get 1901. Those not listed as honoured in hldOptions/parseHostFilters are accepted
// and ignored.
var hldParams = []string{
	"action", "echo_request", "output_format", "truncation_limit", "ids", "id_min", "id_max", "ips", "ipv6",
	"ag_ids", "ag_titles", "network_ids", "network_name", "status", "include_vuln_type", "show_results",
	"show_igs", "show_reopened_info", "arf_kernel_filter", "arf_service_filter", "arf_config_filter",
	"active_kernels_only", "severities", "qids", "filter_superseded_qids", "include_search_list_titles",
	"exclude_search_list_titles", "include_search_list_ids", "exclude_search_list_ids",
	"detection_updated_since", "detection_updated_before", "detection_processed_after",
	"detection_processed_before", "detection_last_tested_since", "detection_last_tested_since_days",
	"detection_last_tested_before", "detection_last_tested_before_days", "max_days_since_detection_updated",
	"vm_scan_since", "no_vm_scan_since", "max_days_since_last_vm_scan", "vm_processed_after",
	"vm_processed_before", "vm_scan_date_after", "vm_scan_date_before", "vm_auth_scan_date_after",
	"vm_auth_scan_date_before", "include_ignored", "include_disabled", "compliance_enabled", "os_pattern",
	"use_tags", "tag_set_by", "tag_include_selector", "tag_exclude_selector", "tag_set_include",
	"tag_set_exclude", "show_tags", "show_asset_id", "show_qds", "qds_min", "qds_max", "show_qds_factors",
	"host_metadata", "host_metadata_fields", "show_cloud_tags", "cloud_tag_fields",
	"suppress_duplicated_data_from_csv", "show_qvs", "show_unique_vuln_id",
}

const (
	defaultTruncation = 1000
	maxTruncation     = 1_000_000
	hldRoot           = "HOST_LIST_VM_DETECTION_OUTPUT"
)

type hldOptions struct {
	limit          int
	showResults    bool
	showQDS        bool
	showQDSFactors bool
	showReopened   bool
	showTags       bool
	showAssetID    bool
	uniqueVulnID   bool
}

func (s *Server) handleHLD(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	p, e := readParams(r, hldParams)
	var q Query
	var opt hldOptions
	if e == nil {
		q, opt, e = parseHLD(p)
	}
	if e != nil {
		s.writeAPIError(w, r, e)
		return
	}
	opt.uniqueVulnID = versionAtLeast(rc.route.version, 3)
	if s.faultForHosts(w, r, rc, EndpointHLD, func() func(uint64) bool { return s.hldPageHosts(&q, opt) }) {
		return
	}
	o := s.startBody(w, r, rc, http.StatusOK, contentTypeXML)
	defer o.finish()
	o.xmlProlog(hldRoot, baseURL(r)+"/api/"+rc.route.version+"/fo/asset/host/vm/detection/host_list_vm_detection_output.dtd")
	o.open(0, hldRoot)
	o.open(1, "RESPONSE")
	o.date(2, "DATETIME", o.now)
	if o.fault == nil || o.fault.Kind != FaultEmpty {
		s.writeHLDHosts(o, r, &q, opt)
	}
	o.close(1, "RESPONSE")
	o.close(0, hldRoot)
	o.xmlTrailer(o.now)
}

func parseHLD(p params) (Query, hldOptions, *apiError) {
	q, e := parseHostFilters(p)
	var opt hldOptions
	var err *apiError
	keep := func(x *apiError) {
		if e == nil {
			e = x
		}
	}
	opt.limit, err = p.intIn("truncation_limit", defaultTruncation, 0, maxTruncation)
	keep(err)
	q.Statuses, err = p.enumList("status", allStatuses...)
	keep(err)
	q.VulnType, err = p.enum("include_vuln_type", "", "confirmed", "potential")
	keep(err)
	for _, f := range []struct {
		dst  *bool
		name string
		def  bool
	}{
		{&opt.showResults, "show_results", true}, {&q.ShowIGs, "show_igs", false},
		{&opt.showReopened, "show_reopened_info", false}, {&opt.showTags, "show_tags", false},
		{&opt.showAssetID, "show_asset_id", false}, {&opt.showQDS, "show_qds", false},
		{&opt.showQDSFactors, "show_qds_factors", false}, {&q.IncludeIgnored, "include_ignored", false},
		{&q.IncludeDisabled, "include_disabled", false},
	} {
		*f.dst, err = p.bool01(f.name, f.def)
		keep(err)
	}
	q.Severities, err = p.ids("severities")
	keep(err)
	if q.Severities != nil && (q.Severities[0].Lo < 1 || q.Severities[len(q.Severities)-1].Hi > 5) {
		keep(p.invalid("severities"))
	}
	q.QIDs, err = p.ids("qids")
	keep(err)
	q.ARFKernel, err = p.intIn("arf_kernel_filter", 0, 0, 4)
	keep(err)
	q.QDSMin, err = p.intIn("qds_min", 0, 1, 100)
	keep(err)
	q.QDSMax, err = p.intIn("qds_max", 0, 1, 100)
	keep(err)
	for _, d := range []namedDate{{"detection_updated_since", &q.UpdatedSince},
		{"detection_updated_before", &q.UpdatedBefore}, {"detection_processed_after", &q.ProcessedAfter},
		{"detection_processed_before", &q.ProcessedBefore}} {
		*d.dst, err = p.date(d.name)
		keep(err)
	}
	_, err = p.enum("output_format", "XML", "XML")
	keep(err)
	return q, opt, e
}

// parseHostFilters reads the host selection shared by Host List and Host List Detection: ids,
// id_min, id_max, the tag parameters (applied only with use_tags=1), vm_processed_after/before
// and os_pattern.
func parseHostFilters(p params) (Query, *apiError) {
	var q Query
	var e *apiError
	first := func(err *apiError) {
		if e == nil {
			e = err
		}
	}
	var err *apiError
	q.IDs, err = p.ids("ids")
	first(err)
	q.IDMin, err = p.uint("id_min")
	first(err)
	q.IDMax, err = p.uint("id_max")
	first(err)
	q.VMProcessedAfter, err = p.date("vm_processed_after")
	first(err)
	q.VMProcessedBefore, err = p.date("vm_processed_before")
	first(err)
	if p.has("os_pattern") {
		re, rerr := regexp.Compile(p.str("os_pattern"))
		if rerr != nil {
			first(p.invalid("os_pattern"))
		}
		q.OSPattern = re
	}
	useTags, err := p.bool01("use_tags", false)
	first(err)
	by, err := p.enum("tag_set_by", "id", "id", "name")
	first(err)
	incl, err := p.enum("tag_include_selector", "any", "any", "all")
	first(err)
	excl, err := p.enum("tag_exclude_selector", "any", "any", "all")
	first(err)
	if useTags {
		q.Tags = TagQuery{ByName: by == "name", Include: p.list("tag_set_include"), Exclude: p.list("tag_set_exclude"),
			IncludeAll: incl == "all", ExcludeAll: excl == "all"}
	}
	return q, e
}

// writeHLDHosts streams the HOST_LIST: hosts in ascending ID order that have at least one
// matching detection, at most opt.limit of them, then the 1980 WARNING when more remain.
func (s *Server) writeHLDHosts(o *out, r *http.Request, q *Query, opt hldOptions) {
	count := 0
	next := s.eachHLDHost(q, opt, func(h *Host, dets []Detection) bool {
		if o.stopped() {
			return false
		}
		if count == 0 {
			o.open(2, "HOST_LIST")
		}
		o.record(false)
		s.writeHLDHost(o, h, dets, opt)
		count++
		return true
	})
	if count > 0 {
		o.close(2, "HOST_LIST")
	}
	if next != 0 {
		writeWarning(o, opt.limit, nextPageURL(r, next))
	}
}

// eachHLDHost calls fn, until it returns false, with the hosts of a page in ascending ID order that
// have at least one matching detection, at most opt.limit of them; it returns the ID the next page
// starts at, 0 for none.
func (s *Server) eachHLDHost(q *Query, opt hldOptions, fn func(h *Host, dets []Detection) bool) (next uint64) {
	t := s.tenant
	cq := t.compile(q)
	var h Host
	var dets []Detection
	count := 0
	t.eachHostIndex(q, 0, func(i int) bool {
		t.fillHost(&h, i)
		if !cq.hostMatches(&h) {
			return true
		}
		if dets = t.matchingDetections(dets[:0], &h, cq); len(dets) == 0 {
			return true
		}
		if opt.limit > 0 && count == opt.limit {
			next = h.ID
			return false
		}
		count++
		return fn(&h, dets)
	})
	return next
}

// hldPageHosts says which hosts a Host List Detection page would list, for the faults of a host.
func (s *Server) hldPageHosts(q *Query, opt hldOptions) func(id uint64) bool {
	ids := map[uint64]bool{}
	s.eachHLDHost(q, opt, func(h *Host, _ []Detection) bool {
		ids[h.ID] = true
		return true
	})
	return func(id uint64) bool { return ids[id] }
}

// writeWarning writes the truncation WARNING (code 1980) whose URL fetches the next page.
func writeWarning(o *out, limit int, next string) {
	o.open(2, "WARNING")
	o.intElem(3, "CODE", 1980)
	o.text(3, "TEXT", strconv.Itoa(limit)+" record limit exceeded. Use URL to get next batch of results.")
	o.startTag(3, "URL")
	o.cdataText(next)
	o.endTag("URL")
	o.close(2, "WARNING")
}

// writeHLDHost writes one HOST in the element order of the DTD.
func (s *Server) writeHLDHost(o *out, h *Host, dets []Detection, opt hldOptions) {
	o.open(3, "HOST")
	o.uintElem(4, "ID", h.ID)
	if opt.showAssetID {
		o.uintElem(4, "ASSET_ID", h.AssetID)
	}
	o.text(4, "IP", h.IP)
	if h.IPv6 != "" {
		o.text(4, "IPV6", h.IPv6)
	}
	o.text(4, "TRACKING_METHOD", h.TrackingMethod)
	o.cdata(4, "OS", h.OS)
	o.cdataIf(4, "OS_CPE", h.OSCPE)
	writeDNS(o, 4, h)
	writeCloud(o, 4, h)
	o.cdataIf(4, "NETBIOS", h.NetBIOS)
	o.cdataIf(4, "QG_HOSTID", h.QGHostID)
	o.date(4, "LAST_SCAN_DATETIME", h.LastScan)
	o.date(4, "LAST_VM_SCANNED_DATE", h.LastVMScanned)
	o.intElem(4, "LAST_VM_SCANNED_DURATION", h.VMScanDuration)
	if !h.LastAuthScan.IsZero() {
		o.date(4, "LAST_VM_AUTH_SCANNED_DATE", h.LastAuthScan)
		o.intElem(4, "LAST_VM_AUTH_SCANNED_DURATION", h.VMScanDuration)
	}
	o.date(4, "LAST_PC_SCANNED_DATE", h.LastPCScanned)
	if opt.showTags {
		writeTags(o, 4, h.Tags)
	}
	o.open(4, "DETECTION_LIST")
	for k := range dets {
		s.writeDetection(o, &dets[k], opt)
	}
	o.close(4, "DETECTION_LIST")
	o.close(3, "HOST")
}

func writeDNS(o *out, level int, h *Host) {
	if h.DNS == "" {
		return
	}
	o.cdata(level, "DNS", h.DNS)
	o.open(level, "DNS_DATA")
	o.cdata(level+1, "HOSTNAME", h.Hostname)
	o.cdata(level+1, "DOMAIN", h.Domain)
	o.cdata(level+1, "FQDN", h.FQDN)
	o.close(level, "DNS_DATA")
}

func writeCloud(o *out, level int, h *Host) {
	if h.CloudProvider == "" {
		return
	}
	o.text(level, "CLOUD_PROVIDER", h.CloudProvider)
	o.text(level, "CLOUD_SERVICE", h.CloudService)
	o.text(level, "CLOUD_RESOURCE_ID", h.CloudResource)
	if h.EC2InstanceID != "" {
		o.text(level, "EC2_INSTANCE_ID", h.EC2InstanceID)
	}
}

func writeTags(o *out, level int, tags []Tag) {
	if len(tags) == 0 {
		return
	}
	o.open(level, "TAGS")
	for _, t := range tags {
		o.open(level+1, "TAG")
		o.uintElem(level+2, "TAG_ID", t.ID)
		o.cdata(level+2, "NAME", t.Name)
		o.close(level+1, "TAG")
	}
	o.close(level, "TAGS")
}
