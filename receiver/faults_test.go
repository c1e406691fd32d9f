// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver

import (
	"context"
	"errors"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/seed-d80aa3af/qualysreceiver/internal/assets"
	"github.com/seed-d80aa3af/qualysreceiver/internal/checkpoint"
	"github.com/seed-d80aa3af/qualysreceiver/internal/compliance"
	"github.com/seed-d80aa3af/qualysreceiver/internal/convert"
	"github.com/seed-d80aa3af/qualysreceiver/internal/kb"
	"github.com/seed-d80aa3af/qualysreceiver/internal/metadata"
	"github.com/seed-d80aa3af/qualysreceiver/internal/metadatatest"
	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
	"github.com/seed-d80aa3af/qualysreceiver/internal/simulator"
	"github.com/seed-d80aa3af/qualysreceiver/internal/telemetry"
	"github.com/seed-d80aa3af/qualysreceiver/internal/vulnerabilities"
)

// The fault matrix of issue 8: every way a Qualys answer can go wrong, injected by the simulator
// into a running stream. Each case proves four things: the stream keeps running (the next poll
// works), the failure is reported (a log line and one of the receiver's own metrics), nothing the
// consumer accepted is lost (everything received adds up to the simulator's counts, at most one
// page repeated), and the stream recovers once the fault clears.

// simClock runs the client's waits (limit waits, back-off, token expiry) on the simulated clock: a
// wait moves the clock forward at once, so the simulator sees the time pass and a test honours a
// 23-hour SECONDS_TO_WAIT without sleeping.
type simClock struct{ e *simEnv }

func (c simClock) Now() time.Time { return c.e.clock() }

func (c simClock) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	ch <- c.e.advance(max(d, 0))
	return ch
}

// faultEnv is a simEnv whose client reports to the receiver's own telemetry, which the test reads
// back as the collector would export it.
type faultEnv struct {
	*simEnv
	tel       *componenttest.Telemetry
	telemetry *telemetry.Telemetry
}

type faultEnvOptions struct {
	// httpClient is the client's transport; nil is http.DefaultClient.
	httpClient *http.Client
	// wallClock keeps the client on real time instead of the simulated clock.
	wallClock bool
	// compliance serves the simulator as newComplianceEnv does (gateway Date header).
	compliance bool
}

func newFaultEnv(t *testing.T, tc simulator.TenantConfig, so simulator.Options, o faultEnvOptions) *faultEnv {
	t.Helper()
	var e *simEnv
	if o.compliance {
		e = newComplianceEnv(t, tc, so)
	} else {
		e = newSimEnv(t, tc, so)
	}
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	tb, err := metadata.NewTelemetryBuilder(tel.NewTelemetrySettings())
	require.NoError(t, err)
	rt := telemetry.New(tb, testReceiverID)

	hc := o.httpClient
	if hc == nil {
		hc = http.DefaultClient
	}
	user, pass := so.Username, so.Password
	if user == "" {
		user, pass = "qualys_user", "qualys_pass"
	}
	var clk qualys.Clock
	if !o.wallClock {
		clk = simClock{e}
	}
	client, err := qualys.New(hc, qualys.Settings{
		APIServerURL: e.apiURL, GatewayURL: e.gatewayURL, Username: user, Password: pass,
		MaxConcurrency: 2, Retry: testRetry(), Logger: e.logger, Observer: rt, Clock: clk,
	})
	require.NoError(t, err)
	e.client = client
	return &faultEnv{simEnv: e, tel: tel, telemetry: rt}
}

// vulnStream is the vulnerabilities stream reporting to the env's telemetry, pulling pages of 10
// hosts in batches of 8 records, so a page is accepted in several batches and a fault can strike
// between two of them.
func (e *faultEnv) vulnStream(t *testing.T, mutate func(*vulnerabilities.Settings)) *vulnerabilities.Stream {
	t.Helper()
	return newVulnStream(t, e.simEnv, func(c *vulnerabilities.Settings) {
		c.Telemetry = e.telemetry
		c.PageSize = faultPageHosts
		c.BatchRecords = 8
		if mutate != nil {
			mutate(c)
		}
	})
}

const faultPageHosts = 10

// poller polls s the way the receiver's scheduler does, logging what the scheduler logs.
func (e *faultEnv) poller(s Stream) *scheduler {
	return newScheduler(ScheduledStream{Stream: s, Schedule: Schedule{Interval: time.Hour}}, e.sinks,
		e.logger.With(zap.String("stream", s.Name())), e.telemetry)
}

// metric adds up the points of one of the receiver's own metrics whose attributes include attrs:
// the values of sums and gauges, the counts of histograms; 0 when there is none.
func (e *faultEnv) metric(name string, attrs ...attribute.KeyValue) float64 {
	return telemetryValue(e.tel, name, attrs...)
}

func telemetryValue(tel *componenttest.Telemetry, name string, attrs ...attribute.KeyValue) float64 {
	m, err := tel.GetMetric(name)
	if err != nil {
		return 0
	}
	match := func(set attribute.Set) bool {
		for _, kv := range attrs {
			v, ok := set.Value(kv.Key)
			if !ok || v.Emit() != kv.Value.Emit() {
				return false
			}
		}
		return true
	}
	var total float64
	switch d := m.Data.(type) {
	case metricdata.Sum[int64]:
		for _, p := range d.DataPoints {
			if match(p.Attributes) {
				total += float64(p.Value)
			}
		}
	case metricdata.Sum[float64]:
		for _, p := range d.DataPoints {
			if match(p.Attributes) {
				total += p.Value
			}
		}
	case metricdata.Gauge[int64]:
		for _, p := range d.DataPoints {
			if match(p.Attributes) {
				total += float64(p.Value)
			}
		}
	case metricdata.Histogram[float64]:
		for _, p := range d.DataPoints {
			if match(p.Attributes) {
				total += float64(p.Count)
			}
		}
	}
	return total
}

// Names of the receiver's own metrics, as the collector exports them.
const (
	metricRequests       = "otelcol_receiver_qualys_requests"
	metricLimitWaits     = "otelcol_receiver_qualys_limit_waits"
	metricLimitWaitTime  = "otelcol_receiver_qualys_limit_wait_duration"
	metricRecords        = "otelcol_receiver_qualys_records"
	metricPolls          = "otelcol_receiver_qualys_polls"
	metricPollDuration   = "otelcol_receiver_qualys_poll_duration"
	metricLastPoll       = "otelcol_receiver_qualys_last_successful_poll"
	metricRecordsAltered = "otelcol_receiver_qualys_records_altered"
)

// assertLogged checks that a line containing snippet was logged at level or above.
func assertLogged(t *testing.T, logs *observer.ObservedLogs, level zapcore.Level, snippet string) {
	t.Helper()
	for _, entry := range logs.FilterMessageSnippet(snippet).All() {
		if entry.Level >= level {
			return
		}
	}
	var seen []string
	for _, entry := range logs.All() {
		if entry.Level >= zapcore.InfoLevel {
			seen = append(seen, entry.Level.String()+" "+entry.Message)
		}
	}
	t.Errorf("no %s line containing %q; logged:\n%s", level, snippet, strings.Join(seen, "\n"))
}

// assertNoDetectionLost checks that the records received over every poll cover each detection the
// simulator selects, and that at most maxRepeatedHosts hosts came more than once. It returns the
// number of hosts repeated.
func assertNoDetectionLost(t *testing.T, e *simEnv, maxRepeatedHosts int) int {
	t.Helper()
	want := e.tenant.Counts(simulator.Query{Statuses: allStatuses})
	seen := map[string]int{}
	statuses := map[string]string{}
	repeated := map[any]bool{}
	eachLog(e.sinks.allLogs(), func(res, rec map[string]any) {
		k := detectionKey(res, rec)
		seen[k]++
		if seen[k] > 1 {
			repeated[res[convert.AttrQualysHostID]] = true
		}
		statuses[k], _ = rec[convert.AttrDetectionStatus].(string)
	})
	assert.Len(t, seen, want.Detections, "every detection the simulator selects arrived")
	byStatus := map[string]int{}
	for _, s := range statuses {
		byStatus[s]++
	}
	for status, n := range want.ByStatus {
		assert.Equal(t, n, byStatus[status], "detections with status %s", status)
	}
	assert.LessOrEqual(t, len(repeated), maxRepeatedHosts, "hosts repeated: %v", repeated)
	return len(repeated)
}

func kv(k, v string) attribute.KeyValue { return attribute.String(k, v) }

// faultCase is one row of the fault matrix.
type faultCase struct {
	name   string
	faults []simulator.Fault
	// httpTimeout is the HTTP client's Timeout; 0 for none.
	httpTimeout time.Duration
	// pollFails says the first poll ends with an error of errorKind (the fault outlasts what a
	// poll retries, or retrying cannot help); otherwise the poll works around the fault.
	pollFails bool
	errorKind string
	// logLevel and logLine are the line that reports the fault.
	logLevel zapcore.Level
	logLine  string
	// outcome is the otelcol_receiver_qualys_requests outcome of the failed calls.
	endpoint string
	outcome  string
	// limit is the otelcol_receiver_qualys_limit_waits reason, when the fault is a limit.
	limit string
	// check asserts what is particular to the case.
	check func(t *testing.T, e *faultEnv)
}

func TestFaultMatrixVulnerabilities(t *testing.T) {
	hld := simulator.EndpointHLD
	tests := []faultCase{
		{
			name:     "409 code 1960 concurrency limit",
			faults:   []simulator.Fault{{Kind: simulator.FaultConcurrencyLimit, Endpoint: hld, Nth: 2, Count: 3}},
			logLevel: zapcore.InfoLevel, logLine: "Qualys limit reached; waiting as Qualys asks",
			endpoint: "host_detections", outcome: "limited", limit: "concurrency",
		},
		{
			name:     "409 code 1965 rate limit, SECONDS_TO_WAIT 23 hours",
			faults:   []simulator.Fault{{Kind: simulator.FaultRateLimit, Endpoint: hld, Nth: 2, WaitSeconds: 23 * 3600}},
			logLevel: zapcore.InfoLevel, logLine: "Qualys limit reached; waiting as Qualys asks",
			endpoint: "host_detections", outcome: "limited", limit: "rate",
			check: func(t *testing.T, e *faultEnv) {
				assert.GreaterOrEqual(t, e.metric(metricLimitWaitTime, kv("reason", "rate")), float64(23*3600),
					"the whole wait is reported")
				assert.False(t, e.clock().Before(simTime.Add(23*time.Hour)), "the client waited 23 hours (simulated)")
				// The wait was honoured: no Host List Detection call was answered 409 twice.
				limited := 0
				for _, r := range requestsTo(e.simEnv, simulator.EndpointHLD) {
					if r.Status == http.StatusConflict {
						limited++
					}
				}
				assert.Equal(t, 1, limited)
			},
		},
		{
			name:     "burst of 5xx",
			faults:   []simulator.Fault{{Kind: simulator.FaultHTTPError, Endpoint: hld, Status: 503, Nth: 2, Count: 4}},
			logLevel: zapcore.WarnLevel, logLine: "Qualys call failed; retrying",
			endpoint: "host_detections", outcome: "server_error",
		},
		{
			name:      "5xx outage longer than the retries",
			faults:    []simulator.Fault{{Kind: simulator.FaultHTTPError, Endpoint: hld, Status: 502, Nth: 3, Count: -1}},
			pollFails: true, errorKind: "transient",
			logLevel: zapcore.ErrorLevel, logLine: "Poll failed; the next poll resumes from the last checkpoint",
			endpoint: "host_detections", outcome: "server_error",
		},
		{
			name:     "connection reset mid-body",
			faults:   []simulator.Fault{{Kind: simulator.FaultReset, Endpoint: hld, Nth: 2, AfterBytes: 6000}},
			logLevel: zapcore.WarnLevel, logLine: "Page failed; pulling it again from the last accepted host",
			endpoint: "host_detections", outcome: "body_error",
		},
		{
			name:     "truncated XML",
			faults:   []simulator.Fault{{Kind: simulator.FaultTruncate, Endpoint: hld, Nth: 2, AfterBytes: 6000}},
			logLevel: zapcore.WarnLevel, logLine: "Page failed; pulling it again from the last accepted host",
			endpoint: "host_detections", outcome: "response_error",
		},
		{
			name:     "malformed XML",
			faults:   []simulator.Fault{{Kind: simulator.FaultMalformed, Endpoint: hld, Nth: 2, Record: 4}},
			logLevel: zapcore.WarnLevel, logLine: "Page failed; pulling it again from the last accepted host",
			endpoint: "host_detections", outcome: "response_error",
		},
		{
			name:        "stalled body, client timeout",
			faults:      []simulator.Fault{{Kind: simulator.FaultStallBody, Endpoint: hld, Nth: 2, AfterBytes: 6000}},
			httpTimeout: time.Second,
			logLevel:    zapcore.WarnLevel, logLine: "Page failed; pulling it again from the last accepted host",
			endpoint: "host_detections", outcome: "body_error",
		},
		{
			name:      "2001 account expired under HTTP 200",
			faults:    []simulator.Fault{{Kind: simulator.FaultAccountExpired, Endpoint: hld, Nth: 3}},
			pollFails: true, errorKind: "auth",
			logLevel: zapcore.ErrorLevel, logLine: "Poll failed; the next poll resumes from the last checkpoint",
			endpoint: "host_detections", outcome: "auth_error",
			check: func(t *testing.T, e *faultEnv) {
				assertLogged(t, e.logs, zapcore.ErrorLevel, "Poll failed")
				assert.Contains(t, e.logs.FilterMessageSnippet("Poll failed").All()[0].ContextMap()["error"],
					"the Qualys account or subscription has expired")
			},
		},
		{
			name:      "2003 registration not completed",
			faults:    []simulator.Fault{{Kind: simulator.FaultRegistration, Endpoint: hld, Nth: 3}},
			pollFails: true, errorKind: "auth",
			logLevel: zapcore.ErrorLevel, logLine: "Poll failed; the next poll resumes from the last checkpoint",
			endpoint: "host_detections", outcome: "auth_error",
		},
		{
			name:      "401 bad login",
			faults:    []simulator.Fault{{Kind: simulator.FaultBadLogin, Endpoint: hld, Nth: 3}},
			pollFails: true, errorKind: "auth",
			logLevel: zapcore.ErrorLevel, logLine: "Poll failed; the next poll resumes from the last checkpoint",
			endpoint: "host_detections", outcome: "auth_error",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hc *http.Client
			if tt.httpTimeout > 0 {
				hc = &http.Client{Timeout: tt.httpTimeout}
			}
			e := newFaultEnv(t, simulator.TenantConfig{Hosts: 120, DetectionsPerHost: 3}, simulator.Options{}, faultEnvOptions{httpClient: hc})
			s := e.vulnStream(t, nil)
			p := e.poller(s)
			for _, f := range tt.faults {
				_, err := e.server.InjectFault(f)
				require.NoError(t, err)
			}

			err := p.pollOnce(t.Context())
			if tt.pollFails {
				require.Error(t, err)
				assert.Equal(t, 1.0, e.metric(metricPolls, kv("outcome", "error"), kv("error_kind", tt.errorKind)),
					"the failed poll is counted with its kind")
				assert.Positive(t, e.sinks.records(), "pages were accepted before the fault")
				assert.Less(t, e.sinks.records(), e.tenant.Counts(simulator.Query{Statuses: allStatuses}).Detections,
					"the fault struck mid-pull")
			} else {
				require.NoError(t, err)
			}
			for _, st := range e.server.Faults() {
				require.Positive(t, st.Fired, "fault %s fired", st.Fault.Kind)
			}
			assertLogged(t, e.logs, tt.logLevel, tt.logLine)
			assert.Positive(t, e.metric(metricRequests, kv("endpoint", tt.endpoint), kv("outcome", tt.outcome)),
				"requests with outcome %s", tt.outcome)
			if tt.limit != "" {
				assert.Positive(t, e.metric(metricLimitWaits, kv("reason", tt.limit)), "limit waits")
			}
			if tt.check != nil {
				tt.check(t, e)
			}

			// The fault clears: the next poll resumes where the consumer stopped accepting and
			// completes; an unchanged tenant then adds nothing.
			e.server.ClearFaults()
			e.advance(time.Hour)
			require.NoError(t, p.pollOnce(t.Context()))
			assert.Positive(t, e.metric(metricPolls, kv("outcome", "ok")))
			assert.Positive(t, e.metric(metricLastPoll, kv("stream", vulnerabilities.Name)))
			repeated := assertNoDetectionLost(t, e.simEnv, faultPageHosts)
			t.Logf("hosts repeated: %d", repeated)
		})
	}
}

// Invalid UTF-8 and control characters in RESULTS are not a failure: the record arrives with them
// replaced (U+FFFD) or dropped, so every exporter can encode it, and the poll is a normal one.
func TestFaultBadCharsInResults(t *testing.T) {
	e := newFaultEnv(t, simulator.TenantConfig{Hosts: 40, DetectionsPerHost: 3}, simulator.Options{}, faultEnvOptions{})
	s := e.vulnStream(t, func(c *vulnerabilities.Settings) { c.MaxResultsBytes = 1 << 16 })
	_, err := e.server.InjectFault(simulator.Fault{Kind: simulator.FaultBadChars, Endpoint: simulator.EndpointHLD, Record: 2, Count: 2})
	require.NoError(t, err)
	require.NoError(t, e.poller(s).pollOnce(t.Context()))

	damaged := 0
	eachLog(e.sinks.allLogs(), func(_, rec map[string]any) {
		r, _ := rec[convert.AttrDetectionResults].(string)
		require.True(t, utf8.ValidString(r), "RESULTS is valid UTF-8: %q", r)
		for _, c := range r {
			require.False(t, c < 0x20 && c != '\t' && c != '\n', "no control character in %q", r)
		}
		if strings.HasPrefix(r, "bad bytes") {
			damaged++
			assert.Equal(t, "bad bytes \uFFFD\uFFFD\uFFFD( and controls  here", r)
		}
	})
	assert.Equal(t, 2, damaged, "the damaged records are emitted, not dropped")
	assert.Equal(t, 2.0, e.metric(metricRecordsAltered, kv("stream", vulnerabilities.Name), kv("reason", "text_repaired")))
	assert.Zero(t, e.metric(metricRecordsAltered, kv("reason", "results_truncated")))
	assertLogged(t, e.logs, zapcore.WarnLevel, "invalid UTF-8 or control characters in RESULTS")
	// What an OTLP exporter does with it: protobuf strings must be valid UTF-8.
	b, err := (&plog.ProtoMarshaler{}).MarshalLogs(e.sinks.allLogs())
	require.NoError(t, err)
	_, err = (&plog.ProtoUnmarshaler{}).UnmarshalLogs(b)
	require.NoError(t, err)
	assert.Equal(t, 1.0, e.metric(metricPolls, kv("outcome", "ok")))
	assertNoDetectionLost(t, e.simEnv, 0)
}

// A single RESULTS element of 100 MiB is cut at max_results_bytes while it streams: the record is
// emitted with results_truncated, the rest of the page follows, and memory stays far below the
// element's size.
func TestFaultHugeResults(t *testing.T) {
	e := newFaultEnv(t, simulator.TenantConfig{Hosts: 30, DetectionsPerHost: 3}, simulator.Options{}, faultEnvOptions{})
	const maxResults = 4096
	s := e.vulnStream(t, func(c *vulnerabilities.Settings) { c.MaxResultsBytes = maxResults })
	_, err := e.server.InjectFault(simulator.Fault{Kind: simulator.FaultHugeResults, Endpoint: simulator.EndpointHLD})
	require.NoError(t, err)

	peak := watchHeap(t)
	require.NoError(t, e.poller(s).pollOnce(t.Context()))
	grown := peak()

	var cut []string
	eachLog(e.sinks.allLogs(), func(_, rec map[string]any) {
		if rec[convert.AttrDetectionResultsCut] == true {
			r, _ := rec[convert.AttrDetectionResults].(string)
			cut = append(cut, r)
		}
	})
	require.Len(t, cut, 1, "the detection with the huge RESULTS is emitted, cut")
	assert.Len(t, cut[0], maxResults)
	assert.Greater(t, e.bytesSince(0), int64(100<<20), "the 100 MiB element was sent")
	assert.Less(t, grown, uint64(48<<20), "heap grew by %d MiB for a 100 MiB element", grown>>20)
	assert.Equal(t, 1.0, e.metric(metricRecordsAltered, kv("stream", vulnerabilities.Name), kv("reason", "results_truncated")))
	assertLogged(t, e.logs, zapcore.InfoLevel, "RESULTS cut at max_results_bytes")
	assertNoDetectionLost(t, e.simEnv, 0)
}

// watchHeap samples the live heap until the returned func is called, which returns how far the
// heap rose above where it started.
func watchHeap(t *testing.T) (peak func() uint64) {
	t.Helper()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var mu sync.Mutex
	var top uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				mu.Lock()
				top = max(top, ms.HeapAlloc)
				mu.Unlock()
			}
		}
	})
	return func() uint64 {
		close(done)
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		if top < base {
			return 0
		}
		return top - base
	}
}

// An empty tenant is a normal, successful poll with nothing to emit.
func TestFaultEmptyTenant(t *testing.T) {
	e := newFaultEnv(t, simulator.TenantConfig{Hosts: -1}, simulator.Options{}, faultEnvOptions{})
	s := e.vulnStream(t, nil)
	p := e.poller(s)
	require.NoError(t, p.pollOnce(t.Context()))
	assert.Zero(t, e.sinks.records())
	assertLogged(t, e.logs, zapcore.InfoLevel, "Pull completed")
	assert.Equal(t, 1.0, e.metric(metricPolls, kv("outcome", "ok")))
	assert.Positive(t, e.metric(metricLastPoll, kv("stream", vulnerabilities.Name)))
	assert.Zero(t, requestsTo(e.simEnv, simulator.EndpointHLD), "no host, no Host List Detection call")

	e.advance(time.Hour)
	require.NoError(t, p.pollOnce(t.Context()), "and the next poll too")
	assert.Equal(t, 2.0, e.metric(metricPolls, kv("outcome", "ok")))
}

// An answer that says the tenant is empty while it is not cannot be told from an empty tenant: the
// poll completes with nothing, and the hosts come with the next full pull (full_sync_interval).
func TestFaultEmptyAnswerUntilFullSync(t *testing.T) {
	e := newFaultEnv(t, simulator.TenantConfig{Hosts: 40, DetectionsPerHost: 3}, simulator.Options{}, faultEnvOptions{})
	s := e.vulnStream(t, func(c *vulnerabilities.Settings) {
		c.FullSyncInterval = 24 * time.Hour
		c.CountsEnabled = false
	})
	p := e.poller(s)
	_, err := e.server.InjectFault(simulator.Fault{Kind: simulator.FaultEmpty, Endpoint: simulator.EndpointHostList})
	require.NoError(t, err)
	require.NoError(t, p.pollOnce(t.Context()))
	assert.Zero(t, e.sinks.records())

	e.advance(time.Hour)
	require.NoError(t, p.pollOnce(t.Context()))
	assert.Zero(t, e.sinks.records(), "an incremental poll sees only changes")

	e.advance(24 * time.Hour)
	require.NoError(t, p.pollOnce(t.Context()))
	assertNoDetectionLost(t, e.simEnv, 0)
}

// A 23-hour 1965 wait does not hold up shutdown: the poll returns at once, as stopped by shutdown,
// and the checkpoint keeps what was accepted.
func TestFaultLongRateLimitShutdown(t *testing.T) {
	e := newFaultEnv(t, simulator.TenantConfig{Hosts: 120, DetectionsPerHost: 3}, simulator.Options{}, faultEnvOptions{wallClock: true})
	s := e.vulnStream(t, nil)
	_, err := e.server.InjectFault(simulator.Fault{Kind: simulator.FaultRateLimit, Endpoint: simulator.EndpointHLD, Nth: 3, WaitSeconds: 23 * 3600})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- e.poller(s).pollOnce(ctx) }()
	require.Eventually(t, func() bool { return e.logs.FilterMessageSnippet("Qualys limit reached").Len() > 0 },
		5*time.Second, 5*time.Millisecond)
	waitFrom := e.logs.FilterMessageSnippet("Qualys limit reached").All()[0].Time
	time.Sleep(100 * time.Millisecond)
	// The other range's call may have been sent before the 1965 was read, and reach the simulator
	// just after the wait began; no call is sent once the wait is known.
	calls := requestsTo(e.simEnv, simulator.EndpointHLD)
	require.GreaterOrEqual(t, len(calls), 3, "the third call got the 1965")
	late := 0
	for _, r := range calls {
		if r.Start.After(waitFrom) {
			late++
		}
	}
	assert.LessOrEqual(t, late, 1, "at most the other range's call in flight arrives after the wait began")
	time.Sleep(100 * time.Millisecond)
	assert.Len(t, requestsTo(e.simEnv, simulator.EndpointHLD), len(calls), "no call while Qualys says wait")

	cancel()
	select {
	case err := <-done:
		require.ErrorIs(t, err, context.Canceled)
	case <-time.After(2 * time.Second):
		t.Fatal("shutdown waited for the 23-hour limit")
	}
	assertLogged(t, e.logs, zapcore.InfoLevel, "Poll stopped by shutdown")
	assert.Equal(t, 1.0, e.metric(metricPolls, kv("outcome", "error"), kv("error_kind", "shutdown")))

	// A new process finds the checkpoint: the pull resumes and completes once Qualys allows.
	var st streamState
	found, err := e.store.Load(t.Context(), vulnerabilities.Name, &st)
	require.NoError(t, err)
	require.True(t, found)
	require.NotNil(t, st.Current, "the interrupted pull is checkpointed")
	e.server.ClearFaults()
	e.client = newTestClient(t, e.apiURL, "qualys_user", "qualys_pass", e.telemetry, simClock{e.simEnv}, e.logger)
	require.NoError(t, e.poller(e.vulnStream(t, nil)).pollOnce(t.Context()))
	assertLogged(t, e.logs, zapcore.InfoLevel, "Resuming the pull interrupted by the last shutdown")
	assertNoDetectionLost(t, e.simEnv, faultPageHosts)
}

// newTestClient is a client for these tests: fast back-off, telemetry and clock
// as given (nil for none and the wall clock).
func newTestClient(t *testing.T, baseURL, user, password string, obs qualys.Observer, clk qualys.Clock, logger *zap.Logger) *qualys.Client {
	t.Helper()
	c, err := qualys.New(http.DefaultClient, qualys.Settings{
		APIServerURL: baseURL, GatewayURL: baseURL, Username: user, Password: password,
		MaxConcurrency: 2, Retry: testRetry(), Logger: logger, Observer: obs, Clock: clk,
	})
	require.NoError(t, err)
	return c
}

// testRetry is the client back-off of these tests: quick, and bounded so a lasting fault ends the
// call.
func testRetry() configretry.BackOffConfig {
	retry := configretry.NewDefaultBackOffConfig()
	retry.InitialInterval = 10 * time.Millisecond
	retry.MaxInterval = 50 * time.Millisecond
	retry.MaxElapsedTime = 500 * time.Millisecond
	retry.RandomizationFactor = 0
	return retry
}

// The gateway cases, against the compliance stream (PCRS): a 429 is waited out for as long as
// Retry-After says; a rejected JWT is renewed once; a cut-off or malformed answer is asked again; a
// JWT rejected again ends the poll, which the next one resumes.
func TestFaultMatrixCompliance(t *testing.T) {
	info := simulator.EndpointPCRSPostureInfo
	tests := []faultCase{
		{
			name:     "gateway 429, Retry-After one hour",
			faults:   []simulator.Fault{{Kind: simulator.FaultGateway429, Endpoint: info, Nth: 2, WaitSeconds: 3600}},
			logLevel: zapcore.InfoLevel, logLine: "Qualys limit reached; waiting as Qualys asks",
			endpoint: "pcrs_postures", outcome: "limited", limit: "rate",
			check: func(t *testing.T, e *faultEnv) {
				assert.GreaterOrEqual(t, e.metric(metricLimitWaitTime, kv("api", "gateway"), kv("reason", "rate")), 3600.0)
			},
		},
		{
			name:     "expired JWT, renewed",
			faults:   []simulator.Fault{{Kind: simulator.FaultJWTExpired, Endpoint: info, Nth: 2}},
			logLevel: zapcore.WarnLevel, logLine: "The API gateway rejected its token; logging in again",
			endpoint: "pcrs_postures", outcome: "token_expired",
		},
		{
			name:     "truncated JSON",
			faults:   []simulator.Fault{{Kind: simulator.FaultTruncate, Endpoint: info, Nth: 2, AfterBytes: 3000}},
			logLevel: zapcore.WarnLevel, logLine: "Page failed; pulling it again from the last accepted host",
			endpoint: "pcrs_postures", outcome: "response_error",
		},
		{
			name:     "malformed JSON",
			faults:   []simulator.Fault{{Kind: simulator.FaultMalformed, Endpoint: info, Nth: 2, Record: 3}},
			logLevel: zapcore.WarnLevel, logLine: "Page failed; pulling it again from the last accepted host",
			endpoint: "pcrs_postures", outcome: "response_error",
		},
		{
			name:      "JWT rejected again after renewal",
			faults:    []simulator.Fault{{Kind: simulator.FaultJWTExpired, Endpoint: info, Nth: 2, Count: 2}},
			pollFails: true, errorKind: "auth",
			logLevel: zapcore.ErrorLevel, logLine: "Poll failed; the next poll resumes from the last checkpoint",
			endpoint: "pcrs_postures", outcome: "token_expired",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newFaultEnv(t, simulator.TenantConfig{Hosts: 40, Policies: 3, ControlsPerPolicy: 4}, simulator.Options{}, faultEnvOptions{compliance: true})
			s := newComplianceStream(t, e.simEnv, func(c *compliance.Settings) {
				c.Telemetry = e.telemetry
				c.PageSize = 12
			})
			p := e.poller(s)
			for _, f := range tt.faults {
				_, err := e.server.InjectFault(f)
				require.NoError(t, err)
			}
			err := p.pollOnce(t.Context())
			if tt.pollFails {
				require.Error(t, err)
				assert.Equal(t, 1.0, e.metric(metricPolls, kv("outcome", "error"), kv("error_kind", tt.errorKind)))
			} else {
				require.NoError(t, err)
			}
			for _, st := range e.server.Faults() {
				require.Positive(t, st.Fired, "fault %s fired", st.Fault.Kind)
			}
			assertLogged(t, e.logs, tt.logLevel, tt.logLine)
			assert.Positive(t, e.metric(metricRequests, kv("endpoint", tt.endpoint), kv("outcome", tt.outcome)))
			if tt.limit != "" {
				assert.Positive(t, e.metric(metricLimitWaits, kv("reason", tt.limit)))
			}
			if tt.check != nil {
				tt.check(t, e)
			}

			e.server.ClearFaults()
			e.advance(time.Hour)
			require.NoError(t, p.pollOnce(t.Context()))
			want := e.tenant.Counts(simulator.Query{})
			seen := postureIDs(e.simEnv)
			assert.Len(t, seen, want.Postures, "every posture arrived")
			repeated := 0
			for _, n := range seen {
				if n > 1 {
					repeated++
				}
			}
			assert.LessOrEqual(t, repeated, 12*3*4, "at most one postureInfo batch repeated")
		})
	}
}

// observingSinks records, for every batch handed to it, what the batch was, the checkpoint as
// stored at that moment and how many Host List Detection calls had been made.
type observingSinks struct {
	*testSinks
	store  *checkpoint.Store
	server *simulator.Server

	mu    sync.Mutex
	calls []consumeCall
}

type consumeCall struct {
	batch      string
	checkpoint string
	hldCalls   int
	refused    bool
}

func (s *observingSinks) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	b, err := (&plog.JSONMarshaler{}).MarshalLogs(ld)
	if err != nil {
		return err
	}
	var st streamState
	_, _ = s.store.Load(ctx, vulnerabilities.Name, &st)
	cp := "no pull in progress"
	if st.Current != nil {
		cp = formatKey(st.Current.Ranges)
	}
	hld := 0
	for _, r := range s.server.Requests() {
		if r.Endpoint == simulator.EndpointHLD {
			hld++
		}
	}
	err = s.testSinks.ConsumeLogs(ctx, ld)
	s.mu.Lock()
	s.calls = append(s.calls, consumeCall{batch: string(b), checkpoint: cp, hldCalls: hld, refused: err != nil})
	s.mu.Unlock()
	return err
}

// Backpressure: a consumer that refuses (memory_limiter, a full queue) gets the same batch again
// with back-off; no further page is pulled, the checkpoint does not move, and nothing is dropped
// or repeated.
func TestBackpressureRetriesSamePage(t *testing.T) {
	e := newFaultEnv(t, simulator.TenantConfig{Hosts: 60, DetectionsPerHost: 3}, simulator.Options{}, faultEnvOptions{})
	s := e.vulnStream(t, func(c *vulnerabilities.Settings) {
		c.Workers = 1
		c.BatchRecords = 1000 // one batch per page
	})
	const refusals = 6
	e.sinks.refuse = refusals
	sinks := &observingSinks{testSinks: e.sinks, store: e.store, server: e.server}
	p := newScheduler(ScheduledStream{Stream: s, Schedule: Schedule{Interval: time.Hour}}, sinks, e.logger, e.telemetry)
	require.NoError(t, p.pollOnce(t.Context()))

	require.Greater(t, len(sinks.calls), refusals)
	first := sinks.calls[0]
	for i, c := range sinks.calls[:refusals+1] {
		assert.Equal(t, i < refusals, c.refused, "call %d", i)
		assert.Equal(t, first.batch, c.batch, "call %d hands over the same page", i)
		assert.Equal(t, first.checkpoint, c.checkpoint, "call %d: the checkpoint has not moved", i)
		assert.Equal(t, first.hldCalls, c.hldCalls, "call %d: no further page pulled while refused", i)
	}
	assert.NotEqual(t, first.checkpoint, sinks.calls[refusals+1].checkpoint, "the checkpoint moves once the page is accepted")
	assertLogged(t, e.logs, zapcore.WarnLevel, "The next consumer refused records; retrying the same records")
	assertNoDetectionLost(t, e.simEnv, 0)
	assert.Equal(t, float64(e.sinks.records()), e.metric(metricRecords, kv("stream", vulnerabilities.Name)),
		"records counts what was accepted, not what was offered")
}

// A consumer that refuses until shutdown: the poll stops without advancing past the refused page,
// and the next poll hands it over again.
func TestBackpressureUntilShutdown(t *testing.T) {
	e := newFaultEnv(t, simulator.TenantConfig{Hosts: 60, DetectionsPerHost: 3}, simulator.Options{}, faultEnvOptions{})
	s := e.vulnStream(t, func(c *vulnerabilities.Settings) { c.Workers = 1 })
	e.sinks.refuse = 1 << 30
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- e.poller(s).pollOnce(ctx) }()
	require.Eventually(t, func() bool {
		e.sinks.mu.Lock()
		defer e.sinks.mu.Unlock()
		return e.sinks.calls >= 3
	}, 5*time.Second, 5*time.Millisecond)
	cancel()
	require.True(t, errors.Is(<-done, context.Canceled))
	assert.Zero(t, e.sinks.records())

	var st streamState
	_, err := e.store.Load(t.Context(), vulnerabilities.Name, &st)
	require.NoError(t, err)
	require.NotNil(t, st.Current)
	for _, r := range st.Current.Ranges {
		assert.Equal(t, r.Min, r.Next, "nothing was accepted, so no range moved")
		assert.False(t, r.Done)
	}

	e.sinks.mu.Lock()
	e.sinks.refuse = 0
	e.sinks.mu.Unlock()
	require.NoError(t, e.poller(s).pollOnce(t.Context()))
	assertNoDetectionLost(t, e.simEnv, 0)
}

// The receiver's own metrics after a poll that met a 1960: requests by API, endpoint and outcome
// agree call for call with the simulator's request log; the limit wait, pages, records, the poll,
// its duration, the pull's progress and the time of the last successful poll are recorded.
func TestSelfTelemetry(t *testing.T) {
	e := newFaultEnv(t, simulator.TenantConfig{Hosts: 60, DetectionsPerHost: 3}, simulator.Options{}, faultEnvOptions{})
	s := e.vulnStream(t, func(c *vulnerabilities.Settings) { c.Workers = 1 })
	_, err := e.server.InjectFault(simulator.Fault{Kind: simulator.FaultConcurrencyLimit, Endpoint: simulator.EndpointHLD, Nth: 2})
	require.NoError(t, err)
	started := e.clock()
	require.NoError(t, e.poller(s).pollOnce(t.Context()))
	ended := e.clock()
	// Every series carries the receiver's id.
	ownReceiver := kv("receiver", testReceiverID)
	stream := attribute.NewSet(kv("stream", vulnerabilities.Name), ownReceiver)
	// The simulator logs a request when its handler returns, which can be just after the client
	// has read the whole answer.
	require.Eventually(t, func() bool { return len(e.server.Requests()) == int(e.metric(metricRequests)) },
		2*time.Second, time.Millisecond)

	endpoints := map[string]string{
		simulator.EndpointHLD: "host_detections", simulator.EndpointHostList: "host_ids", simulator.EndpointKB: "knowledge_base",
	}
	calls := map[[2]string]int64{}
	pages := int64(0)
	for _, r := range e.server.Requests() {
		outcome := "ok"
		if r.Status == http.StatusConflict {
			outcome = "limited"
		} else if r.Endpoint == simulator.EndpointHLD {
			pages++
		}
		require.Contains(t, endpoints, r.Endpoint)
		calls[[2]string{endpoints[r.Endpoint], outcome}]++
	}
	var requests, durations []metricdata.DataPoint[int64]
	for k, n := range calls {
		set := attribute.NewSet(kv("api", "api_server"), kv("endpoint", k[0]), kv("outcome", k[1]), ownReceiver)
		requests = append(requests, metricdata.DataPoint[int64]{Attributes: set, Value: n})
		durations = append(durations, metricdata.DataPoint[int64]{Attributes: set})
	}
	metadatatest.AssertEqualReceiverQualysRequests(t, e.tel, requests, metricdatatest.IgnoreTimestamp())
	var hist []metricdata.HistogramDataPoint[float64]
	for _, d := range durations {
		hist = append(hist, metricdata.HistogramDataPoint[float64]{Attributes: d.Attributes})
	}
	metadatatest.AssertEqualReceiverQualysRequestDuration(t, e.tel, hist, metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreValue())

	wait := attribute.NewSet(kv("api", "api_server"), kv("endpoint", "host_detections"), kv("reason", "concurrency"), ownReceiver)
	metadatatest.AssertEqualReceiverQualysLimitWaits(t, e.tel,
		[]metricdata.DataPoint[int64]{{Attributes: wait, Value: 1}}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualReceiverQualysLimitWaitDuration(t, e.tel,
		[]metricdata.DataPoint[float64]{{Attributes: wait, Value: 2}}, metricdatatest.IgnoreTimestamp())

	metadatatest.AssertEqualReceiverQualysPages(t, e.tel,
		[]metricdata.DataPoint[int64]{{Attributes: stream, Value: pages}}, metricdatatest.IgnoreTimestamp())
	want := e.tenant.Counts(simulator.Query{Statuses: allStatuses})
	metadatatest.AssertEqualReceiverQualysRecords(t, e.tel,
		[]metricdata.DataPoint[int64]{{Attributes: stream, Value: int64(want.Detections)}}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualReceiverQualysPolls(t, e.tel, []metricdata.DataPoint[int64]{
		{Attributes: attribute.NewSet(kv("stream", vulnerabilities.Name), kv("outcome", "ok"), ownReceiver), Value: 1},
	}, metricdatatest.IgnoreTimestamp())
	okPoll := attribute.NewSet(kv("stream", vulnerabilities.Name), kv("outcome", "ok"), ownReceiver)
	metadatatest.AssertEqualReceiverQualysPollDuration(t, e.tel,
		[]metricdata.HistogramDataPoint[float64]{{Attributes: okPoll}}, metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreValue())
	assert.Equal(t, 1.0, e.metric(metricPollDuration, kv("outcome", "ok")), "one poll timed")
	m, err := e.tel.GetMetric(metricPollDuration)
	require.NoError(t, err)
	assert.InDelta(t, ended.Sub(started).Seconds(), m.Data.(metricdata.Histogram[float64]).DataPoints[0].Sum, 1e-9,
		"the poll's duration, including the 1960 pause")
	metadatatest.AssertEqualReceiverQualysLastSuccessfulPoll(t, e.tel,
		[]metricdata.DataPoint[int64]{{Attributes: stream, Value: ended.Unix()}}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualReceiverQualysPullHostsTotal(t, e.tel,
		[]metricdata.DataPoint[int64]{{Attributes: stream, Value: int64(want.Hosts)}}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualReceiverQualysPullHostsDone(t, e.tel,
		[]metricdata.DataPoint[int64]{{Attributes: stream, Value: int64(want.Hosts)}}, metricdatatest.IgnoreTimestamp())

	// A failed poll is counted with its kind and moves neither the last successful poll nor pages.
	e.advance(time.Hour)
	_, err = e.server.InjectFault(simulator.Fault{Kind: simulator.FaultBadLogin, Endpoint: simulator.EndpointHostList})
	require.NoError(t, err)
	require.Error(t, e.poller(s).pollOnce(t.Context()))
	assert.Equal(t, 1.0, e.metric(metricPolls, kv("outcome", "error"), kv("error_kind", "auth")))
	assert.Equal(t, 1.0, e.metric(metricRequests, kv("endpoint", "host_ids"), kv("outcome", "auth_error")))
	assert.Equal(t, float64(ended.Unix()), e.metric(metricLastPoll, kv("stream", vulnerabilities.Name)))
}

// A value Qualys sends that cannot be read (text where TIMES_FOUND is a number) costs that field,
// not its record: the detection arrives without it, counted as altered, with one warn line.
func TestFaultBadValueCostsTheField(t *testing.T) {
	e := newFaultEnv(t, simulator.TenantConfig{Hosts: 40, DetectionsPerHost: 3}, simulator.Options{}, faultEnvOptions{})
	s := e.vulnStream(t, nil)
	_, err := e.server.InjectFault(simulator.Fault{Kind: simulator.FaultBadValue, Endpoint: simulator.EndpointHLD, Record: 2})
	require.NoError(t, err)
	require.NoError(t, e.poller(s).pollOnce(t.Context()))

	without := 0
	eachLog(e.sinks.allLogs(), func(_, rec map[string]any) {
		if _, ok := rec[convert.AttrDetectionTimesFound]; !ok {
			without++
		}
	})
	assert.Equal(t, 1, without, "one detection arrives without times_found")
	assertNoDetectionLost(t, e.simEnv, 0)
	assert.Equal(t, 1.0, e.metric(metricRecordsAltered, kv("stream", vulnerabilities.Name), kv("reason", "field_unreadable")))
	assert.Zero(t, e.metric(metricRecordsSkipped, kv("stream", vulnerabilities.Name)))
	logged := e.logs.FilterMessageSnippet("could not be read").All()
	require.Len(t, logged, 1)
	assert.Equal(t, zapcore.WarnLevel, logged[0].Level)
	assert.Equal(t, "DETECTION/TIMES_FOUND", logged[0].ContextMap()["element"])
	assert.Equal(t, "many", logged[0].ContextMap()["value"])
	assert.NotZero(t, logged[0].ContextMap()["host_id"])
}

// The same for a host asset: a modified date QPS sends as text costs that attribute only.
func TestFaultBadValueCostsTheAssetField(t *testing.T) {
	e := newFaultEnv(t, simulator.TenantConfig{Hosts: 30}, simulator.Options{}, faultEnvOptions{})
	clean := newAssetsStream(t, e.simEnv, nil)
	require.NoError(t, e.poller(clean).pollOnce(t.Context()))
	want := len(assetHostIDs(t, e.sinks.allLogs()))
	require.Positive(t, want)
	e.sinks.reset()

	s := newAssetsStream(t, e.simEnv, func(c *assets.Settings) { c.Telemetry = e.telemetry })
	_, err := e.server.InjectFault(simulator.Fault{Kind: simulator.FaultBadValue, Endpoint: simulator.EndpointHostAsset, Record: 2})
	require.NoError(t, err)
	require.NoError(t, e.poller(s).pollOnce(t.Context()))

	assert.Len(t, assetHostIDs(t, e.sinks.allLogs()), want, "every asset arrives")
	without := 0
	eachLog(e.sinks.allLogs(), func(_, rec map[string]any) {
		if _, ok := rec[convert.AttrAssetModified]; !ok {
			without++
		}
	})
	assert.Equal(t, 1, without, "one asset arrives without qualys.asset.modified")
	assert.Equal(t, 1.0, e.metric(metricRecordsAltered, kv("stream", assets.Name), kv("reason", "field_unreadable")))
	assert.Zero(t, e.metric(metricRecordsSkipped, kv("stream", assets.Name)))
	logged := e.logs.FilterMessageSnippet("could not be read").All()
	require.Len(t, logged, 1)
	assert.Equal(t, "HostAsset/modified", logged[0].ContextMap()["element"])
}

// The same for a KnowledgeBase entry: a published date Qualys sends as text costs that attribute
// on the detections of its QID; the entry counts once, as it is fetched, and its QID is named.
func TestFaultBadValueCostsTheKnowledgeBaseField(t *testing.T) {
	e := newFaultEnv(t, simulator.TenantConfig{Hosts: 20, DetectionsPerHost: 3}, simulator.Options{}, faultEnvOptions{})
	s := e.vulnStream(t, func(c *vulnerabilities.Settings) {
		c.KnowledgeBase = kb.NewCache(vulnerabilities.KnowledgeBaseFetcher{Client: e.client, Logger: e.logger, Telemetry: e.telemetry}, time.Hour, kb.Limits{})
	})
	_, err := e.server.InjectFault(simulator.Fault{Kind: simulator.FaultBadValue, Endpoint: simulator.EndpointKB, Record: 1})
	require.NoError(t, err)
	require.NoError(t, e.poller(s).pollOnce(t.Context()))

	logged := e.logs.FilterMessageSnippet("could not be read").All()
	require.Len(t, logged, 1)
	assert.Equal(t, zapcore.WarnLevel, logged[0].Level)
	assert.Equal(t, "VULN/PUBLISHED_DATETIME", logged[0].ContextMap()["element"])
	assert.Equal(t, "soon", logged[0].ContextMap()["value"])
	qid, ok := logged[0].ContextMap()["qid"].(int64)
	require.True(t, ok, "the line names the QID")
	assert.Equal(t, 1.0, e.metric(metricRecordsAltered, kv("stream", vulnerabilities.Name), kv("reason", "field_unreadable")))

	withQID, without := 0, 0
	eachLog(e.sinks.allLogs(), func(_, rec map[string]any) {
		if rec[convert.AttrQID] != qid {
			assert.Contains(t, rec, convert.AttrVulnPublished)
			return
		}
		withQID++
		assert.Contains(t, rec, convert.AttrVulnDescription, "the rest of the entry is joined")
		if _, ok := rec[convert.AttrVulnPublished]; !ok {
			without++
		}
	})
	assert.Positive(t, withQID)
	assert.Equal(t, withQID, without, "every detection of that QID goes out without the published date")
	assertNoDetectionLost(t, e.simEnv, 0)
}
