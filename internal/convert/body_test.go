// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package convert

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/seed-d80aa3af/qualysreceiver/internal/decode"
	"github.com/seed-d80aa3af/qualysreceiver/internal/kb"
)

var (
	bodyPoll = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	bodyHost = HostIdentity{HostID: 7, DNS: "WEB01.example.com", IPv4: "10.0.0.5", IPv6: "fe80::1", OS: "Windows Server 2019"}
)

// oneRecord returns logs with one resource for host and one record written by write.
func oneRecord(host HostIdentity, write func(plog.LogRecord)) (plog.Logs, plog.LogRecord) {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	host.FillResource(rl.Resource())
	lr := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	write(lr)
	return ld, lr
}

func TestFinishDetectionSummary(t *testing.T) {
	d := &decode.Detection{QID: 38170, Type: "Confirmed", Status: "Active", Severity: 3, LastUpdate: bodyPoll.Add(-90 * 24 * time.Hour)}
	tests := []struct {
		name  string
		host  HostIdentity
		title string
		want  string
	}{
		{"with title", bodyHost, "SSL Certificate - Expired",
			`QID 38170 "SSL Certificate - Expired": Confirmed Active, severity 3, on web01.example.com (10.0.0.5, fe80::1)`},
		{"without KnowledgeBase", bodyHost, "",
			`QID 38170: Confirmed Active, severity 3, on web01.example.com (10.0.0.5, fe80::1)`},
		{"host named by its IP", HostIdentity{HostID: 8, IPv4: "10.0.0.9"}, "",
			`QID 38170: Confirmed Active, severity 3, on 10.0.0.9`},
		{"title over lines", bodyHost, "Apache\n\tHTTP  Server",
			`QID 38170 "Apache HTTP Server": Confirmed Active, severity 3, on web01.example.com (10.0.0.5, fe80::1)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ld, lr := oneRecord(tt.host, func(lr plog.LogRecord) {
				Detection(lr, d, bodyPoll)
				if tt.title != "" {
					KnowledgeBase(lr.Attributes(), &kb.Entry{QID: 38170, Title: tt.title})
				}
			})
			Finish(ld, RecordOptions{Body: BodySummary, Timestamp: TimestampPoll})
			assert.Equal(t, tt.want, lr.Body().Str())
		})
	}
}

func TestFinishAssetSummary(t *testing.T) {
	h := &decode.Host{ID: 7, DNS: "web01.example.com", IP: "10.0.0.5", OS: "Ubuntu 22.04"}
	ld, lr := oneRecord(HostFromVM(h), func(lr plog.LogRecord) { AssetRecord(lr, Asset{Host: h}, bodyPoll) })
	Finish(ld, RecordOptions{Body: BodySummary})
	assert.Equal(t, "Host web01.example.com (10.0.0.5), Ubuntu 22.04", lr.Body().Str())

	bare := &decode.Host{ID: 8}
	ld, lr = oneRecord(HostFromVM(bare), func(lr plog.LogRecord) { AssetRecord(lr, Asset{Host: bare}, bodyPoll) })
	Finish(ld, RecordOptions{Body: BodySummary})
	assert.Equal(t, "Host ", lr.Body().Str(), "a host Qualys names in no way still says what the record is")
}

func TestFinishPostureSummary(t *testing.T) {
	p := &decode.Posture{ID: 1, ControlID: 1071, ControlStatement: "Status of the 'Minimum Password Length'",
		Status: "Failed", PolicyID: 55, PolicyTitle: "CIS Benchmark", HostID: 7, DNS: "web01", IP: "10.0.0.5"}
	ld, lr := oneRecord(HostFromPCRS(p), func(lr plog.LogRecord) { Posture(lr, p, bodyPoll, false) })
	Finish(ld, RecordOptions{Body: BodySummary})
	assert.Equal(t, `Control 1071 "Status of the 'Minimum Password Length'": Failed, policy "CIS Benchmark", on web01 (10.0.0.5)`, lr.Body().Str())

	untitled := *p
	untitled.PolicyTitle, untitled.ControlStatement = "", strings.Repeat("x", 200)
	ld, lr = oneRecord(HostFromPCRS(&untitled), func(lr plog.LogRecord) { Posture(lr, &untitled, bodyPoll, false) })
	Finish(ld, RecordOptions{Body: BodySummary})
	assert.Equal(t, `Control 1071 "`+strings.Repeat("x", maxSummaryText)+`…": Failed, policy 55, on web01 (10.0.0.5)`, lr.Body().Str())
}

// The timestamp is the poll's start in poll mode and the Qualys date in qualys mode; the Qualys
// dates are attributes in both, and body none leaves the body empty.
func TestFinishTimestampAndNoBody(t *testing.T) {
	d := &decode.Detection{QID: 1, Status: "Fixed", LastUpdate: bodyPoll.Add(-200 * 24 * time.Hour)}
	for _, mode := range []TimestampMode{TimestampPoll, TimestampQualys} {
		ld, lr := oneRecord(bodyHost, func(lr plog.LogRecord) { Detection(lr, d, bodyPoll) })
		Finish(ld, RecordOptions{Body: BodyNone, Timestamp: mode})
		want := d.LastUpdate
		if mode == TimestampPoll {
			want = bodyPoll
		}
		assert.Equal(t, want, lr.Timestamp().AsTime(), string(mode))
		assert.Equal(t, bodyPoll, lr.ObservedTimestamp().AsTime(), string(mode))
		assert.Equal(t, pcommon.ValueTypeEmpty, lr.Body().Type(), string(mode))
		v, ok := lr.Attributes().Get(AttrDetectionLastUpdate)
		require.True(t, ok, string(mode))
		assert.Equal(t, "2025-06-29T12:00:00Z", v.Str(), string(mode))
	}
}

// BenchmarkFinish is the summary and timestamp pass over a batch of 1000 detections.
func BenchmarkFinish(b *testing.B) {
	d := benchDetection()
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	bodyHost.FillResource(rl.Resource())
	records := rl.ScopeLogs().AppendEmpty().LogRecords()
	for range 1000 {
		lr := records.AppendEmpty()
		Detection(lr, d, bodyPoll)
		KnowledgeBase(lr.Attributes(), &kb.Entry{QID: d.QID, Title: "SSL Certificate - Expired"})
	}
	b.ReportAllocs()
	for b.Loop() {
		Finish(ld, RecordOptions{Body: BodySummary, Timestamp: TimestampPoll})
	}
}
