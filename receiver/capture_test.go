// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver

import (
	"bytes"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/plogtest"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/pmetrictest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.uber.org/zap"

	"github.com/seed-d80aa3af/qualysreceiver/internal/assets"
	"github.com/seed-d80aa3af/qualysreceiver/internal/capture"
	"github.com/seed-d80aa3af/qualysreceiver/internal/checkpoint"
	"github.com/seed-d80aa3af/qualysreceiver/internal/compliance"
	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
	"github.com/seed-d80aa3af/qualysreceiver/internal/simulator"
)

const (
	captureUser     = "capture_canary_user"
	capturePassword = "Pw-capture-canary-4Jq!z%/+"
)

// newCaptureEnv is a simulated tenant, served with the HTTP Date the compliance stream reads,
// whose client captures every answer into dir.
func newCaptureEnv(t *testing.T, dir string, rec *authRecorder) *simEnv {
	t.Helper()
	e := newSimEnv(t, simulator.TenantConfig{Hosts: 14, DetectionsPerHost: 3, QIDs: 25, ResultsBytes: 80,
		Policies: 2, ControlsPerPolicy: 3, HostsPerPolicy: 5}, simulator.Options{Username: captureUser, Password: capturePassword})
	srv := httptest.NewServer(rec.wrap(e))
	t.Cleanup(srv.Close)
	w, err := capture.NewWriter(dir, 100<<20, nil)
	require.NoError(t, err)
	e.client = newCapturingClient(t, e, srv.URL, capturePassword, w)
	return e
}

func newCapturingClient(t *testing.T, e *simEnv, baseURL, password string, w *capture.Writer) *qualys.Client {
	t.Helper()
	c, err := qualys.New(http.DefaultClient, qualys.Settings{
		APIServerURL: baseURL, GatewayURL: baseURL, Username: captureUser, Password: password,
		MaxConcurrency: 2, Retry: testRetry(), Logger: e.logger, Clock: clientClock{e}, Capture: w,
	})
	require.NoError(t, err)
	return c
}

// newReplayEnv polls the replay of dir with fresh checkpoints and sinks, later than the capture,
// as a user's replay is.
func newReplayEnv(t *testing.T, dir string, later time.Duration) (*simEnv, *simulator.Replay, *bytes.Buffer) {
	t.Helper()
	var replayLog bytes.Buffer
	replay, err := simulator.NewReplay(dir, log.New(&replayLog, "", 0))
	require.NoError(t, err)
	srv := httptest.NewServer(replay)
	t.Cleanup(srv.Close)
	e := &simEnv{now: simTime.Add(later), advanced: later, sinks: &testSinks{}, store: checkpoint.New(nil), logger: zap.NewNop()}
	// Any password works on a replay, and none is in the capture.
	e.client = newCapturingClient(t, e, srv.URL, "not-the-password", nil)
	return e, replay, &replayLog
}

// pollEveryStream polls the vulnerabilities, assets and compliance streams once each and returns
// the summary metrics of each poll.
func pollEveryStream(t *testing.T, e *simEnv) []pmetric.Metrics {
	t.Helper()
	streams := []Stream{
		newVulnStream(t, e, nil),
		newAssetsStream(t, e, nil),
		newComplianceStream(t, e, func(c *compliance.Settings) { c.Evidence = true; c.PageSize = 3 }),
	}
	var metrics []pmetric.Metrics
	for _, s := range streams {
		before := e.sinks.records()
		require.NoError(t, s.Poll(t.Context(), e.sinks), s.Name())
		require.Greater(t, e.sinks.records(), before, "%s emitted records", s.Name())
		metrics = append(metrics, e.sinks.lastMetrics())
	}
	return metrics
}

// A poll of every stream, captured, then replayed by qualys-simulator -replay an hour later,
// emits the same records and metrics, and the replay answered every request from the capture.
func TestCaptureReplayGivesTheSameRecords(t *testing.T) {
	dir := t.TempDir()
	captured := newCaptureEnv(t, dir, &authRecorder{values: map[string]bool{}})
	capturedMetrics := pollEveryStream(t, captured)
	require.Positive(t, captured.sinks.records())

	replayed, replay, replayLog := newReplayEnv(t, dir, time.Hour)
	replayedMetrics := pollEveryStream(t, replayed)

	assert.Empty(t, replay.Misses(), "requests the capture could not answer:\n%s", replayLog)
	require.NoError(t, plogtest.CompareLogs(captured.sinks.allLogs(), replayed.sinks.allLogs(),
		plogtest.IgnoreResourceLogsOrder(), plogtest.IgnoreLogRecordsOrder(), plogtest.IgnoreObservedTimestamp()))
	for i := range capturedMetrics {
		require.NoError(t, pmetrictest.CompareMetrics(capturedMetrics[i], replayedMetrics[i],
			pmetrictest.IgnoreTimestamp(), pmetrictest.IgnoreStartTimestamp(),
			pmetrictest.IgnoreMetricDataPointsOrder(), pmetrictest.IgnoreMetricsOrder()))
	}
}

// A request the capture never saw gets a Qualys-shaped 404 naming it, and a log line.
func TestReplayAnswersAnUncapturedRequestWithAnError(t *testing.T) {
	dir := t.TempDir()
	captured := newCaptureEnv(t, dir, &authRecorder{values: map[string]bool{}})
	require.NoError(t, newAssetsStream(t, captured, nil).Poll(t.Context(), captured.sinks))

	replayed, replay, replayLog := newReplayEnv(t, dir, 0)
	err := newAssetsStream(t, replayed, func(c *assets.Settings) { c.Tags = qualys.TagFilter{Include: []string{"Never-Captured"}} }).
		Poll(t.Context(), replayed.sinks)
	var qe *qualys.Error
	require.ErrorAs(t, err, &qe)
	assert.Equal(t, http.StatusNotFound, qe.StatusCode)
	assert.Contains(t, qe.Error(), "no captured answer")
	assert.Equal(t, []string{"POST " + qualys.HostListPath}, replay.Misses())
	assert.Contains(t, replayLog.String(), "no captured answer has this method, path and parameters: POST "+qualys.HostListPath)
}

// Neither the password (as configured, URL-encoded or in basic auth), nor the username, nor any
// token the gateway issued, nor an Authorization or Cookie header is in a captured file.
func TestCaptureHoldsNoCredential(t *testing.T) {
	dir := t.TempDir()
	rec := &authRecorder{values: map[string]bool{}}
	e := newCaptureEnv(t, dir, rec)
	pollEveryStream(t, e)

	var hay strings.Builder
	files, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		raw, err := os.ReadFile(filepath.Join(dir, f.Name()))
		require.NoError(t, err)
		hay.Write(raw)
		hay.WriteString(f.Name())
	}
	haystack := hay.String()
	forbidden := append(rec.secrets(t, captureUser, capturePassword), captureUser, "Authorization", "Cookie", "Bearer", "Basic ", "eyJ")
	for _, secret := range forbidden {
		if i := strings.Index(haystack, secret); i >= 0 {
			t.Errorf("%q written: …%s…", secret, haystack[max(0, i-120):min(len(haystack), i+len(secret)+40)])
		}
	}
}
