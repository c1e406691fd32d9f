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

// builtCollector is the ocb-built collector the end-to-end tests run; they skip without one.
func builtCollector(t *testing.T) string {
	t.Helper()
	collector := os.Getenv("QUALYS_E2E_COLLECTOR")
	if collector == "" {
		t.Skip("QUALYS_E2E_COLLECTOR is not set: `make test` builds the collector and runs this test with it")
	}
	collector, err := filepath.Abs(collector)
	require.NoError(t, err)
	return collector
}

// TestEndToEndOverOTLP runs once with the simulator's usual layout and once with every element's
// text on its own indented line (Options.PrettyXML), as Qualys's guide and other integrations'
// recorded answers lay them out: the same records must arrive.
func TestEndToEndOverOTLP(t *testing.T) {
	collector := builtCollector(t)
	t.Run("compact", func(t *testing.T) { endToEndOverOTLP(t, collector, false) })
	t.Run("pretty-printed", func(t *testing.T) { endToEndOverOTLP(t, collector, true) })
}

func endToEndOverOTLP(t *testing.T, collector string, pretty bool) {
	// The tenant's "now" is the real clock's, so the default modified_within (90 days) selects the
	// recently modified assets exactly as it would on Qualys.
	testStart := time.Now().UTC().Truncate(time.Second)
	tenant := simulator.NewTenant(simulator.TenantConfig{Seed: 7, Hosts: 60, DetectionsPerHost: 5, Policies: 3, ControlsPerPolicy: 4, BaseTime: testStart})
	sim := simulator.New(tenant, simulator.Options{Username: user, Password: password, PrettyXML: pretty})
	apiURL, gatewayURL := sim.Start()
	defer sim.Close()

	wantAssets := assetsWithin(t, tenant, testStart.Add(-modifiedWithin))
	require.NotEmpty(t, wantAssets)
	require.Less(t, len(wantAssets), tenant.HostCount(), "some assets lie outside modified_within, so the test shows they stay out")
	want := tenant.Counts(simulator.Query{Statuses: allStatuses})
	require.NotZero(t, want.Postures)

	dir := t.TempDir()
	otlpPort := freePort(t)
	backendCfg := filepath.Join(dir, "backend.yaml")
	require.NoError(t, os.WriteFile(backendCfg, fmt.Appendf(nil, backendConfig, otlpPort, dir, dir, freePort(t)), 0o600))
	qualysCfg := filepath.Join(dir, "qualys.yaml")
	require.NoError(t, os.WriteFile(qualysCfg, fmt.Appendf(nil, qualysConfig, apiURL, gatewayURL, user, otlpPort, freePort(t)), 0o600))

	start(t, collector, backendCfg, filepath.Join(dir, "backend.log"))
	waitForPort(t, otlpPort)
	start(t, collector, qualysCfg, filepath.Join(dir, "qualys.log"))

	arrived := func() bool {
		n := countEvents(readLogs(t, filepath.Join(dir, "logs.json")))
		return n["qualys.vulnerability.detection"] >= want.Detections && n["qualys.asset"] >= len(wantAssets) &&
			n["qualys.compliance.posture"] >= want.Postures &&
			hasMetrics(t, filepath.Join(dir, "metrics.json"), "qualys.vulnerability.detections", "qualys.assets", "qualys.compliance.postures")
	}
	for deadline := time.Now().Add(2 * time.Minute); !arrived(); time.Sleep(500 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("records or metrics did not arrive; collector log:\n%s", tail(filepath.Join(dir, "qualys.log")))
		}
	}
	time.Sleep(2 * time.Second) // anything sent twice would arrive by now

	logs := readLogs(t, filepath.Join(dir, "logs.json"))
	detections, assets, postures := map[string]int{}, map[int64]int{}, map[int64]int{}
	detectionHosts, assetHosts := map[int64]map[string]any{}, map[int64]map[string]any{}
	eachRecord(logs, func(res, rec map[string]any, event string) {
		for _, key := range []string{"qualys.host.id", "host.name", "host.ip", "os.description"} {
			assert.Contains(t, res, key, event)
		}
		hostID, _ := res["qualys.host.id"].(int64)
		switch event {
		case "qualys.vulnerability.detection":
			for _, key := range []string{"qualys.qid", "qualys.detection.type", "qualys.detection.status", "qualys.severity", "qualys.detection.first_found", "vulnerability.description"} {
				assert.Contains(t, rec, key)
			}
			detections[fmt.Sprint(hostID, rec["qualys.qid"], rec["server.port"], rec["network.transport"], rec["qualys.detection.instance"], rec["qualys.detection.unique_id"])]++
			detectionHosts[hostID] = res
		case "qualys.asset":
			for _, key := range []string{"qualys.asset.tracking_method", "qualys.asset.modified"} {
				assert.Contains(t, rec, key)
			}
			assets[hostID]++
			assetHosts[hostID] = res
		case "qualys.compliance.posture":
			for _, key := range []string{"qualys.posture.id", "qualys.policy.id", "qualys.control.id", "qualys.posture.status", "qualys.posture.last_evaluated"} {
				assert.Contains(t, rec, key)
			}
			id, _ := rec["qualys.posture.id"].(int64)
			postures[id]++
		default:
			t.Errorf("unexpected event %q", event)
		}
	})

	t.Logf("arrived: %d detections, %d assets (of %d hosts), %d postures", len(detections), len(assets), tenant.HostCount(), len(postures))
	assert.Len(t, detections, want.Detections, "every simulated detection arrived")
	for k, n := range detections {
		assert.Equal(t, 1, n, "detection %s arrived %d times", k, n)
	}
	assert.Len(t, assets, len(wantAssets), "every asset modified within 90 days arrived, and no other")
	for id, n := range assets {
		assert.True(t, wantAssets[id], "asset %d is outside modified_within", id)
		assert.Equal(t, 1, n, "asset %d arrived %d times", id, n)
	}
	assert.Len(t, postures, want.Postures, "every simulated posture arrived")
	for id, n := range postures {
		assert.Equal(t, 1, n, "posture %d arrived %d times", id, n)
	}
	for id, res := range assetHosts {
		if det, ok := detectionHosts[id]; ok {
			// Only the assets stream knows MAC addresses and the host asset's cloud source; the
			// detections carry the host's tag names, which the asset has on its record.
			for _, k := range []string{"host.mac", "cloud.region", "cloud.availability_zone", "cloud.account.id", "host.id", "host.type", "host.image.id"} {
				delete(res, k)
			}
			delete(det, "qualys.asset.tags")
			assert.Equal(t, det, res, "host %d: the asset's identity is its detections' identity", id)
		}
	}

	metrics := filepath.Join(dir, "metrics.json")
	for status, n := range want.ByStatus {
		assert.Equal(t, int64(n), readGauges(t, metrics, "qualys.vulnerability.detections", "qualys.detection.status")[status], "qualys.vulnerability.detections{status=%s}", status)
	}
	wantByMethod := map[string]int64{}
	for i := range tenant.HostCount() {
		if h := tenant.Host(i); wantAssets[int64(h.ID)] {
			wantByMethod[h.TrackingMethod]++
		}
	}
	assert.Equal(t, wantByMethod, readGauges(t, metrics, "qualys.assets", "qualys.asset.tracking_method"))
	wantByStatus := map[string]int64{}
	for status, n := range want.PosturesByStatus {
		wantByStatus[status] = int64(n)
	}
	assert.Equal(t, wantByStatus, readGauges(t, metrics, "qualys.compliance.postures", "qualys.posture.status"))

	log, err := os.ReadFile(filepath.Join(dir, "qualys.log"))
	require.NoError(t, err)
	assert.NotContains(t, string(log), password, "the password never appears in the collector's log")
	assert.NotContains(t, string(log), "could not be read", "no field was lost")
}

// modifiedWithin is the receiver's default assets::modified_within, which the e2e config keeps.
const modifiedWithin = 90 * 24 * time.Hour

// assetsWithin returns the ids of the hosts whose asset was modified after cutoff. The receiver
// computes its own cutoff a few seconds later, so the test needs no host that close to it.
func assetsWithin(t *testing.T, tenant *simulator.Tenant, cutoff time.Time) map[int64]bool {
	t.Helper()
	out := map[int64]bool{}
	for i := range tenant.HostCount() {
		h := tenant.Host(i)
		require.False(t, h.Modified.After(cutoff) && h.Modified.Before(cutoff.Add(10*time.Minute)),
			"host %d was modified within minutes of the cutoff; pick another seed", h.ID)
		if h.Modified.After(cutoff) {
			out[int64(h.ID)] = true
		}
	}
	return out
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
      interval: 1h
      page_size: 13
    compliance:
      interval: 1h
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

// hasMetrics reports whether every named metric has arrived.
func hasMetrics(t *testing.T, path string, names ...string) bool {
	t.Helper()
	seen := map[string]bool{}
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
					seen[ms.At(k).Name()] = true
				}
			}
		}
	})
	for _, name := range names {
		if !seen[name] {
			return false
		}
	}
	return true
}

func eachLine(t *testing.T, path string, fn func([]byte)) {
	t.Helper()
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return
	}
	require.NoError(t, err)
	// The exporter may be writing the last line right now: read only complete lines.
	b = b[:bytes.LastIndexByte(b, '\n')+1]
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
