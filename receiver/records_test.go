// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/seed-d80aa3af/qualysreceiver/internal/assets"
	"github.com/seed-d80aa3af/qualysreceiver/internal/compliance"
	"github.com/seed-d80aa3af/qualysreceiver/internal/convert"
	"github.com/seed-d80aa3af/qualysreceiver/internal/simulator"
)

// The body and timestamp options as the receiver applies them to what a stream emits (the
// factory's consumer runs convert.Finish on each batch): with the defaults, every record has its
// one-line summary and the poll's start as its timestamp (logs-summary.yaml); with body none and
// timestamp qualys, the records are exactly the streams' own goldens (logs.yaml), the Qualys date
// as timestamp and no body. The Qualys dates are attributes in both.
func TestRecordOptionsGolden(t *testing.T) {
	streams := map[string]func(t *testing.T) plog.Logs{
		"vulnerabilities": func(t *testing.T) plog.Logs {
			e := newSimEnv(t, simulator.TenantConfig{Hosts: 12, DetectionsPerHost: 3, QIDs: 20, ResultsBytes: 100}, simulator.Options{})
			require.NoError(t, newVulnStream(t, e, nil).Poll(t.Context(), e.sinks))
			return e.sinks.allLogs()
		},
		"assets": func(t *testing.T) plog.Logs {
			e := newSimEnv(t, simulator.TenantConfig{Hosts: 16, DetectionsPerHost: 1}, simulator.Options{})
			require.NoError(t, newAssetsStream(t, e, func(c *assets.Settings) { c.PageSize = 5 }).Poll(t.Context(), e.sinks))
			return e.sinks.allLogs()
		},
		"compliance": func(t *testing.T) plog.Logs {
			e := newComplianceEnv(t, simulator.TenantConfig{Hosts: 6, Policies: 2, ControlsPerPolicy: 3, HostsPerPolicy: 4}, simulator.Options{})
			s := newComplianceStream(t, e, func(c *compliance.Settings) { c.Evidence = true; c.PageSize = 3 })
			require.NoError(t, s.Poll(t.Context(), e.sinks))
			return e.sinks.allLogs()
		},
	}
	for name, pull := range streams {
		t.Run(name, func(t *testing.T) {
			emitted := pull(t)
			require.Positive(t, emitted.LogRecordCount())

			qualys := plog.NewLogs()
			emitted.CopyTo(qualys)
			convert.Finish(qualys, convert.RecordOptions{Body: convert.BodyNone, Timestamp: convert.TimestampQualys})
			assertGoldenLogs(t, name+"/logs.yaml", qualys)

			convert.Finish(emitted, convert.RecordOptions{Body: convert.BodySummary, Timestamp: convert.TimestampPoll})
			eachRecordOf(emitted, func(lr plog.LogRecord) {
				require.NotEmpty(t, lr.Body().Str(), "every record has a body")
				require.Equal(t, simTime, lr.Timestamp().AsTime(), "the timestamp is the poll's start")
			})
			assertGoldenLogs(t, name+"/logs-summary.yaml", emitted)
		})
	}
}

func eachRecordOf(ld plog.Logs, fn func(plog.LogRecord)) {
	for _, rl := range ld.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				fn(lr)
			}
		}
	}
}
