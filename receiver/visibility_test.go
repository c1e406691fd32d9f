// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.uber.org/zap/zapcore"

	"github.com/seed-d80aa3af/qualysreceiver/internal/checkpoint"
	"github.com/seed-d80aa3af/qualysreceiver/internal/simulator"
	"github.com/seed-d80aa3af/qualysreceiver/internal/vulnerabilities"
)

// The failures that do not end a poll still show in the receiver's own metrics, not only in its log.
const (
	metricConsumerRefusals   = "otelcol_receiver_qualys_consumer_refusals"
	metricRecordsSkipped     = "otelcol_receiver_qualys_records_skipped"
	metricCheckpointFailures = "otelcol_receiver_qualys_checkpoint_failures"
)

// rejectingSinks rejects the first batch of logs permanently, as an exporter does with data it can
// never send, and accepts the rest.
type rejectingSinks struct {
	*testSinks
	mu       sync.Mutex
	rejected int
}

func (s *rejectingSinks) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	s.mu.Lock()
	first := s.rejected == 0
	if first {
		s.rejected = ld.LogRecordCount()
	}
	s.mu.Unlock()
	if first {
		return consumererror.NewPermanent(errors.New("invalid for the exporter"))
	}
	return s.testSinks.ConsumeLogs(ctx, ld)
}

func TestRefusalsCounted(t *testing.T) {
	e := newFaultEnv(t, simulator.TenantConfig{Hosts: 30, DetectionsPerHost: 3}, simulator.Options{}, faultEnvOptions{})
	s := e.vulnStream(t, func(c *vulnerabilities.Settings) { c.Workers = 1 })
	e.sinks.refuse = 3
	require.NoError(t, e.poller(s).pollOnce(t.Context()))
	assert.Equal(t, 3.0, e.metric(metricConsumerRefusals, kv("stream", vulnerabilities.Name), kv("outcome", "retried")))
	assert.Zero(t, e.metric(metricConsumerRefusals, kv("outcome", "dropped")))
	assert.Zero(t, e.metric(metricRecordsSkipped))
	assertNoDetectionLost(t, e.simEnv, 0)
}

func TestPermanentRejectionCounted(t *testing.T) {
	e := newFaultEnv(t, simulator.TenantConfig{Hosts: 30, DetectionsPerHost: 3}, simulator.Options{}, faultEnvOptions{})
	s := e.vulnStream(t, func(c *vulnerabilities.Settings) { c.Workers = 1 })
	sinks := &rejectingSinks{testSinks: e.sinks}
	p := newScheduler(ScheduledStream{Stream: s, Schedule: Schedule{Interval: time.Hour}}, sinks, e.logger, e.telemetry)
	require.NoError(t, p.pollOnce(t.Context()), "a permanent rejection does not stall the stream")

	require.Positive(t, sinks.rejected)
	want := e.tenant.Counts(simulator.Query{Statuses: allStatuses}).Detections
	assert.Equal(t, want-sinks.rejected, e.sinks.records(), "the rest arrives")
	assert.Equal(t, 1.0, e.metric(metricConsumerRefusals, kv("stream", vulnerabilities.Name), kv("outcome", "dropped")))
	assert.Equal(t, float64(sinks.rejected), e.metric(metricRecordsSkipped, kv("stream", vulnerabilities.Name), kv("reason", "rejected")))
	assertLogged(t, e.logs, zapcore.ErrorLevel, "The next consumer permanently rejected records")
}

// corruptingTransport breaks the first QID of every Host List Detection answer, so Qualys seems to
// send one detection that cannot be read per page.
type corruptingTransport struct{}

func (corruptingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil || !strings.Contains(req.URL.Path, "/vm/detection/") {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	body = bytes.Replace(body, []byte("<QID>"), []byte("<QID>not-a-number"), 1)
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Del("Content-Length")
	return resp, nil
}

func TestUnreadableRecordsCounted(t *testing.T) {
	e := newFaultEnv(t, simulator.TenantConfig{Hosts: 30, DetectionsPerHost: 3}, simulator.Options{},
		faultEnvOptions{httpClient: &http.Client{Transport: corruptingTransport{}}})
	s := e.vulnStream(t, func(c *vulnerabilities.Settings) { c.Workers = 1 })
	require.NoError(t, s.Poll(t.Context(), e.sinks))

	pages := 0.0
	for _, r := range e.server.Requests() {
		if r.Endpoint == simulator.EndpointHLD {
			pages++
		}
	}
	require.Greater(t, pages, 1.0)
	want := e.tenant.Counts(simulator.Query{Statuses: allStatuses}).Detections
	assert.Equal(t, want-int(pages), e.sinks.records(), "one detection per page lost to the corruption, the rest arrive")
	assert.Equal(t, pages, e.metric(metricRecordsSkipped, kv("stream", vulnerabilities.Name), kv("reason", "unreadable")))
	assertLogged(t, e.logs, zapcore.WarnLevel, "Unreadable records skipped in a Host List Detection page")
}

// failingStorage is a storage extension whose writes fail (a full or read-only disk).
type failingStorage struct{ storage.Client }

func (failingStorage) Set(context.Context, string, []byte) error { return errors.New("disk full") }

func TestCheckpointFailuresCounted(t *testing.T) {
	e := newFaultEnv(t, simulator.TenantConfig{Hosts: 30, DetectionsPerHost: 3}, simulator.Options{}, faultEnvOptions{})
	s := e.vulnStream(t, func(c *vulnerabilities.Settings) {
		c.Workers = 1
		c.Store = checkpoint.New(failingStorage{storage.NewNopClient()})
	})
	require.NoError(t, s.Poll(t.Context(), e.sinks), "a storage failure does not stop the pull")
	assert.Positive(t, e.metric(metricCheckpointFailures, kv("stream", vulnerabilities.Name)))
	assertLogged(t, e.logs, zapcore.WarnLevel, "Checkpoint not saved; a restart would repeat more")
	assertNoDetectionLost(t, e.simEnv, 0)
}
