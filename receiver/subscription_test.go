// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/seed-d80aa3af/qualysreceiver/internal/convert"
	"github.com/seed-d80aa3af/qualysreceiver/internal/metadata"
	"github.com/seed-d80aa3af/qualysreceiver/internal/simulator"
	"github.com/seed-d80aa3af/qualysreceiver/internal/telemetry"
	"github.com/seed-d80aa3af/qualysreceiver/internal/vulnerabilities"
)

// Two receivers in one collector share its meter provider. Every series of their own telemetry
// carries the receiver's id, so one receiver failing every call neither adds to the other's polls
// nor moves its last successful poll, and every resource they emit names its own subscription.
func TestTwoReceiversKeepTheirTelemetryAndResourcesApart(t *testing.T) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	poll := func(id string, fault *simulator.Fault) (*simEnv, error) {
		e := newSimEnv(t, simulator.TenantConfig{Hosts: 4, DetectionsPerHost: 2}, simulator.Options{})
		if fault != nil {
			_, err := e.server.InjectFault(*fault)
			require.NoError(t, err)
		}
		tb, err := metadata.NewTelemetryBuilder(tel.NewTelemetrySettings())
		require.NoError(t, err)
		s := newVulnStream(t, e, func(c *vulnerabilities.Settings) {
			c.Telemetry = telemetry.New(tb, id)
			c.Source = convert.Source{APIServer: "qualysapi." + id, ReceiverID: id}
		})
		return e, s.Poll(t.Context(), e.sinks)
	}
	us, err := poll("qualys/us", nil)
	require.NoError(t, err)
	_, err = poll("qualys/eu", &simulator.Fault{Kind: simulator.FaultAccountExpired, Count: -1})
	require.Error(t, err)

	for _, name := range []string{metricPolls, metricPollDuration, metricRecords, metricLastPoll} {
		m, err := tel.GetMetric(name)
		require.NoError(t, err, name)
		for _, set := range pointAttributes(m) {
			v, ok := set.Value("receiver")
			assert.True(t, ok && (v.AsString() == "qualys/us" || v.AsString() == "qualys/eu"), "%s: a series without the receiver: %v", name, set)
		}
	}
	usKV, euKV := attribute.String("receiver", "qualys/us"), attribute.String("receiver", "qualys/eu")
	assert.Equal(t, 1.0, telemetryValue(tel, metricPolls, usKV, kv("outcome", "ok")))
	assert.Zero(t, telemetryValue(tel, metricPolls, usKV, kv("outcome", "error")))
	assert.Equal(t, 1.0, telemetryValue(tel, metricPolls, euKV, kv("outcome", "error"), kv("error_kind", "auth")))
	assert.Zero(t, telemetryValue(tel, metricPolls, euKV, kv("outcome", "ok")))
	assert.Positive(t, telemetryValue(tel, metricLastPoll, usKV))
	assert.Zero(t, telemetryValue(tel, metricLastPoll, euKV), "never completed: 0")

	// Every resource, of records and of metrics, names the subscription.
	logs := us.sinks.allLogs()
	require.Positive(t, logs.LogRecordCount())
	for _, rl := range logs.ResourceLogs().All() {
		assert.Equal(t, map[string]any{convert.AttrServerAddress: "qualysapi.qualys/us", convert.AttrReceiverID: "qualys/us"},
			pick(rl.Resource().Attributes().AsRaw(), convert.AttrServerAddress, convert.AttrReceiverID))
	}
	md := us.sinks.lastMetrics()
	require.Positive(t, md.DataPointCount())
	for _, rm := range md.ResourceMetrics().All() {
		assert.Equal(t, map[string]any{convert.AttrServerAddress: "qualysapi.qualys/us", convert.AttrReceiverID: "qualys/us"},
			rm.Resource().Attributes().AsRaw())
	}
}

// A stream whose start-up check fails (an expired account) counts a failed poll with its kind, and
// last_successful_poll exists at 0 ("never") so a dashboard shows the stream; once a poll completes
// it holds that poll's time, and a later failure does not take it back to 0.
func TestFailedStartupCheckIsAFailedPoll(t *testing.T) {
	e := newFaultEnv(t, simulator.TenantConfig{Hosts: 5, DetectionsPerHost: 2}, simulator.Options{}, faultEnvOptions{})
	_, err := e.server.InjectFault(simulator.Fault{Kind: simulator.FaultAccountExpired, Count: 2})
	require.NoError(t, err)
	s := e.vulnStream(t, nil)
	ticks := make(chan time.Time)
	sched := e.poller(s)
	sched.clock = tickClock(ticks)
	done := make(chan struct{})
	ctx, cancel := context.WithCancel(t.Context())
	go func() { defer close(done); sched.run(ctx) }()
	defer func() { cancel(); <-done }()

	vuln := kv("stream", vulnerabilities.Name)
	require.Eventually(t, func() bool { return e.metric(metricPolls, vuln, kv("error_kind", "auth")) == 1 }, 5*time.Second, 5*time.Millisecond)
	assert.Equal(t, 1.0, e.metric(metricPolls, vuln, kv("outcome", "error"), kv("receiver", testReceiverID)))
	m, err := e.tel.GetMetric(metricLastPoll)
	require.NoError(t, err, "last_successful_poll exists before any poll completed")
	require.Len(t, pointAttributes(m), 1)
	assert.Zero(t, e.metric(metricLastPoll, vuln))
	assert.Zero(t, e.sinks.records(), "no poll while the check fails")

	ticks <- time.Now() // the second check fails too (Count: 2), the third passes and polls
	require.Eventually(t, func() bool { return e.metric(metricPolls, vuln, kv("error_kind", "auth")) == 2 }, 5*time.Second, 5*time.Millisecond)
	ticks <- time.Now()
	require.Eventually(t, func() bool { return e.metric(metricPolls, vuln, kv("outcome", "ok")) == 1 }, 5*time.Second, 5*time.Millisecond)
	completed := e.metric(metricLastPoll, vuln)
	assert.Positive(t, completed)

	_, err = e.server.InjectFault(simulator.Fault{Kind: simulator.FaultAccountExpired, Count: -1})
	require.NoError(t, err)
	ticks <- time.Now() // the poll fails on the account
	require.Eventually(t, func() bool { return e.metric(metricPolls, vuln, kv("error_kind", "auth")) == 3 }, 5*time.Second, 5*time.Millisecond)
	assert.Equal(t, completed, e.metric(metricLastPoll, vuln), "a failure keeps the last completed poll's time")
}

func pointAttributes(m metricdata.Metrics) []attribute.Set {
	var out []attribute.Set
	switch d := m.Data.(type) {
	case metricdata.Sum[int64]:
		for _, p := range d.DataPoints {
			out = append(out, p.Attributes)
		}
	case metricdata.Sum[float64]:
		for _, p := range d.DataPoints {
			out = append(out, p.Attributes)
		}
	case metricdata.Gauge[int64]:
		for _, p := range d.DataPoints {
			out = append(out, p.Attributes)
		}
	case metricdata.Histogram[float64]:
		for _, p := range d.DataPoints {
			out = append(out, p.Attributes)
		}
	}
	return out
}

func pick(m map[string]any, keys ...string) map[string]any {
	out := map[string]any{}
	for _, k := range keys {
		if v, ok := m[k]; ok {
			out[k] = v
		}
	}
	return out
}
