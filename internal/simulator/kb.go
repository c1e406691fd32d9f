// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"net/http"
	"slices"
	"strconv"
	"time"
)

// kbParams is every KnowledgeBase parameter.
var kbParams = []string{
	"action", "echo_request", "details", "ids", "id_min", "id_max", "is_patchable", "last_modified_after",
	"last_modified_before", "last_modified_by_user_after", "last_modified_by_user_before",
	"last_modified_by_service_after", "last_modified_by_service_before", "published_after", "published_before",
	"discovery_method", "discovery_auth_types", "show_supported_modules_info", "show_disabled_flag",
	"show_pci_reasons", "show_qid_change_log", "code_modified_after", "code_modified_before", "output_format",
}

const kbRoot = "KNOWLEDGE_BASE_VULN_LIST_OUTPUT"

type kbQuery struct {
	details         string
	ids             IDSet
	idMin, idMax    uint64
	modifiedAfter   time.Time
	modifiedBefore  time.Time
	publishedAfter  time.Time
	publishedBefore time.Time
	patchable       int // -1 any
}

func (s *Server) handleKB(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	p, e := readParams(r, kbParams)
	var q kbQuery
	if e == nil {
		q, e = parseKB(p)
	}
	if e != nil {
		s.writeAPIError(w, r, e)
		return
	}
	o := s.startBody(w, r, rc, http.StatusOK, contentTypeXML)
	defer o.finish()
	o.xmlProlog(kbRoot, baseURL(r)+"/api/"+rc.route.version+"/fo/knowledge_base/vuln/knowledge_base_vuln_list_output.dtd")
	o.open(0, kbRoot)
	o.open(1, "RESPONSE")
	o.date(2, "DATETIME", o.now)
	if o.fault == nil || o.fault.Kind != FaultEmpty {
		s.writeKB(o, &q)
	}
	o.close(1, "RESPONSE")
	o.close(0, kbRoot)
	o.xmlTrailer(o.now)
}

func parseKB(p params) (kbQuery, *apiError) {
	var q kbQuery
	var e, err *apiError
	keep := func(x *apiError) {
		if e == nil {
			e = x
		}
	}
	q.details, err = p.enum("details", "Basic", "Basic", "All", "None")
	keep(err)
	q.ids, err = p.ids("ids")
	keep(err)
	q.idMin, err = p.uint("id_min")
	keep(err)
	q.idMax, err = p.uint("id_max")
	keep(err)
	q.patchable, err = p.intIn("is_patchable", -1, 0, 1)
	keep(err)
	// Only the service modifies generated entries, so the *_by_service_* window is the same window.
	for _, d := range []namedDate{
		{"last_modified_after", &q.modifiedAfter}, {"last_modified_before", &q.modifiedBefore},
		{"last_modified_by_service_after", &q.modifiedAfter}, {"last_modified_by_service_before", &q.modifiedBefore},
		{"published_after", &q.publishedAfter}, {"published_before", &q.publishedBefore},
	} {
		if p.has(d.name) {
			*d.dst, err = p.date(d.name)
			keep(err)
		}
	}
	_, err = p.enum("output_format", "XML", "XML")
	keep(err)
	return q, e
}

func (q *kbQuery) matches(v *Vuln) bool {
	switch {
	case q.ids != nil && !q.ids.Contains(v.QID),
		q.idMin > 0 && v.QID < q.idMin,
		q.idMax > 0 && v.QID > q.idMax,
		!q.modifiedAfter.IsZero() && !v.Modified.After(q.modifiedAfter),
		!q.modifiedBefore.IsZero() && !v.Modified.Before(q.modifiedBefore),
		!q.publishedAfter.IsZero() && !v.Published.After(q.publishedAfter),
		!q.publishedBefore.IsZero() && !v.Published.Before(q.publishedBefore),
		q.patchable >= 0 && v.Patchable != (q.patchable == 1):
		return false
	}
	return true
}

// writeKB streams every matching entry in ascending QID order; the KnowledgeBase does not page.
func (s *Server) writeKB(o *out, q *kbQuery) {
	ids := idSetWriter{o: o}
	count := 0
	visit := func(qid uint64) bool {
		if o.stopped() {
			return false
		}
		v, ok := s.tenant.Vuln(qid)
		if !ok || !q.matches(&v) {
			return true
		}
		count++
		if q.details == "None" {
			ids.add(qid)
			return true
		}
		if count == 1 {
			o.open(2, "VULN_LIST")
		}
		o.record(false)
		o.items++
		writeVuln(o, &v, q.details == "All")
		return true
	}
	if span := q.ids.span(); q.ids != nil && span <= uint64(4*s.tenant.KBCount()+10_000) {
		// Look the listed QIDs up instead of walking the whole KnowledgeBase (the receiver asks
		// for the QIDs its detections carry, a few hundred at a time).
	ranges:
		for _, rg := range q.ids {
			for qid := rg.Lo; ; qid++ {
				if s.tenant.HasQID(qid) && !visit(qid) {
					break ranges
				}
				if qid == rg.Hi {
					break
				}
			}
		}
	} else {
		s.tenant.EachQID(visit)
	}
	switch {
	case q.details == "None":
		ids.end()
	case count > 0:
		o.close(2, "VULN_LIST")
	}
}

// writeVuln writes one VULN in the element order of the KnowledgeBase output;
// details=All adds DIAGNOSIS, CONSEQUENCE, SOLUTION and the CVSS blocks.
func writeVuln(o *out, v *Vuln, all bool) {
	o.open(3, "VULN")
	o.uintElem(4, "QID", v.QID)
	o.text(4, "VULN_TYPE", v.VulnType)
	o.intElem(4, "SEVERITY_LEVEL", v.Severity)
	if o.badCharsItem() {
		o.startTag(4, "TITLE")
		o.raw("<![CDATA[" + v.Title + " \xff\xfe\x01\x1b]]>")
		o.endTag("TITLE")
	} else {
		o.cdata(4, "TITLE", v.Title)
	}
	o.text(4, "CATEGORY", v.Category)
	o.date(4, "LAST_SERVICE_MODIFICATION_DATETIME", v.Modified)
	if o.badValue(o.items) {
		o.text(4, "PUBLISHED_DATETIME", "soon")
	} else {
		o.date(4, "PUBLISHED_DATETIME", v.Published)
	}
	o.boolElem(4, "PATCHABLE", v.Patchable)
	if v.VulnType != VulnTypeIG {
		o.open(4, "SOFTWARE_LIST")
		o.open(5, "SOFTWARE")
		o.cdata(6, "PRODUCT", v.Product)
		o.cdata(6, "VENDOR", v.Vendor)
		o.close(5, "SOFTWARE")
		o.close(4, "SOFTWARE_LIST")
	}
	if len(v.VendorRefs) > 0 {
		o.open(4, "VENDOR_REFERENCE_LIST")
		for _, ref := range v.VendorRefs {
			o.open(5, "VENDOR_REFERENCE")
			o.cdata(6, "ID", ref.ID)
			o.cdata(6, "URL", ref.URL)
			o.close(5, "VENDOR_REFERENCE")
		}
		o.close(4, "VENDOR_REFERENCE_LIST")
	}
	if len(v.CVEs) > 0 {
		o.open(4, "CVE_LIST")
		for _, c := range v.CVEs {
			o.open(5, "CVE")
			o.cdata(6, "ID", c)
			o.cdata(6, "URL", CVEURL(c))
			o.close(5, "CVE")
		}
		o.close(4, "CVE_LIST")
	}
	if all {
		o.cdata(4, "DIAGNOSIS", v.Diagnosis)
		o.cdata(4, "CONSEQUENCE", v.Consequence)
		o.cdata(4, "SOLUTION", v.Solution)
		writeCVSS(o, "CVSS", v.CVSSBase, v.CVSSTemporal, v.CVSSVector, "")
		writeCVSS(o, "CVSS_V3", v.CVSS3Base, v.CVSS3Temporal, v.CVSS3Vector, v.CVSS3Version)
	}
	o.boolElem(4, "PCI_FLAG", v.PCIFlag)
	if len(v.ThreatIntel) > 0 {
		o.open(4, "THREAT_INTELLIGENCE")
		for _, name := range v.ThreatIntel {
			o.leafTag(5, `<THREAT_INTEL id="`+strconv.Itoa(slices.Index(threatIntel, name)+1)+`">`)
			o.cdataText(name)
			o.endTag("THREAT_INTEL")
		}
		o.close(4, "THREAT_INTELLIGENCE")
	}
	o.open(4, "DISCOVERY")
	o.boolElem(5, "REMOTE", v.RemoteDiscovery)
	if v.Patchable {
		o.text(5, "ADDITIONAL_INFO", "Patch Available")
	}
	o.close(4, "DISCOVERY")
	o.close(3, "VULN")
}

// writeCVSS writes CVSS or CVSS_V3; only CVSS_V3 states its version (CVSS3_VERSION).
func writeCVSS(o *out, name string, base, temporal float64, vector, version string) {
	o.open(4, name)
	o.text(5, "BASE", strconv.FormatFloat(base, 'f', 1, 64))
	o.text(5, "TEMPORAL", strconv.FormatFloat(temporal, 'f', 1, 64))
	o.text(5, "VECTOR_STRING", vector)
	if version != "" {
		o.text(5, "CVSS3_VERSION", version)
	}
	o.close(4, name)
}

// CVEURL is the link Qualys gives with a CVE id (CVE_LIST/CVE/URL in recorded answers).
func CVEURL(id string) string { return "http://cve.mitre.org/cgi-bin/cvename.cgi?name=" + id }
