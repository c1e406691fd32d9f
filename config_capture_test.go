// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualysreceiver

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.uber.org/zap"

	"github.com/seed-d80aa3af/qualysreceiver/internal/metadata"
	"github.com/seed-d80aa3af/qualysreceiver/internal/simulator"
)

func captureConfig(t *testing.T, capture map[string]any) (*Config, error) {
	t.Helper()
	cfg := createDefaultConfig().(*Config)
	cm := confmap.NewFromStringMap(map[string]any{"platform": "US1", "username": "u", "password": "p", "capture": capture})
	require.NoError(t, cm.Unmarshal(cfg))
	return cfg, confmap.Validate(cfg)
}

func TestCaptureConfig(t *testing.T) {
	cfg, err := captureConfig(t, map[string]any{"directory": "/var/tmp/qualys-capture"})
	require.NoError(t, err)
	assert.Equal(t, CaptureConfig{Directory: "/var/tmp/qualys-capture", MaxBytes: 100 << 20}, cfg.Capture)

	_, err = captureConfig(t, map[string]any{"directory": "/var/tmp/qualys-capture", "max_bytes": 0})
	require.EqualError(t, err, "capture::max_bytes: 0 must be at least 1")

	_, err = captureConfig(t, map[string]any{"max_bytes": 0})
	require.NoError(t, err, "without a directory nothing is captured, and nothing checked")

	notADir := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(notADir, nil, 0o600))
	cfg, err = captureConfig(t, map[string]any{"directory": filepath.Join(notADir, "capture")})
	require.NoError(t, err)
	_, err = cfg.Capture.writer(zap.NewNop())
	require.ErrorContains(t, err, "capture::directory: ")
}

// The receiver built from a configuration with capture::directory writes the answers of its
// polls there.
func TestReceiverCapturesFromConfig(t *testing.T) {
	srv := simulator.New(simulator.NewTenant(simulator.TenantConfig{Seed: 1, Hosts: 5}), simulator.Options{})
	apiURL, _ := srv.Start()
	t.Cleanup(srv.Close)
	dir := filepath.Join(t.TempDir(), "capture")
	cfg := createDefaultConfig().(*Config)
	cfg.APIURL, cfg.Username, cfg.Password = apiURL, "qualys_user", "qualys_pass"
	cfg.Vulnerabilities.Enabled, cfg.Compliance.Enabled = false, false
	cfg.Capture.Directory = dir
	require.NoError(t, confmap.Validate(cfg))

	r, err := NewFactory().CreateLogs(t.Context(), receivertest.NewNopSettings(metadata.Type), cfg, consumertest.NewNop())
	require.NoError(t, err)
	require.NoError(t, r.Start(t.Context(), componenttest.NewNopHost()))
	defer func() { require.NoError(t, r.Shutdown(t.Context())) }()
	require.Eventually(t, func() bool {
		files, _ := filepath.Glob(filepath.Join(dir, "*-host_assets.json"))
		return len(files) > 0
	}, 10*time.Second, 10*time.Millisecond, "the assets poll's answers are captured")
}

// The configuration reference documents both keys, and the README how to report a problem.
func TestReadmeDocumentsCapture(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	for _, want := range []string{"`capture::directory`", "`capture::max_bytes`", "## Reporting a problem: capture and replay", "-replay"} {
		assert.Contains(t, string(readme), want)
	}
}
