// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-d80aa3af/qualysreceiver/internal/simulator"
)

// backendExample is one of examples/ run as it is, with only its endpoints pointed at the local
// databases: the environment variables it reads, and for the endpoints it spells out (Splunk
// Observability Cloud's URL) or shares between signals (Elastic's one OTLP endpoint), the
// exporter's per-signal endpoint keys in an overlay configuration.
type backendExample struct {
	file string
	env  func(logsOTLP, metricsOTLP string) []string
	// exporters is the overlay's exporters section, given the two OTLP base URLs.
	exporters func(logsOTLP, metricsOTLP string) string
}

var backendExamples = []backendExample{
	{
		file: "loki.yaml",
		env: func(logs, metrics string) []string {
			return []string{"LOKI_ENDPOINT=" + logs, "PROMETHEUS_OTLP_ENDPOINT=" + metrics}
		},
	},
	{
		file: "elastic.yaml",
		env: func(string, string) []string {
			// Overridden per signal below: the logs go to the logs database, the metrics to the
			// metrics one; nothing listens here.
			return []string{"ELASTIC_OTLP_ENDPOINT=http://127.0.0.1:9", "ELASTIC_API_KEY=e2e-key"}
		},
		exporters: func(logs, metrics string) string {
			return fmt.Sprintf("  otlp_http/elastic:\n    logs_endpoint: %s/v1/logs\n    metrics_endpoint: %s/v1/metrics\n", logs, metrics)
		},
	},
	{
		file: "splunk.yaml",
		env: func(logs, _ string) []string {
			return []string{"SPLUNK_GATEWAY_ENDPOINT=" + logs, "SPLUNK_REALM=e2e", "SPLUNK_ACCESS_TOKEN=e2e-token"}
		},
		exporters: func(_, metrics string) string {
			return fmt.Sprintf("  otlp_http/splunk_observability:\n    metrics_endpoint: %s/v1/metrics\n", metrics)
		},
	},
}

// TestBackends runs each backend example's configuration in the ocb-built collector against the
// simulator, shipping logs over OTLP/HTTP into VictoriaLogs and metrics into VictoriaMetrics, and
// checks what the databases answer to queries: every record with its body and attributes, counts
// per stream by severity and status equal to the simulator's truth and to the gauges, one host
// joined across the three streams, the receiverhelper counters in the collector's own telemetry,
// and every panel of the Grafana dashboard. `make e2e-backends` installs the databases into
// _build/ and sets the variables.
func TestBackends(t *testing.T) {
	collector := builtCollector(t)
	vlogs, vmetrics := os.Getenv("QUALYS_E2E_VICTORIALOGS"), os.Getenv("QUALYS_E2E_VICTORIAMETRICS")
	if vlogs == "" || vmetrics == "" {
		t.Skip("QUALYS_E2E_VICTORIALOGS and QUALYS_E2E_VICTORIAMETRICS are not set: `make e2e-backends` installs them and runs this test")
	}
	for _, ex := range backendExamples {
		t.Run(strings.TrimSuffix(ex.file, ".yaml"), func(t *testing.T) {
			runBackendExample(t, collector, vlogs, vmetrics, ex)
		})
	}
}

// backendTruth is what the simulated tenant holds, as the databases must show it.
type backendTruth struct {
	tenant *simulator.Tenant
	counts simulator.Counts
	assets map[int64]bool
}

func (b backendTruth) records() int { return b.counts.Detections + len(b.assets) + b.counts.Postures }

func runBackendExample(t *testing.T, collector, vlogs, vmetrics string, ex backendExample) {
	testStart := time.Now().UTC().Truncate(time.Second)
	tenant := simulator.NewTenant(simulator.TenantConfig{Seed: 7, Hosts: 60, DetectionsPerHost: 5, Policies: 3, ControlsPerPolicy: 4, BaseTime: testStart})
	sim := simulator.New(tenant, simulator.Options{Username: user, Password: password})
	for _, f := range dashboardFaults {
		_, err := sim.InjectFault(f)
		require.NoError(t, err)
	}
	apiURL, gatewayURL := sim.Start()
	defer sim.Close()
	truth := backendTruth{tenant: tenant, counts: tenant.Counts(simulator.Query{Statuses: allStatuses}),
		assets: assetsWithin(t, tenant, testStart.Add(-modifiedWithin))}

	dir := t.TempDir()
	telemetryPort := freePort(t)
	logsDB := startVictoriaLogs(t, vlogs, dir)
	metricsDB := startVictoriaMetrics(t, vmetrics, dir, telemetryPort)

	overlay := fmt.Sprintf(backendOverlay, apiURL, gatewayURL, telemetryPort)
	if ex.exporters != nil {
		overlay += "exporters:\n" + ex.exporters(logsDB.otlp(), metricsDB.otlp())
	}
	overlayPath := filepath.Join(dir, "overlay.yaml")
	require.NoError(t, os.WriteFile(overlayPath, []byte(overlay), 0o600))
	example, err := filepath.Abs(filepath.Join("..", "examples", ex.file))
	require.NoError(t, err)
	env := append([]string{"QUALYS_USERNAME=" + user, "QUALYS_STORAGE_DIR=" + filepath.Join(dir, "storage")},
		ex.env(logsDB.otlp(), metricsDB.otlp())...)
	logPath := filepath.Join(dir, "collector.log")
	startWith(t, collector, []string{"--config=" + example, "--config=" + overlayPath}, env, logPath)

	arrived := func() bool {
		rows, err := logsDB.query("* | stats count() n")
		return err == nil && len(rows) == 1 && rows[0]["n"] == strconv.Itoa(truth.records()) &&
			metricsDB.has("qualys_vulnerability_detections", "qualys_assets", "qualys_compliance_postures")
	}
	for deadline := time.Now().Add(2 * time.Minute); !arrived(); time.Sleep(500 * time.Millisecond) {
		if time.Now().After(deadline) {
			rows, _ := logsDB.query("* | stats by (event_name) count() n")
			t.Fatalf("records or metrics did not arrive (want %d records; logs database has %v); collector log:\n%s",
				truth.records(), rows, tail(logPath))
		}
	}
	time.Sleep(2 * time.Second) // anything sent twice would be stored by now

	checkLogCounts(t, logsDB, metricsDB, truth)
	checkRecords(t, logsDB)
	checkHostJoin(t, logsDB)
	checkCurrentStateQuery(t, logsDB, truth)
	checkReceiverCounters(t, metricsDB, truth)
	checkDashboard(t, metricsDB)

	log, err := os.ReadFile(logPath)
	require.NoError(t, err)
	assert.NotContains(t, string(log), password, "the password never appears in the collector's log")
}

// backendOverlay points the example's receiver at the simulator (api_url wins over platform) and
// serves the collector's own metrics for the metrics database to scrape, with the suffixes the
// dashboard expects (dashboards/README.md).
const backendOverlay = `receivers:
  qualys:
    api_url: %s
    gateway_url: %s
service:
  telemetry:
    metrics:
      readers:
        - pull:
            exporter:
              prometheus:
                host: 127.0.0.1
                port: %d
                without_units: false
                without_type_suffix: false
`

// checkLogCounts compares, per stream, the logs database's counts by severity and status with the
// simulator's truth and with the gauges in the metrics database.
func checkLogCounts(t *testing.T, logs *victoriaLogs, metrics *victoriaMetrics, truth backendTruth) {
	t.Helper()
	wantSeverity, wantStatus := map[string]int{}, map[string]int{}
	for sev, n := range truth.counts.BySeverity {
		wantSeverity[strconv.Itoa(sev)] = n
	}
	for status, n := range truth.counts.ByStatus {
		wantStatus[status] = n
	}
	const detections = `event_name:="qualys.vulnerability.detection"`
	assert.Equal(t, wantSeverity, logs.countBy(t, detections, "qualys.severity"), "detections by severity")
	assert.Equal(t, wantStatus, logs.countBy(t, detections, "qualys.detection.status"), "detections by status")
	assert.Equal(t, wantSeverity, metrics.sumBy(t, "qualys_vulnerability_detections", "qualys_severity"), "gauge by severity")
	assert.Equal(t, wantStatus, metrics.sumBy(t, "qualys_vulnerability_detections", "qualys_detection_status"), "gauge by status")

	wantMethod := map[string]int{}
	for i := range truth.tenant.HostCount() {
		if h := truth.tenant.Host(i); truth.assets[int64(h.ID)] {
			wantMethod[h.TrackingMethod]++
		}
	}
	assert.Equal(t, wantMethod, logs.countBy(t, `event_name:="qualys.asset"`, "qualys.asset.tracking_method"), "assets by tracking method")
	assert.Equal(t, wantMethod, metrics.sumBy(t, "qualys_assets", "qualys_asset_tracking_method"), "gauge by tracking method")

	wantPostures := map[string]int{}
	for status, n := range truth.counts.PosturesByStatus {
		wantPostures[status] = n
	}
	const postures = `event_name:="qualys.compliance.posture"`
	assert.Equal(t, wantPostures, logs.countBy(t, postures, "qualys.posture.status"), "postures by status")
	assert.Equal(t, wantPostures, logs.countBy(t, postures, "severity_text"), "postures by severity text (the status)")
	assert.Equal(t, wantPostures, metrics.sumBy(t, "qualys_compliance_postures", "qualys_posture_status"), "gauge by status")
}

// checkRecords reads every record back: its body is the summary of its own attributes, and the
// attributes a backend filters on are there.
func checkRecords(t *testing.T, logs *victoriaLogs) {
	t.Helper()
	rows, err := logs.query("* | fields _msg, _time, event_name, host.name, qualys.qid, qualys.detection.status, vulnerability.description, qualys.control.id, qualys.posture.status, qualys.asset.tracking_method")
	require.NoError(t, err)
	for _, r := range rows {
		body := r["_msg"]
		assert.Contains(t, body, r["host.name"], "the body names the host: %v", r)
		switch r["event_name"] {
		case "qualys.vulnerability.detection":
			assert.True(t, strings.HasPrefix(body, fmt.Sprintf("QID %s %q: ", r["qualys.qid"], r["vulnerability.description"])), "detection body %q", body)
			assert.Contains(t, body, r["qualys.detection.status"])
		case "qualys.asset":
			assert.True(t, strings.HasPrefix(body, "Host "+r["host.name"]), "asset body %q", body)
			assert.NotEmpty(t, r["qualys.asset.tracking_method"])
		case "qualys.compliance.posture":
			assert.True(t, strings.HasPrefix(body, "Control "+r["qualys.control.id"]+" "), "posture body %q", body)
			assert.Contains(t, body, ": "+r["qualys.posture.status"]+", ")
		default:
			t.Errorf("unexpected record %v", r)
		}
		// timestamp: poll (the default) puts every record in the last minutes, whatever its Qualys dates.
		ts, err := time.Parse(time.RFC3339Nano, r["_time"])
		require.NoError(t, err)
		assert.WithinDuration(t, time.Now(), ts, 5*time.Minute, "the record's time is its poll's start")
	}
}

// checkHostJoin: a query on qualys.host.id finds the same host, by the same name, in all three
// streams.
func checkHostJoin(t *testing.T, logs *victoriaLogs) {
	t.Helper()
	rows, err := logs.query("* | stats by (qualys.host.id) count_uniq(event_name) streams, count_uniq(host.name) names")
	require.NoError(t, err)
	joined := ""
	for _, r := range rows {
		assert.Equal(t, "1", r["names"], "host %s has one name in every stream", r["qualys.host.id"])
		if r["streams"] == "3" && joined == "" {
			joined = r["qualys.host.id"]
		}
	}
	require.NotEmpty(t, joined, "some host has an asset, detections and postures")
	events := logs.countBy(t, "qualys.host.id:="+joined, "event_name")
	assert.Len(t, events, 3, "host %s in every stream: %v", joined, events)
}

// checkCurrentStateQuery runs the README's LogsQL query for the open detections.
func checkCurrentStateQuery(t *testing.T, logs *victoriaLogs, truth backendTruth) {
	t.Helper()
	rows, err := logs.query(`_time:8d event_name:="qualys.vulnerability.detection" | last 1 by (_time) partition by (qualys.host.id, qualys.detection.unique_id) | qualys.detection.status:!="Fixed" | stats count() n`)
	require.NoError(t, err)
	require.Len(t, rows, 1)
	assert.Equal(t, strconv.Itoa(truth.counts.Detections-truth.counts.ByStatus["Fixed"]), rows[0]["n"], "open detections")
}

// checkReceiverCounters reads receiverhelper's counters from the collector's own telemetry, as the
// metrics database scraped it: every record and data point the receiver handed on was accepted.
func checkReceiverCounters(t *testing.T, metrics *victoriaMetrics, truth backendTruth) {
	t.Helper()
	var accepted map[string]int
	require.Eventually(t, func() bool {
		accepted = metrics.sumByQuery(t, `sum by (transport) (otelcol_receiver_accepted_log_records_total{receiver="qualys"})`, "transport")
		return accepted["http"] == truth.records()
	}, 30*time.Second, time.Second, "otelcol_receiver_accepted_log_records_total")
	assert.Equal(t, map[string]int{"http": truth.records()}, accepted)
	refused := metrics.sumByQuery(t, `sum by (transport) (otelcol_receiver_refused_log_records_total{receiver="qualys"})`, "transport")
	assert.Zero(t, refused["http"], "no record refused")
	points := metrics.sumByQuery(t, `sum by (transport) (otelcol_receiver_accepted_metric_points_total{receiver="qualys"})`, "transport")
	assert.Positive(t, points["http"], "the gauges' points")
}
