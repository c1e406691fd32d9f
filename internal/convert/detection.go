// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package convert // import "github.com/seed-d80aa3af/qualysreceiver/internal/convert"

import (
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/seed-d80aa3af/qualysreceiver/internal/decode"
	"github.com/seed-d80aa3af/qualysreceiver/internal/kb"
)

// HostFromVM is the identity of a host as Host List and Host List Detection describe it.
func HostFromVM(h *decode.Host) HostIdentity {
	id := HostIdentity{
		HostID:          h.ID,
		AssetID:         h.AssetID,
		DNS:             h.DNS,
		NetBIOS:         h.NetBIOS,
		IPv4:            h.IP,
		IPv6:            h.IPv6,
		OS:              h.OS,
		CloudProvider:   h.CloudProvider,
		CloudResourceID: h.CloudResourceID,
	}
	if id.DNS == "" {
		id.DNS = h.DNSData.FQDN
	}
	if id.CloudResourceID == "" {
		id.CloudResourceID = h.EC2InstanceID
	}
	return id
}

// DetectionTime is when a detection last changed: its last update, else when it was last
// processed, else last found. A backend sorts detections by it; the poll time is the observed time.
func DetectionTime(d *decode.Detection) time.Time {
	for _, t := range []time.Time{d.LastUpdate, d.LastProcessed, d.LastFound, d.FirstFound} {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

// Detection writes one detection into lr. Fields Qualys left empty are left out, not written as
// zero, so a backend can tell "not reported" from 0.
func Detection(lr plog.LogRecord, d *decode.Detection, observed time.Time) {
	lr.SetEventName(EventDetection)
	lr.SetObservedTimestamp(pcommon.NewTimestampFromTime(observed))
	if t := DetectionTime(d); !t.IsZero() {
		lr.SetTimestamp(pcommon.NewTimestampFromTime(t))
	}
	num, text := DetectionSeverity(d.Severity)
	lr.SetSeverityNumber(num)
	lr.SetSeverityText(text)

	a := lr.Attributes()
	a.EnsureCapacity(32)
	a.PutInt(AttrQID, d.QID)
	putStr(a, AttrDetectionType, d.Type)
	putStr(a, AttrDetectionStatus, d.Status)
	if d.Severity > 0 {
		a.PutInt(AttrSeverity, int64(d.Severity))
	}
	if d.UniqueVulnID != 0 {
		a.PutInt(AttrDetectionUniqueID, d.UniqueVulnID)
	}
	if d.Port != 0 {
		a.PutInt(AttrServerPort, int64(d.Port))
	}
	if d.Protocol != "" {
		a.PutStr(AttrNetworkTransport, strings.ToLower(d.Protocol))
	}
	if d.SSL {
		a.PutBool(AttrDetectionSSL, true)
	}
	putStr(a, AttrDetectionInstance, d.Instance)
	putStr(a, AttrDetectionService, d.Service)
	putStr(a, AttrDetectionFQDN, d.FQDN)
	putTime(a, AttrDetectionFirstFound, d.FirstFound)
	putTime(a, AttrDetectionLastFound, d.LastFound)
	putTime(a, AttrDetectionLastTest, d.LastTest)
	putTime(a, AttrDetectionLastUpdate, d.LastUpdate)
	putTime(a, AttrDetectionLastFixed, d.LastFixed)
	putTime(a, AttrDetectionLastProcessed, d.LastProcessed)
	putTime(a, AttrDetectionFirstReopened, d.FirstReopened)
	putTime(a, AttrDetectionLastReopened, d.LastReopened)
	if d.TimesReopened > 0 {
		a.PutInt(AttrDetectionTimesReopened, int64(d.TimesReopened))
	}
	if d.TimesFound > 0 {
		a.PutInt(AttrDetectionTimesFound, int64(d.TimesFound))
	}
	if d.QDS > 0 {
		a.PutInt(AttrDetectionQDS, int64(d.QDS))
	}
	putStr(a, AttrDetectionQDSSeverity, d.QDSSeverity)
	if len(d.QDSFactors) > 0 {
		m := a.PutEmptyMap(AttrDetectionQDSFactors)
		m.EnsureCapacity(len(d.QDSFactors))
		for _, f := range d.QDSFactors {
			m.PutStr(f.Name, f.Value)
		}
	}
	if d.Results != "" {
		a.PutStr(AttrDetectionResults, d.Results)
	}
	if d.ResultsTruncated {
		a.PutBool(AttrDetectionResultsCut, true)
	}
	a.PutBool(AttrDetectionIgnored, d.IsIgnored)
	a.PutBool(AttrDetectionDisabled, d.IsDisabled)
	if d.AffectsKernel {
		a.PutBool(AttrDetectionRunningKernel, true)
	}
	a.PutStr(AttrVulnScannerVendor, "Qualys")
	a.PutStr(AttrVulnEnumeration, "QID")
}

// KnowledgeBase adds what the KnowledgeBase says about a detection's QID.
func KnowledgeBase(a pcommon.Map, e *kb.Entry) {
	putStr(a, AttrVulnDescription, e.Title)
	putStr(a, AttrVulnCategory, e.Category)
	putStr(a, AttrVulnType, e.VulnType)
	if len(e.CVEs) > 0 {
		ids := a.PutEmptySlice(AttrVulnID)
		ids.EnsureCapacity(len(e.CVEs))
		for _, c := range e.CVEs {
			ids.AppendEmpty().SetStr(c)
		}
		// The CVE ids make vulnerability.id; vulnerability.enumeration names their scheme.
		a.PutStr(AttrVulnEnumeration, "CVE")
	}
	switch {
	case e.HasCVSS3:
		a.PutDouble(AttrVulnScoreBase, e.CVSS3Base)
		a.PutStr(AttrVulnScoreVersion, "3")
	case e.HasCVSS2:
		a.PutDouble(AttrVulnScoreBase, e.CVSS2Base)
		a.PutStr(AttrVulnScoreVersion, "2")
	}
	if e.HasCVSS3 {
		a.PutDouble(AttrCVSS3Base, e.CVSS3Base)
	}
	if e.HasCVSS2 {
		a.PutDouble(AttrCVSS2Base, e.CVSS2Base)
	}
	a.PutBool(AttrVulnPatchable, e.Patchable)
	putTime(a, AttrVulnPublished, e.Published)
}

// EntryFromVuln is the part of a KnowledgeBase VULN the cache keeps.
func EntryFromVuln(v *decode.Vuln) kb.Entry {
	e := kb.Entry{
		QID:       v.QID,
		Title:     v.Title,
		Category:  v.Category,
		VulnType:  v.VulnType,
		Severity:  v.SeverityLevel,
		Patchable: v.Patchable,
		Published: v.Published,
		Modified:  v.LastServiceModification,
	}
	for _, c := range v.CVEs {
		e.CVEs = append(e.CVEs, c.ID)
	}
	if v.CVSSV3.Base > 0 {
		e.CVSS3Base, e.HasCVSS3 = v.CVSSV3.Base, true
	}
	if v.CVSS.Base > 0 {
		e.CVSS2Base, e.HasCVSS2 = v.CVSS.Base, true
	}
	return e
}

func putStr(a pcommon.Map, key, v string) {
	if v != "" {
		a.PutStr(key, v)
	}
}

// putTime writes a time as RFC 3339 text in UTC, the form every backend parses.
func putTime(a pcommon.Map, key string, t time.Time) {
	if !t.IsZero() {
		a.PutStr(key, t.UTC().Format(time.RFC3339))
	}
}
