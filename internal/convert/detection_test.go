// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package convert

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/seed-d80aa3af/qualysreceiver/internal/decode"
)

// appendTime is time.Format(time.RFC3339) in UTC, also for zones, fractions and odd years.
func TestAppendTimeMatchesFormat(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	zones := []*time.Location{time.UTC, time.FixedZone("x", -7*3600-1800), time.FixedZone("y", 14*3600)}
	cases := []time.Time{
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 1, 15, 12, 0, 0, 0, zones[1]),
	}
	for range 10000 {
		cases = append(cases, time.Unix(rnd.Int64N(1<<35)-1<<34, rnd.Int64N(1e9)).In(zones[rnd.IntN(len(zones))]))
	}
	for _, c := range cases {
		require.Equal(t, c.UTC().Format(time.RFC3339), string(appendTime(nil, c)), "%v", c)
	}
}

// Detection writes the dates with one string per record; each attribute still reads as its own date.
func TestDetectionDates(t *testing.T) {
	t0 := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	d := &decode.Detection{QID: 1, FirstFound: t0.Add(-48 * time.Hour), LastTest: t0, LastReopened: t0.Add(time.Second)}
	lr := plog.NewLogRecord()
	Detection(lr, d, t0)
	want := map[string]string{
		AttrDetectionFirstFound: "2026-01-13T12:00:00Z", AttrDetectionLastTest: "2026-01-15T12:00:00Z",
		AttrDetectionLastReopened: "2026-01-15T12:00:01Z",
	}
	got := map[string]string{}
	lr.Attributes().Range(func(k string, v pcommon.Value) bool {
		if _, ok := want[k]; ok || k == AttrDetectionLastFound || k == AttrDetectionLastUpdate {
			got[k] = v.Str()
		}
		return true
	})
	assert.Equal(t, want, got)
}

func benchDetection() *decode.Detection {
	t0 := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	return &decode.Detection{
		QID: 38170, UniqueVulnID: 370004014887, Type: "Confirmed", Severity: 3, Port: 443, Protocol: "tcp",
		SSL: true, Status: "Active", Results: "TLSv1.0 is supported", QDS: 52, QDSSeverity: "MEDIUM",
		QDSFactors: []decode.QDSFactor{
			{Name: "RTI", Value: "dos,remote_code_execution"}, {Name: "exploit_maturity", Value: "weaponized"},
			{Name: "CVSS", Value: "6.1"}, {Name: "CVSS_version", Value: "v3.x"}, {Name: "epss", Value: "0.6071"},
			{Name: "CVSS_vector", Value: "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"},
		},
		FirstFound: t0.Add(-400 * 24 * time.Hour), LastFound: t0.Add(-time.Hour), LastTest: t0.Add(-time.Hour),
		LastUpdate: t0.Add(-30 * 24 * time.Hour), LastProcessed: t0, TimesFound: 213,
	}
}

// BenchmarkDetection is convert.Detection alone, into batches of 1000 records.
func BenchmarkDetection(b *testing.B) {
	d := benchDetection()
	observed := time.Now()
	b.ReportAllocs()
	ld := plog.NewLogs()
	records := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	for b.Loop() {
		if records.Len() == 1000 {
			ld = plog.NewLogs()
			records = ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
		}
		Detection(records.AppendEmpty(), d, observed)
	}
}
