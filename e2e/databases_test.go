// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The databases of `make e2e-backends`: VictoriaLogs and VictoriaMetrics single node, each started
// by the test on a free loopback port with its data in the test's directory, and stopped with it.

type victoriaLogs struct{ base string }

// otlp is the base URL of VictoriaLogs' OpenTelemetry endpoint (the exporter appends /v1/logs).
func (v *victoriaLogs) otlp() string { return v.base + "/insert/opentelemetry" }

type victoriaMetrics struct{ base string }

// otlp is the base URL of VictoriaMetrics' OpenTelemetry endpoint (the exporter appends /v1/metrics).
func (v *victoriaMetrics) otlp() string { return v.base + "/opentelemetry" }

func startVictoriaLogs(t *testing.T, bin, dir string) *victoriaLogs {
	t.Helper()
	port := freePort(t)
	startWith(t, bin, []string{
		fmt.Sprintf("-httpListenAddr=127.0.0.1:%d", port),
		"-storageDataPath=" + filepath.Join(dir, "victoria-logs"),
		"-loggerLevel=WARN",
	}, nil, filepath.Join(dir, "victoria-logs.log"))
	v := &victoriaLogs{base: fmt.Sprintf("http://127.0.0.1:%d", port)}
	waitHealthy(t, v.base, filepath.Join(dir, "victoria-logs.log"))
	return v
}

// startVictoriaMetrics starts VictoriaMetrics with Prometheus naming for OTLP metrics (the
// translation the dashboard's queries use) and scraping the collector's own metrics every second.
func startVictoriaMetrics(t *testing.T, bin, dir string, telemetryPort int) *victoriaMetrics {
	t.Helper()
	scrape := filepath.Join(dir, "scrape.yaml")
	require.NoError(t, os.WriteFile(scrape, fmt.Appendf(nil, `scrape_configs:
  - job_name: otelcol-qualys
    scrape_interval: 1s
    static_configs:
      - targets: ["127.0.0.1:%d"]
`, telemetryPort), 0o600))
	port := freePort(t)
	startWith(t, bin, []string{
		fmt.Sprintf("-httpListenAddr=127.0.0.1:%d", port),
		"-storageDataPath=" + filepath.Join(dir, "victoria-metrics"),
		"-opentelemetry.usePrometheusNaming",
		"-promscrape.config=" + scrape,
		// Recent samples are queryable at once (the default hides the last 30s).
		"-search.latencyOffset=0s",
		"-search.disableCache",
		"-loggerLevel=WARN",
	}, nil, filepath.Join(dir, "victoria-metrics.log"))
	v := &victoriaMetrics{base: fmt.Sprintf("http://127.0.0.1:%d", port)}
	waitHealthy(t, v.base, filepath.Join(dir, "victoria-metrics.log"))
	return v
}

// startWith starts a process with args and env added to the test's environment, logging to
// logPath; it is interrupted, and after 10s killed, when the test ends.
func startWith(t *testing.T, bin string, args, env []string, logPath string) {
	t.Helper()
	logFile, err := os.Create(logPath)
	require.NoError(t, err)
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.Env = append(append(os.Environ(), "QUALYS_PASSWORD="+password), env...)
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
}

var httpClient = &http.Client{Timeout: 10 * time.Second}

func waitHealthy(t *testing.T, base, logPath string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		resp, err := httpClient.Get(base + "/health")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not become healthy: %v; log:\n%s", base, err, tail(logPath))
		}
	}
}

// query runs a LogsQL query and returns its rows, one map of fields per line of the answer.
func (v *victoriaLogs) query(q string) ([]map[string]string, error) {
	resp, err := httpClient.PostForm(v.base+"/select/logsql/query", url.Values{"query": {q}})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		return nil, fmt.Errorf("LogsQL %q: HTTP %d: %s", q, resp.StatusCode, body)
	}
	var rows []map[string]string
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	for sc.Scan() {
		if len(strings.TrimSpace(sc.Text())) == 0 {
			continue
		}
		row := map[string]string{}
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			return nil, fmt.Errorf("LogsQL %q: %w", q, err)
		}
		rows = append(rows, row)
	}
	return rows, sc.Err()
}

// countBy counts the records matching filter by the value of field.
func (v *victoriaLogs) countBy(t *testing.T, filter, field string) map[string]int {
	t.Helper()
	rows, err := v.query(fmt.Sprintf("%s | stats by (%s) count() n", filter, field))
	require.NoError(t, err)
	out := map[string]int{}
	for _, r := range rows {
		n, err := strconv.Atoi(r["n"])
		require.NoError(t, err)
		out[r[field]] += n
	}
	return out
}

// promSample is one series of an instant query's answer.
type promSample struct {
	Metric map[string]string `json:"metric"`
	Value  [2]any            `json:"value"`
}

// query runs an instant PromQL query.
func (v *victoriaMetrics) query(q string) ([]promSample, error) {
	resp, err := httpClient.PostForm(v.base+"/api/v1/query", url.Values{"query": {q}})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	var answer struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			Result []promSample `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &answer); err != nil {
		return nil, fmt.Errorf("PromQL %q: HTTP %d: %s", q, resp.StatusCode, body)
	}
	if answer.Status != "success" {
		return nil, fmt.Errorf("PromQL %q: %s", q, answer.Error)
	}
	return answer.Data.Result, nil
}

// has reports whether every named metric has a sample.
func (v *victoriaMetrics) has(names ...string) bool {
	for _, name := range names {
		if rows, err := v.query(name); err != nil || len(rows) == 0 {
			return false
		}
	}
	return true
}

// sumBy is the latest value of a gauge summed by one label.
func (v *victoriaMetrics) sumBy(t *testing.T, metric, label string) map[string]int {
	t.Helper()
	return v.sumByQuery(t, fmt.Sprintf("sum by (%s) (last_over_time(%s[1h]))", label, metric), label)
}

func (v *victoriaMetrics) sumByQuery(t *testing.T, q, label string) map[string]int {
	t.Helper()
	rows, err := v.query(q)
	require.NoError(t, err)
	out := map[string]int{}
	for _, r := range rows {
		f, err := strconv.ParseFloat(fmt.Sprint(r.Value[1]), 64)
		require.NoError(t, err)
		out[r.Metric[label]] += int(f)
	}
	return out
}
