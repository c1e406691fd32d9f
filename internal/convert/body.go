// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package convert // import "github.com/seed-d80aa3af/qualysreceiver/internal/convert"

import (
	"strconv"
	"strings"
	"unicode"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// BodyMode says what a record's body holds.
type BodyMode string

const (
	// BodySummary is one line a person reads in a log view: what, its state, on which host.
	BodySummary BodyMode = "summary"
	// BodyNone leaves the body empty; everything is in the attributes.
	BodyNone BodyMode = "none"
)

// TimestampMode says which time a record's timestamp is.
type TimestampMode string

const (
	// TimestampPoll is the start of the poll that emitted the record (its observed time), so the
	// records of one poll sit together in a backend's time range whatever their Qualys dates.
	TimestampPoll TimestampMode = "poll"
	// TimestampQualys is the record's own Qualys date (DetectionTime, PostureTime, Asset.Time).
	TimestampQualys TimestampMode = "qualys"
)

// RecordOptions are the user's choices applied to every record after conversion.
type RecordOptions struct {
	Body      BodyMode
	Timestamp TimestampMode
}

// Finish applies opts to every record of ld. It runs on complete batches, after the KnowledgeBase
// join, so a detection's summary has its title whenever the KnowledgeBase knows the QID. The Qualys
// dates are attributes either way; only the record's timestamp changes.
func Finish(ld plog.Logs, opts RecordOptions) {
	rls := ld.ResourceLogs()
	for i := range rls.Len() {
		rl := rls.At(i)
		var host hostSummary
		if opts.Body == BodySummary {
			host = hostSummaryOf(rl.Resource().Attributes())
		}
		sls := rl.ScopeLogs()
		for j := range sls.Len() {
			lrs := sls.At(j).LogRecords()
			for k := range lrs.Len() {
				finishRecord(lrs.At(k), &host, opts)
			}
		}
	}
}

func finishRecord(lr plog.LogRecord, host *hostSummary, opts RecordOptions) {
	if opts.Timestamp == TimestampPoll && lr.ObservedTimestamp() != 0 {
		lr.SetTimestamp(lr.ObservedTimestamp())
	}
	if opts.Body != BodySummary {
		return
	}
	var line string
	switch lr.EventName() {
	case EventDetection:
		line = detectionSummary(lr.Attributes(), host)
	case EventAsset:
		line = assetSummary(host)
	case EventPosture:
		line = postureSummary(lr.Attributes(), host)
	default:
		return
	}
	lr.Body().SetStr(line)
}

// hostSummary is what a summary says of the host: its name and addresses, its OS.
type hostSummary struct {
	name string
	ips  []string
	os   string
}

func hostSummaryOf(res pcommon.Map) hostSummary {
	var h hostSummary
	if v, ok := res.Get(AttrHostName); ok {
		h.name = v.Str()
	}
	if v, ok := res.Get(AttrHostIP); ok && v.Type() == pcommon.ValueTypeSlice {
		for i := range v.Slice().Len() {
			h.ips = append(h.ips, v.Slice().At(i).Str())
		}
	}
	if v, ok := res.Get(AttrOSDescription); ok {
		h.os = v.Str()
	}
	return h
}

// appendTo writes "web01.example.com (10.0.0.5)": the name, then the addresses that are not the
// name itself (host.name falls back to an IP).
func (h *hostSummary) appendTo(b *strings.Builder) {
	b.WriteString(h.name)
	others := 0
	for _, ip := range h.ips {
		if ip != h.name {
			others++
		}
	}
	if others == 0 {
		return
	}
	if h.name != "" {
		b.WriteString(" (")
	}
	sep := ""
	for _, ip := range h.ips {
		if ip != h.name {
			b.WriteString(sep)
			b.WriteString(ip)
			sep = ", "
		}
	}
	if h.name != "" {
		b.WriteByte(')')
	}
}

func (h *hostSummary) empty() bool { return h.name == "" && len(h.ips) == 0 }

// clauses writes the parts after the subject of a summary: ": first, second, on host".
type clauses struct {
	b   *strings.Builder
	sep string
}

func (c *clauses) next() {
	if c.sep == "" {
		c.b.WriteString(": ")
		c.sep = ", "
		return
	}
	c.b.WriteString(c.sep)
}

func (c *clauses) text(s string) {
	if s != "" {
		c.next()
		c.b.WriteString(s)
	}
}

func (c *clauses) host(h *hostSummary) {
	if !h.empty() {
		c.next()
		c.b.WriteString("on ")
		h.appendTo(c.b)
	}
}

// detectionSummary is a detection's body: `QID 38170 "SSL Certificate - Expired": Confirmed
// Active, severity 3, on web01.example.com (10.0.0.5)`. Parts Qualys did not send are left out.
func detectionSummary(attrs pcommon.Map, host *hostSummary) string {
	var b strings.Builder
	b.Grow(160)
	b.WriteString("QID ")
	if v, ok := attrs.Get(AttrQID); ok {
		writeInt(&b, v.Int())
	}
	writeQuoted(&b, attrString(attrs, AttrVulnDescription))
	c := clauses{b: &b}
	typ, status := attrString(attrs, AttrDetectionType), attrString(attrs, AttrDetectionStatus)
	if typ != "" || status != "" {
		c.next()
		b.WriteString(typ)
		if typ != "" && status != "" {
			b.WriteByte(' ')
		}
		b.WriteString(status)
	}
	if v, ok := attrs.Get(AttrSeverity); ok {
		c.next()
		b.WriteString("severity ")
		writeInt(&b, v.Int())
	}
	c.host(host)
	return b.String()
}

// assetSummary is an asset's body: "Host web01.example.com (10.0.0.5), Windows Server 2019".
func assetSummary(host *hostSummary) string {
	var b strings.Builder
	b.Grow(96)
	b.WriteString("Host ")
	host.appendTo(&b)
	if host.os != "" {
		if !host.empty() {
			b.WriteString(", ")
		}
		b.WriteString(oneLine(host.os))
	}
	return b.String()
}

// postureSummary is a posture's body: `Control 1071 "Minimum password length": Failed, policy
// "CIS Benchmark", on web01.example.com (10.0.0.5)`.
func postureSummary(attrs pcommon.Map, host *hostSummary) string {
	var b strings.Builder
	b.Grow(200)
	b.WriteString("Control ")
	if v, ok := attrs.Get(AttrControlID); ok {
		writeInt(&b, v.Int())
	}
	writeQuoted(&b, attrString(attrs, AttrControlStatement))
	c := clauses{b: &b}
	c.text(attrString(attrs, AttrPostureStatus))
	if policy := attrString(attrs, AttrPolicyTitle); policy != "" {
		c.next()
		b.WriteString("policy")
		writeQuoted(&b, policy)
	} else if v, ok := attrs.Get(AttrPolicyID); ok {
		c.next()
		b.WriteString("policy ")
		writeInt(&b, v.Int())
	}
	c.host(host)
	return b.String()
}

func writeInt(b *strings.Builder, v int64) {
	var buf [20]byte
	b.Write(strconv.AppendInt(buf[:0], v, 10))
}

// writeQuoted writes ` "s"`, s on one line and shortened, quoted as Go quotes it.
func writeQuoted(b *strings.Builder, s string) {
	if s != "" {
		var buf [256]byte
		b.WriteByte(' ')
		b.Write(strconv.AppendQuote(buf[:0], shorten(oneLine(s))))
	}
}

func attrString(attrs pcommon.Map, key string) string {
	if v, ok := attrs.Get(key); ok {
		return v.AsString()
	}
	return ""
}

// maxSummaryText bounds a title, statement or policy name in a summary: the attributes carry the
// whole text, the body is for scanning a list.
const maxSummaryText = 160

// shorten cuts s to maxSummaryText runes, marking the cut with an ellipsis.
func shorten(s string) string {
	n := 0
	for i := range s {
		if n == maxSummaryText {
			return strings.TrimRightFunc(s[:i], unicode.IsSpace) + "…"
		}
		n++
	}
	return s
}

// oneLine folds line breaks, tabs and runs of spaces into single spaces.
func oneLine(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) && r != ' ' }) && !strings.Contains(s, "  ") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}
