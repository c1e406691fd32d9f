// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package convert // import "github.com/seed-d80aa3af/qualysreceiver/internal/convert"

import (
	"slices"
	"unique"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/seed-d80aa3af/qualysreceiver/internal/decode"
	"github.com/seed-d80aa3af/qualysreceiver/internal/kb"
)

// KnowledgeBase adds what the KnowledgeBase says about a detection's QID.
func KnowledgeBase(a pcommon.Map, e *kb.Entry) {
	putStr(a, AttrVulnDescription, e.Title)
	putStr(a, AttrVulnCategory, e.Category)
	putStr(a, AttrVulnType, e.VulnType)
	putStr(a, AttrVulnSeverity, SeverityName(e.Severity))
	if len(e.CVEs) > 0 {
		putStrings(a, AttrVulnID, e.CVEs)
		// The CVE ids make vulnerability.id; vulnerability.enumeration names their scheme.
		a.PutStr(AttrVulnEnumeration, "CVE")
	}
	putStrings(a, AttrVulnReference, e.References)
	putScore(a, e)
	if e.HasCVSS3 {
		a.PutDouble(AttrCVSS3Base, e.CVSS3Base)
		putPositiveDouble(a, AttrCVSS3Temporal, e.CVSS3Temporal)
		putStr(a, AttrCVSS3Vector, e.CVSS3Vector)
	}
	if e.HasCVSS2 {
		a.PutDouble(AttrCVSS2Base, e.CVSS2Base)
		putPositiveDouble(a, AttrCVSS2Temporal, e.CVSS2Temporal)
		putStr(a, AttrCVSS2Vector, e.CVSS2Vector)
	}
	putStrings(a, AttrVulnThreatIntel, e.ThreatIntel)
	putSoftware(a, e.Software)
	if e.PCIFlag {
		a.PutBool(AttrVulnPCIFlag, true)
	}
	a.PutBool(AttrVulnPatchable, e.Patchable)
	putTime(a, AttrVulnPublished, e.Published)
	putStr(a, AttrVulnDiagnosis, e.Diagnosis)
	putStr(a, AttrVulnConsequence, e.Consequence)
	putStr(a, AttrVulnSolution, e.Solution)
}

// putScore writes the ECS score of the detection: CVSS 3 when Qualys has it, else CVSS 2.
func putScore(a pcommon.Map, e *kb.Entry) {
	switch {
	case e.HasCVSS3:
		a.PutDouble(AttrVulnScoreBase, e.CVSS3Base)
		// Qualys states 3.0 or 3.1 in CVSS3_VERSION; without it only the major version is known.
		a.PutStr(AttrVulnScoreVersion, first(e.CVSS3Version, "3"))
	case e.HasCVSS2:
		a.PutDouble(AttrVulnScoreBase, e.CVSS2Base)
		a.PutStr(AttrVulnScoreVersion, "2.0") // the only CVSS 2 version
	default:
		return
	}
	a.PutStr(AttrVulnClassification, "CVSS")
}

// EntryFromVuln is the part of a KnowledgeBase VULN the cache keeps. The long texts are in v only
// when the decoder was asked to keep them.
func EntryFromVuln(v *decode.Vuln) kb.Entry {
	e := kb.Entry{
		QID:         v.QID,
		Title:       v.Title,
		Category:    v.Category,
		VulnType:    v.VulnType,
		Severity:    v.SeverityLevel,
		Patchable:   v.Patchable,
		Published:   v.Published,
		Modified:    v.LastServiceModification,
		Diagnosis:   v.Diagnosis,
		Consequence: v.Consequence,
		Solution:    v.Solution,
	}
	for _, c := range v.CVEs {
		e.CVEs = append(e.CVEs, c.ID)
		e.References = appendDistinct(e.References, c.URL)
	}
	for _, r := range v.VendorReferences {
		e.References = appendDistinct(e.References, r.URL)
	}
	// Vectors, versions and threat names repeat across thousands of QIDs: the cache keeps each
	// distinct text once.
	if v.CVSSV3.Base > 0 {
		e.CVSS3Base, e.HasCVSS3 = v.CVSSV3.Base, true
		e.CVSS3Temporal, e.CVSS3Vector, e.CVSS3Version = v.CVSSV3.Temporal, shared(v.CVSSV3.VectorString), shared(v.CVSSV3.Version)
	}
	if v.CVSS.Base > 0 {
		e.CVSS2Base, e.HasCVSS2 = v.CVSS.Base, true
		e.CVSS2Temporal, e.CVSS2Vector = v.CVSS.Temporal, shared(v.CVSS.VectorString)
	}
	for _, t := range v.ThreatIntel {
		e.ThreatIntel = appendDistinct(e.ThreatIntel, shared(t.Text))
	}
	for _, sw := range v.Software {
		e.Software = append(e.Software, kb.Software{Vendor: shared(sw.Vendor), Product: shared(sw.Product)})
	}
	e.PCIFlag = v.PCIFlag
	return e
}

// putSoftware writes the affected products as a list of maps with the keys vendor and product.
func putSoftware(a pcommon.Map, software []kb.Software) {
	if len(software) == 0 {
		return
	}
	list := a.PutEmptySlice(AttrVulnSoftware)
	list.EnsureCapacity(len(software))
	for _, sw := range software {
		m := list.AppendEmpty().SetEmptyMap()
		putStr(m, AttrSoftwareVendor, sw.Vendor)
		putStr(m, AttrSoftwareProduct, sw.Product)
	}
}

func shared(s string) string {
	if s == "" {
		return ""
	}
	return unique.Make(s).Value()
}

func appendDistinct(list []string, s string) []string {
	if s == "" || slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

func putStrings(a pcommon.Map, key string, values []string) {
	if len(values) == 0 {
		return
	}
	s := a.PutEmptySlice(key)
	s.EnsureCapacity(len(values))
	for _, v := range values {
		s.AppendEmpty().SetStr(v)
	}
}

func putPositiveDouble(a pcommon.Map, key string, v float64) {
	if v > 0 {
		a.PutDouble(key, v)
	}
}
