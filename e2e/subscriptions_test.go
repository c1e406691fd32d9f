// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/seed-d80aa3af/qualysreceiver/internal/simulator"
)

// subscription is one simulated Qualys subscription and the receiver that polls it.
type subscription struct {
	receiver string // component id
	host     string // the API server's host, as server.address should name it
	tenant   *simulator.Tenant
	apiURL   string
	gateway  string
}

// Two receivers for two subscriptions in one collector (qualys/us and qualys/eu): every record and
// every gauge arrives under a resource that names its subscription, each tenant's numbers stay its
// own, and the collector's own metrics keep one series per receiver.
func TestTwoSubscriptionsStayApart(t *testing.T) {
	collector := builtCollector(t)
	now := time.Now().UTC().Truncate(time.Second)
	subs := []*subscription{
		{receiver: "qualys/us", host: "127.0.0.1",
			tenant: simulator.NewTenant(simulator.TenantConfig{Seed: 11, Hosts: 30, DetectionsPerHost: 4, Policies: 2, ControlsPerPolicy: 3, BaseTime: now})},
		// localhost is the same loopback, under another name: the two API servers differ by host.
		{receiver: "qualys/eu", host: "localhost",
			tenant: simulator.NewTenant(simulator.TenantConfig{Seed: 12, Hosts: 17, DetectionsPerHost: 2, Policies: 3, ControlsPerPolicy: 2, BaseTime: now})},
	}
	for _, s := range subs {
		sim := simulator.New(s.tenant, simulator.Options{Username: user, Password: password})
		apiURL, gatewayURL := sim.Start()
		t.Cleanup(sim.Close)
		s.apiURL = strings.Replace(apiURL, "127.0.0.1", s.host, 1)
		s.gateway = strings.Replace(gatewayURL, "127.0.0.1", s.host, 1)
	}
	want := map[string]simulator.Counts{}
	for _, s := range subs {
		want[s.receiver] = s.tenant.Counts(simulator.Query{Statuses: allStatuses})
		require.NotZero(t, want[s.receiver].Postures)
	}
	require.NotEqual(t, want["qualys/us"].Detections, want["qualys/eu"].Detections, "the tenants differ, so a mix would show")

	dir := t.TempDir()
	otlpPort, telemetryPort := freePort(t), freePort(t)
	backendCfg := filepath.Join(dir, "backend.yaml")
	require.NoError(t, os.WriteFile(backendCfg, fmt.Appendf(nil, backendConfig, otlpPort, dir, dir, freePort(t)), 0o600))
	qualysCfg := filepath.Join(dir, "qualys.yaml")
	require.NoError(t, os.WriteFile(qualysCfg, fmt.Appendf(nil, twoReceiversConfig,
		subs[0].apiURL, subs[0].gateway, user, subs[1].apiURL, subs[1].gateway, user, otlpPort, telemetryPort), 0o600))
	start(t, collector, backendCfg, filepath.Join(dir, "backend.log"))
	waitForPort(t, otlpPort)
	start(t, collector, qualysCfg, filepath.Join(dir, "qualys.log"))

	logsPath, metricsPath := filepath.Join(dir, "logs.json"), filepath.Join(dir, "metrics.json")
	byReceiver := func() map[string]map[string]int {
		out := map[string]map[string]int{}
		eachRecord(readLogs(t, logsPath), func(res, _ map[string]any, event string) {
			id := fmt.Sprint(res["qualys.receiver.id"])
			if out[id] == nil {
				out[id] = map[string]int{}
			}
			out[id][event]++
		})
		return out
	}
	arrived := func() bool {
		n := byReceiver()
		for _, s := range subs {
			w := want[s.receiver]
			if n[s.receiver]["qualys.vulnerability.detection"] < w.Detections || n[s.receiver]["qualys.compliance.posture"] < w.Postures {
				return false
			}
		}
		return len(gaugesByReceiver(t, metricsPath, "qualys.vulnerability.detections")) == 2 &&
			len(gaugesByReceiver(t, metricsPath, "qualys.compliance.postures")) == 2
	}
	for deadline := time.Now().Add(2 * time.Minute); !arrived(); time.Sleep(500 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("records or metrics did not arrive: %v; collector log:\n%s", byReceiver(), tail(filepath.Join(dir, "qualys.log")))
		}
	}
	time.Sleep(2 * time.Second) // anything sent twice would arrive by now

	// Records: each under its own subscription, each tenant's detections and postures exactly once.
	n := byReceiver()
	assert.Len(t, n, 2, "every record names one of the two receivers: %v", n)
	hostsOf := map[string]map[any]bool{}
	eachRecord(readLogs(t, logsPath), func(res, rec map[string]any, event string) {
		id := fmt.Sprint(res["qualys.receiver.id"])
		for _, s := range subs {
			if s.receiver == id {
				assert.Equal(t, s.host, res["server.address"], "%s: the API server it came from", id)
			}
		}
		if hostsOf[id] == nil {
			hostsOf[id] = map[any]bool{}
		}
		hostsOf[id][res["qualys.host.id"]] = true
	})
	for _, s := range subs {
		w := want[s.receiver]
		assert.Equal(t, w.Detections, n[s.receiver]["qualys.vulnerability.detection"], s.receiver)
		assert.Equal(t, w.Postures, n[s.receiver]["qualys.compliance.posture"], s.receiver)
		for id := range hostsOf[s.receiver] {
			assert.True(t, tenantHasHost(s.tenant, id), "%s: host %v is not its tenant's", s.receiver, id)
		}
	}

	// Gauges: one resource per subscription, each with its own tenant's counts.
	detections := gaugesByReceiver(t, metricsPath, "qualys.vulnerability.detections")
	postures := gaugesByReceiver(t, metricsPath, "qualys.compliance.postures")
	for _, s := range subs {
		assert.Equal(t, int64(want[s.receiver].Detections), detections[s.receiver], "%s detections gauge", s.receiver)
		assert.Equal(t, int64(want[s.receiver].Postures), postures[s.receiver], "%s postures gauge", s.receiver)
	}

	// The collector's own metrics: one series per receiver, each with its own records.
	series := scrape(t, telemetryPort)
	for _, s := range subs {
		records := series.sum("otelcol_receiver_qualys_records", map[string]string{"receiver": s.receiver, "stream": "vulnerabilities"})
		assert.Equal(t, float64(want[s.receiver].Detections), records, "%s records", s.receiver)
		polls := series.sum("otelcol_receiver_qualys_polls", map[string]string{"receiver": s.receiver, "stream": "vulnerabilities", "outcome": "ok"})
		assert.Equal(t, 1.0, polls, "%s polls", s.receiver)
		assert.Positive(t, series.sum("otelcol_receiver_qualys_last_successful_poll", map[string]string{"receiver": s.receiver, "stream": "compliance"}))
	}
	for _, p := range series {
		if strings.HasPrefix(p.name, "otelcol_receiver_qualys_") {
			assert.Contains(t, []string{"qualys/us", "qualys/eu"}, p.labels["receiver"], "%s%v carries its receiver", p.name, p.labels)
		}
	}
}

func tenantHasHost(tenant *simulator.Tenant, id any) bool {
	for i := range tenant.HostCount() {
		if v, ok := id.(int64); ok && int64(tenant.Host(i).ID) == v {
			return true
		}
	}
	return false
}

// gaugesByReceiver sums the latest data points of a gauge for each receiver's resource.
func gaugesByReceiver(t *testing.T, path, name string) map[string]int64 {
	t.Helper()
	latest := map[string]pmetric.Metric{}
	eachLine(t, path, func(line []byte) {
		var u pmetric.JSONUnmarshaler
		md, err := u.UnmarshalMetrics(line)
		require.NoError(t, err)
		for _, rm := range md.ResourceMetrics().All() {
			id, _ := rm.Resource().Attributes().Get("qualys.receiver.id")
			for _, sm := range rm.ScopeMetrics().All() {
				for _, m := range sm.Metrics().All() {
					if m.Name() == name {
						latest[id.AsString()] = m
					}
				}
			}
		}
	})
	out := map[string]int64{}
	for id, m := range latest {
		for _, dp := range m.Gauge().DataPoints().All() {
			out[id] += dp.IntValue()
		}
	}
	return out
}

type promPoint struct {
	name   string
	labels map[string]string
	value  float64
}

type promSeries []promPoint

// sum adds the points of the metric (with or without the _total suffix) whose labels include want.
func (s promSeries) sum(name string, want map[string]string) float64 {
	var total float64
	for _, p := range s {
		if p.name != name && p.name != name+"_total" && p.name != name+"_seconds" {
			continue
		}
		match := true
		for k, v := range want {
			if p.labels[k] != v {
				match = false
			}
		}
		if match {
			total += p.value
		}
	}
	return total
}

// scrape reads the collector's own metrics from its Prometheus endpoint (text format).
func scrape(t *testing.T, port int) promSeries {
	t.Helper()
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", port))
	require.NoError(t, err)
	defer resp.Body.Close()
	var out promSeries
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		p, ok := parsePromLine(line)
		require.True(t, ok, "unreadable line %q", line)
		out = append(out, p)
	}
	require.NoError(t, sc.Err())
	_, _ = io.Copy(io.Discard, resp.Body)
	return out
}

// parsePromLine reads `name{k="v",...} value`; label values hold no `",` in these metrics.
func parsePromLine(line string) (promPoint, bool) {
	p := promPoint{labels: map[string]string{}}
	rest := line
	if i := strings.IndexByte(line, '{'); i >= 0 {
		j := strings.LastIndexByte(line, '}')
		if j < i {
			return p, false
		}
		p.name = line[:i]
		for _, kv := range strings.Split(line[i+1:j], "\",") {
			k, v, ok := strings.Cut(kv, "=\"")
			if !ok {
				continue
			}
			p.labels[strings.TrimPrefix(k, ",")] = strings.TrimSuffix(v, "\"")
		}
		rest = strings.TrimSpace(line[j+1:])
	} else {
		var ok bool
		p.name, rest, ok = strings.Cut(line, " ")
		if !ok {
			return p, false
		}
	}
	fields := strings.Fields(rest)
	if len(fields) == 0 {
		return p, false
	}
	v, err := strconv.ParseFloat(fields[0], 64)
	p.value = v
	return p, err == nil
}

// Two receivers, one per subscription, into the same pipelines.
const twoReceiversConfig = `
receivers:
  qualys/us:
    api_url: %s
    gateway_url: %s
    username: %s
    password: ${env:QUALYS_PASSWORD}
    assets:
      interval: 1h
    compliance:
      interval: 1h
    vulnerabilities:
      interval: 1h
      page_size: 7
  qualys/eu:
    api_url: %s
    gateway_url: %s
    username: %s
    password: ${env:QUALYS_PASSWORD}
    assets:
      interval: 1h
    compliance:
      interval: 1h
    vulnerabilities:
      interval: 1h
      page_size: 5
processors:
  batch:
exporters:
  otlp_grpc:
    endpoint: 127.0.0.1:%d
    tls:
      insecure: true
service:
  telemetry:
    metrics:
      readers:
        - pull:
            exporter:
              prometheus:
                host: 127.0.0.1
                port: %d
  pipelines:
    logs:
      receivers: [qualys/us, qualys/eu]
      processors: [batch]
      exporters: [otlp_grpc]
    metrics:
      receivers: [qualys/us, qualys/eu]
      processors: [batch]
      exporters: [otlp_grpc]
`
