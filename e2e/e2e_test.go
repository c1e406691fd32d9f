// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

// Package e2e runs the collector built by ocb against the Qualys simulator and ships over OTLP to a
// second collector standing in for the backend; the test asserts on what arrived there. `make test`
// builds the collector and runs it with QUALYS_E2E_COLLECTOR set.
package e2e

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/seed-d80aa3af/qualysreceiver/internal/simulator"
)

const (
	user     = "e2e_user"
	password = "e2e-Secret-Pa55"
)

var allStatuses = []string{"New", "Active", "Re-Opened", "Fixed"}

func TestEndToEndOverOTLP(t *testing.T) {
	collector := os.Getenv("QUALYS_E2E_COLLECTOR")
	if collector == "" {
		t.Skip("QUALYS_E2E_COLLECTOR is not set: `make test` builds the collector and runs this test with it")
	}
	collector, err := filepath.Abs(collector)
	require.NoError(t, err)

	tenant := simulator.NewTenant(simulator.TenantConfig{Seed: 7, Hosts: 60, DetectionsPerHost: 5, Policies: 3, ControlsPerPolicy: 4})
	sim := simulator.New(tenant, simulator.Options{Username: user, Password: password})
	apiURL, gatewayURL := sim.Start()
	defer sim.Close()

	dir := t.TempDir()
	otlpPort := freePort(t)
	backendCfg := filepath.Join(dir, "backend.yaml")
	require.NoError(t, os.WriteFile(backendCfg, fmt.Appendf(nil, backendConfig, otlpPort, dir, dir, freePort(t)), 0o600))
	qualysCfg := filepath.Join(dir, "qualys.yaml")
	require.NoError(t, os.WriteFile(qualysCfg, fmt.Appendf(nil, qualysConfig, apiURL, gatewayURL, user, otlpPort, freePort(t)), 0o600))

	backend := start(t, collector, backendCfg, filepath.Join(dir, "backend.log"))
	waitForPort(t, otlpPort)
	start(t, collector, qualysCfg, filepath.Join(dir, "qualys.log"))
	_ = backend

	want := tenant.Counts(simulator.Query{Statuses: allStatuses})
	var logs plog.Logs
	require.Eventually(t, func() bool {
		logs = readLogs(t, filepath.Join(dir, "logs.json"))
		return countEvents(logs)["qualys.vulnerability.detection"] >= want.Detections
	}, 2*time.Minute, 500*time.Millisecond, "detections did not arrive; collector log:\n%s", tail(filepath.Join(dir, "qualys.log")))
	time.Sleep(2 * time.Second) // anything sent twice would arrive by now

	logs = readLogs(t, filepath.Join(dir, "logs.json"))
	seen := map[string]int{}
	eachRecord(logs, func(res, rec map[string]any, event string) {
		if event != "qualys.vulnerability.detection" {
			return
		}
		for _, key := range []string{"qualys.host.id", "host.name", "host.ip"} {
			assert.Contains(t, res, key)
		}
		for _, key := range []string{"qualys.qid", "qualys.detection.type", "qualys.detection.status", "qualys.severity", "qualys.detection.first_found", "vulnerability.description"} {
			assert.Contains(t, rec, key)
		}
		seen[fmt.Sprint(res["qualys.host.id"], rec["qualys.qid"], rec["server.port"], rec["network.transport"], rec["qualys.detection.instance"], rec["qualys.detection.unique_id"])]++
	})
	assert.Len(t, seen, want.Detections, "every simulated detection arrived")
	for k, n := range seen {
		assert.Equal(t, 1, n, "detection %s arrived %d times", k, n)
	}

	gauges := readGauges(t, filepath.Join(dir, "metrics.json"), "qualys.vulnerability.detections", "qualys.detection.status")
	for status, n := range want.ByStatus {
		assert.Equal(t, int64(n), gauges[status], "qualys.vulnerability.detections{status=%s}", status)
	}

	log, err := os.ReadFile(filepath.Join(dir, "qualys.log"))
	require.NoError(t, err)
	assert.NotContains(t, string(log), password, "the password never appears in the collector's log")
}

const backendConfig = `
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:%d
exporters:
  file/logs:
    path: %s/logs.json
  file/metrics:
    path: %s/metrics.json
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
      receivers: [otlp]
      exporters: [file/logs]
    metrics:
      receivers: [otlp]
      exporters: [file/metrics]
`

// The receiver under test: the same shape as examples/qualys.yaml, pointed at the simulator.
const qualysConfig = `
receivers:
  qualys:
    api_url: %s
    gateway_url: %s
    username: %s
    password: ${env:QUALYS_PASSWORD}
    max_concurrency: 2
    assets:
      enabled: false
    compliance:
      enabled: false
    vulnerabilities:
      interval: 1h
      page_size: 17
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
      receivers: [qualys]
      processors: [batch]
      exporters: [otlp_grpc]
    metrics:
      receivers: [qualys]
      processors: [batch]
      exporters: [otlp_grpc]
`

func start(t *testing.T, collector, config, logPath string) *exec.Cmd {
	t.Helper()
	logFile, err := os.Create(logPath)
	require.NoError(t, err)
	cmd := exec.Command(collector, "--config="+config)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.Env = append(os.Environ(), "QUALYS_PASSWORD="+password)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
		}
		_ = logFile.Close()
	})
	return cmd
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func waitForPort(t *testing.T, port int) {
	t.Helper()
	require.Eventually(t, func() bool {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			_ = c.Close()
		}
		return err == nil
	}, 30*time.Second, 100*time.Millisecond, "the backend collector did not open its OTLP port")
}

// readLogs reads the file exporter's JSON lines, one plog.Logs per line.
func readLogs(t *testing.T, path string) plog.Logs {
	t.Helper()
	out := plog.NewLogs()
	eachLine(t, path, func(line []byte) {
		var u plog.JSONUnmarshaler
		ld, err := u.UnmarshalLogs(line)
		require.NoError(t, err)
		ld.ResourceLogs().MoveAndAppendTo(out.ResourceLogs())
	})
	return out
}

// readGauges sums the latest data point of a gauge by one attribute's value.
func readGauges(t *testing.T, path, name, attr string) map[string]int64 {
	t.Helper()
	var latest pmetric.Metric
	found := false
	eachLine(t, path, func(line []byte) {
		var u pmetric.JSONUnmarshaler
		md, err := u.UnmarshalMetrics(line)
		require.NoError(t, err)
		rms := md.ResourceMetrics()
		for i := range rms.Len() {
			sms := rms.At(i).ScopeMetrics()
			for j := range sms.Len() {
				ms := sms.At(j).Metrics()
				for k := range ms.Len() {
					if ms.At(k).Name() == name {
						latest = pmetric.NewMetric()
						ms.At(k).CopyTo(latest)
						found = true
					}
				}
			}
		}
	})
	require.True(t, found, "metric %s arrived", name)
	out := map[string]int64{}
	dps := latest.Gauge().DataPoints()
	for i := range dps.Len() {
		v, _ := dps.At(i).Attributes().Get(attr)
		out[v.AsString()] += dps.At(i).IntValue()
	}
	return out
}

func eachLine(t *testing.T, path string, fn func([]byte)) {
	t.Helper()
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return
	}
	require.NoError(t, err)
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 1<<20), 256<<20)
	for sc.Scan() {
		if line := bytes.TrimSpace(sc.Bytes()); len(line) > 0 {
			fn(line)
		}
	}
	require.NoError(t, sc.Err())
}

func eachRecord(ld plog.Logs, fn func(res, rec map[string]any, event string)) {
	rls := ld.ResourceLogs()
	for i := range rls.Len() {
		res := rls.At(i).Resource().Attributes().AsRaw()
		sls := rls.At(i).ScopeLogs()
		for j := range sls.Len() {
			lrs := sls.At(j).LogRecords()
			for k := range lrs.Len() {
				fn(res, lrs.At(k).Attributes().AsRaw(), lrs.At(k).EventName())
			}
		}
	}
}

func countEvents(ld plog.Logs) map[string]int {
	out := map[string]int{}
	eachRecord(ld, func(_, _ map[string]any, event string) { out[event]++ })
	return out
}

func tail(path string) string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(string(b), "\n")
	return strings.Join(lines[max(0, len(lines)-30):], "\n")
}
