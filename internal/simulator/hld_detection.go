// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"strconv"
)

// writeDetection writes one DETECTION in DTD order; UNIQUE_VULN_ID, which API 3.0 added, comes
// first on 3.0 and later paths.
func (s *Server) writeDetection(o *out, d *Detection, opt hldOptions) {
	o.open(5, "DETECTION")
	if opt.uniqueVulnID {
		o.uintElem(6, "UNIQUE_VULN_ID", d.UniqueVulnID)
	}
	o.uintElem(6, "QID", d.QID)
	o.text(6, "TYPE", d.Type)
	o.intElem(6, "SEVERITY", d.Severity)
	if d.Port > 0 {
		o.intElem(6, "PORT", d.Port)
		o.text(6, "PROTOCOL", d.Protocol)
	}
	o.boolElem(6, "SSL", d.SSL)
	s.writeResults(o, d, opt)
	o.text(6, "STATUS", d.Status)
	o.date(6, "FIRST_FOUND_DATETIME", d.FirstFound)
	o.date(6, "LAST_FOUND_DATETIME", d.LastFound)
	if opt.showQDS {
		o.leafTag(6, `<QDS severity="`+d.QDSSeverity()+`">`)
		o.intText(d.QDS)
		o.endTag("QDS")
	}
	if opt.showQDSFactors {
		s.writeQDSFactors(o, d)
	}
	if o.badValue(o.items) {
		o.text(6, "TIMES_FOUND", "many")
	} else {
		o.intElem(6, "TIMES_FOUND", d.TimesFound)
	}
	o.date(6, "LAST_TEST_DATETIME", d.LastTest)
	o.date(6, "LAST_UPDATE_DATETIME", d.LastUpdate)
	o.date(6, "LAST_FIXED_DATETIME", d.LastFixed)
	if opt.showReopened && !d.FirstReopened.IsZero() {
		o.date(6, "FIRST_REOPENED_DATETIME", d.FirstReopened)
		o.date(6, "LAST_REOPENED_DATETIME", d.LastReopened)
		o.intElem(6, "TIMES_REOPENED", d.TimesReopened)
	}
	o.boolElem(6, "IS_IGNORED", d.IsIgnored)
	o.boolElem(6, "IS_DISABLED", d.IsDisabled)
	if d.AffectRunningKernel >= 0 {
		o.intElem(6, "AFFECT_RUNNING_KERNEL", d.AffectRunningKernel)
	}
	o.date(6, "LAST_PROCESSED_DATETIME", d.LastProcessed)
	o.close(5, "DETECTION")
}

// writeResults writes RESULTS (show_results=1), or the damage a content fault asks for: invalid
// UTF-8 and control characters, or one huge text streamed in pieces.
func (s *Server) writeResults(o *out, d *Detection, opt hldOptions) {
	o.items++
	switch {
	case o.fault != nil && o.fault.Kind == FaultHugeResults && o.items == 1:
		o.startTag(6, "RESULTS")
		o.raw("<![CDATA[")
		writeHugeText(o, o.fault.Size)
		o.raw("]]>")
		o.endTag("RESULTS")
	case o.badCharsItem():
		o.startTag(6, "RESULTS")
		o.raw("<![CDATA[bad bytes \xff\xfe\xc3( and controls \x01\x07\x1b\x00 here]]>")
		o.endTag("RESULTS")
	case opt.showResults && d.HasResults:
		o.startTag(6, "RESULTS")
		o.scratch = s.tenant.appendResults(o.scratch[:0], d)
		o.cdataBytes(o.scratch)
		o.endTag("RESULTS")
	}
}

// writeHugeText streams size bytes of text; memory stays at one line.
func writeHugeText(o *out, size int64) {
	if size <= 0 {
		size = defaultHugeResultsSize
	}
	line := []byte("0000000000 huge RESULTS line: the quick brown fox jumps over the lazy dog 0123456789\n")
	for n := int64(0); n < size && !o.stopped(); n += int64(len(line)) {
		strconv.AppendInt(line[:0], 1_000_000_000+n/int64(len(line)), 10) // rewrites the 10-digit prefix in place
		if rest := size - n; rest < int64(len(line)) {
			o.rawBytes(line[:rest])
			break
		}
		o.rawBytes(line)
	}
}

// writeQDSFactors writes the factors behind QDS as real output names them (RTI, exploit_maturity,
// CVSS, CVSS_version, epss, CVSS_vector); they belong to the QID, so every host shows the same.
func (s *Server) writeQDSFactors(o *out, d *Detection) {
	r := newRNG(s.tenant.seed, kindVuln, d.QID, 1)
	o.open(6, "QDS_FACTORS")
	factor := func(name, v string) {
		o.leafTag(7, `<QDS_FACTOR name="`+name+`">`)
		o.cdataText(v)
		o.endTag("QDS_FACTOR")
	}
	factor("RTI", r.pick([]string{"dos", "remote_code_execution", "privilege_escalation", "dos,remote_code_execution"}))
	factor("exploit_maturity", r.pick([]string{"poc", "weaponized", "none"}))
	factor("CVSS", strconv.FormatFloat(d.CVSS3, 'f', 1, 64))
	factor("CVSS_version", "v3.x")
	factor("epss", strconv.FormatFloat(float64(r.intn(9700)+1)/10000, 'f', 4, 64))
	factor("CVSS_vector", "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
	o.close(6, "QDS_FACTORS")
}
