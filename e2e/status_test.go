// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/seed-d80aa3af/qualysreceiver/internal/simulator"
)

// The receiver's component status, as the collector's health_check extension shows it (with
// the feature gate that makes it read component status): a recoverable error while Qualys refuses
// the credentials, and healthy again once the streams' next checks pass.
func TestComponentStatusInHealthCheck(t *testing.T) {
	collector := builtCollector(t)
	tenant := simulator.NewTenant(simulator.TenantConfig{Seed: 3, Hosts: 5, DetectionsPerHost: 2, Policies: 1, ControlsPerPolicy: 2})
	sim := simulator.New(tenant, simulator.Options{Username: user, Password: password})
	_, err := sim.InjectFault(simulator.Fault{Kind: simulator.FaultBadLogin, Count: -1})
	require.NoError(t, err)
	apiURL, gatewayURL := sim.Start()
	defer sim.Close()

	dir := t.TempDir()
	healthPort := freePort(t)
	cfg := filepath.Join(dir, "qualys.yaml")
	require.NoError(t, os.WriteFile(cfg, fmt.Appendf(nil, statusConfig, healthPort, apiURL, gatewayURL, user, freePort(t)), 0o600))
	logPath := filepath.Join(dir, "qualys.log")
	startWith(t, collector, []string{"--config=" + cfg, "--feature-gates=+extension.healthcheck.useComponentStatus"}, nil, logPath)

	statusURL := fmt.Sprintf("http://127.0.0.1:%d/status?verbose", healthPort)
	waitStatus := func(want string, within time.Duration) receiverStatus {
		var last receiverStatus
		for deadline := time.Now().Add(within); ; time.Sleep(250 * time.Millisecond) {
			last = qualysStatus(statusURL)
			if last.Status == want {
				return last
			}
			if time.Now().After(deadline) {
				t.Fatalf("the receiver's status is %+v, not %s, after %s; collector log:\n%s", last, want, within, tail(logPath))
			}
		}
	}
	failing := waitStatus("StatusRecoverableError", 30*time.Second)
	require.Contains(t, failing.Error, "401", "the status names Qualys' refusal")
	require.NotContains(t, failing.Error, password)

	// The checks run again one interval (1m, the shortest) after they failed.
	sim.ClearFaults()
	waitStatus("StatusOK", 2*time.Minute)
}

// receiverStatus is the qualys receiver's entry in the health_check extension's verbose status.
type receiverStatus struct {
	Status string `json:"status"`
	Error  string `json:"error"`
}

// qualysStatus reads the receiver's status in the logs pipeline; empty when it cannot be read yet.
func qualysStatus(url string) receiverStatus {
	resp, err := httpClient.Get(url)
	if err != nil {
		return receiverStatus{}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusInternalServerError && resp.StatusCode != http.StatusServiceUnavailable {
		return receiverStatus{}
	}
	var body struct {
		Components map[string]struct {
			Components map[string]receiverStatus `json:"components"`
		} `json:"components"`
	}
	if json.NewDecoder(resp.Body).Decode(&body) != nil {
		return receiverStatus{}
	}
	for pipeline, p := range body.Components {
		if strings.HasPrefix(pipeline, "pipeline:logs") {
			return p.Components["receiver:qualys"]
		}
	}
	return receiverStatus{}
}

const statusConfig = `
extensions:
  health_check:
    http:
      endpoint: 127.0.0.1:%d
      status:
        enabled: true
    component_health:
      include_recoverable_errors: true
      recovery_duration: 1s
receivers:
  qualys:
    api_url: %s
    gateway_url: %s
    username: %s
    password: ${env:QUALYS_PASSWORD}
    assets:
      interval: 1m
    vulnerabilities:
      interval: 1m
    compliance:
      interval: 1m
exporters:
  debug:
    verbosity: basic
service:
  extensions: [health_check]
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
      exporters: [debug]
    metrics:
      receivers: [qualys]
      exporters: [debug]
`
