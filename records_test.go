// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualysreceiver

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/seed-d80aa3af/qualysreceiver/internal/convert"
	"github.com/seed-d80aa3af/qualysreceiver/internal/decode"
	"github.com/seed-d80aa3af/qualysreceiver/internal/metadata"
)

// What the factory's logs receiver hands the pipeline carries the configured body and timestamp.
func TestNextLogsAppliesRecordOptions(t *testing.T) {
	poll := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	updated := poll.Add(-120 * 24 * time.Hour)
	batch := func() plog.Logs {
		ld := plog.NewLogs()
		rl := ld.ResourceLogs().AppendEmpty()
		id := convert.HostIdentity{HostID: 1, DNS: "web01", IPv4: "10.0.0.5"}
		id.FillResource(rl.Resource())
		lr := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
		convert.Detection(lr, &decode.Detection{QID: 38170, Type: "Confirmed", Status: "New", Severity: 4, LastUpdate: updated}, poll)
		return ld
	}
	tests := []struct {
		body, timestamp string
		wantBody        string
		wantTime        time.Time
	}{
		{"summary", "poll", "QID 38170: Confirmed New, severity 4, on web01 (10.0.0.5)", poll},
		{"none", "qualys", "", updated},
		{"summary", "qualys", "QID 38170: Confirmed New, severity 4, on web01 (10.0.0.5)", updated},
	}
	for _, tt := range tests {
		t.Run(tt.body+"/"+tt.timestamp, func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			cfg.Body, cfg.Timestamp = BodyMode(tt.body), TimestampMode(tt.timestamp)
			sink := new(consumertest.LogsSink)
			next, err := nextLogs(receivertest.NewNopSettings(metadata.Type), cfg, sink)
			require.NoError(t, err)
			require.NoError(t, next.ConsumeLogs(t.Context(), batch()))
			lr := sink.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
			assert.Equal(t, tt.wantBody, lr.Body().AsString())
			assert.Equal(t, tt.wantTime, lr.Timestamp().AsTime())
		})
	}
}
