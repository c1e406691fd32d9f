// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.opentelemetry.io/otel/attribute"

	"github.com/seed-d80aa3af/qualysreceiver/internal/metadata"
	"github.com/seed-d80aa3af/qualysreceiver/internal/simulator"
)

// statusHost records the component status events the receiver reports, as the collector's host
// hands them to the health_check extension.
type statusHost struct {
	component.Host
	mu     sync.Mutex
	events []*componentstatus.Event
}

func (h *statusHost) Report(ev *componentstatus.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.events = append(h.events, ev)
}

func (h *statusHost) last() *componentstatus.Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.events) == 0 {
		return nil
	}
	return h.events[len(h.events)-1]
}

// The receiver counts what it hands on in the collector's standard receiver metrics (accepted and
// refused log records and metric points, transport http), and reports a recoverable error while a
// stream's check fails, then OK once that stream polls again.
func TestObsReportAndComponentStatus(t *testing.T) {
	e := newComplianceEnv(t, simulator.TenantConfig{Hosts: 20, DetectionsPerHost: 2, Policies: 1, ControlsPerPolicy: 2},
		simulator.Options{PCRSRateLimit: -1, MissingPermissions: []simulator.Permission{simulator.PermPC}})
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	set := receivertest.NewNopSettings(metadata.Type)
	set.ID = component.MustNewIDWithName("qualys", "test")
	set.TelemetrySettings = tel.NewTelemetrySettings()
	set.Logger = e.logger

	build := func(context.Context, component.Host, storage.Client) (Runtime, error) {
		return Runtime{Streams: []ScheduledStream{
			{Stream: newComplianceStream(t, e, nil), Schedule: Schedule{Interval: 50 * time.Millisecond}},
			{Stream: newVulnStream(t, e, nil), Schedule: Schedule{Interval: time.Hour}},
		}}, nil
	}
	// The next consumer refuses its first batch once: counted as refused, then accepted on retry.
	var refusals atomic.Int32
	pipeline, err := consumer.NewLogs(func(ctx context.Context, ld plog.Logs) error {
		if refusals.Add(1) == 1 {
			return errRefused
		}
		return e.sinks.ConsumeLogs(ctx, ld)
	})
	require.NoError(t, err)
	logs, err := ObservedLogs(set, pipeline)
	require.NoError(t, err)
	metrics, err := ObservedMetrics(set, sinkMetrics(e.sinks))
	require.NoError(t, err)

	r := New(set, Options{}, build)
	r.SetLogs(logs)
	r.SetMetrics(metrics)
	host := &statusHost{Host: componenttest.NewNopHost()}
	require.NoError(t, r.Start(t.Context(), host))
	defer func() { require.NoError(t, r.Shutdown(context.Background())) }()

	want := e.tenant.Counts(simulator.Query{Statuses: allStatuses})
	receiver := attribute.String("receiver", "qualys/test")
	transport := attribute.String("transport", "http")
	require.Eventually(t, func() bool {
		return telemetryValue(tel, "otelcol_receiver_accepted_log_records", receiver, transport) == float64(want.Detections)
	}, 10*time.Second, 5*time.Millisecond, "every detection counted as accepted once")
	assert.Positive(t, telemetryValue(tel, "otelcol_receiver_refused_log_records", receiver, transport), "the refused batch")
	require.Eventually(t, func() bool {
		return telemetryValue(tel, "otelcol_receiver_accepted_metric_points", receiver, transport) == float64(e.sinks.lastMetrics().DataPointCount())
	}, 10*time.Second, 5*time.Millisecond, "the gauges' points counted as accepted")

	require.Eventually(t, func() bool {
		ev := host.last()
		return ev != nil && ev.Status() == componentstatus.StatusRecoverableError
	}, 10*time.Second, 5*time.Millisecond, "a failing check is a recoverable error")
	assert.ErrorContains(t, host.last().Err(), "compliance: ")
	assert.ErrorContains(t, host.last().Err(), "403")

	e.server.SetPermission(simulator.PermPC, true)
	require.Eventually(t, func() bool {
		ev := host.last()
		return ev != nil && ev.Status() == componentstatus.StatusOK
	}, 10*time.Second, 5*time.Millisecond, "OK once the stream polls again")
}

func sinkMetrics(s *testSinks) consumer.Metrics {
	c, _ := consumer.NewMetrics(s.ConsumeMetrics)
	return c
}
