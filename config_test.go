// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualysreceiver

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/seed-d80aa3af/qualysreceiver/internal/metadata"
	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
	qreceiver "github.com/seed-d80aa3af/qualysreceiver/receiver"
)

func loadConfig(t *testing.T, name string) *Config {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	sub, err := cm.Sub(component.NewIDWithName(metadata.Type, name).String())
	require.NoError(t, err)
	cfg := createDefaultConfig().(*Config)
	require.NoError(t, sub.Unmarshal(cfg))
	return cfg
}

func TestDefaultConfig(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	assert.Equal(t, 10*time.Minute, cfg.HTTP.Timeout)
	assert.Equal(t, 2, cfg.MaxConcurrency)
	assert.True(t, cfg.Assets.Enabled)
	assert.Equal(t, Days(90*24*time.Hour), cfg.Assets.ModifiedWithin)
	assert.Equal(t, DetectionStatuses{"New", "Active", "Re-Opened", "Fixed"}, cfg.Vulnerabilities.Status)
	assert.Equal(t, VulnTypes{"confirmed", "potential"}, cfg.Vulnerabilities.IncludeVulnType)
	assert.Nil(t, cfg.Vulnerabilities.ArfKernelFilter, "arf_kernel_filter is not sent unless set")
	assert.True(t, cfg.Vulnerabilities.KnowledgeBase.Enabled)
	assert.False(t, cfg.Vulnerabilities.KnowledgeBase.IncludeText, "text is kilobytes per QID: opt-in")
	assert.Equal(t, PostureStatuses{"Passed", "Failed", "Error"}, cfg.Compliance.Status)
	assert.Equal(t, ComplianceAPIGateway, cfg.Compliance.API)
	assert.False(t, cfg.Compliance.IncludeEvidence)
	assert.Equal(t, RetryFailedPollConfig{InitialInterval: time.Minute}, cfg.RetryFailedPoll,
		"a failed poll is tried again after 1m, doubling up to each stream's interval")
	// Defaults alone are incomplete: where to connect and as whom are the user's to say.
	err := confmap.Validate(cfg)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "platform: set platform")
	assert.Contains(t, err.Error(), "username: must be set")
	assert.Contains(t, err.Error(), "password: must be set")
}

func TestLoadValidConfigs(t *testing.T) {
	t.Run("minimal", func(t *testing.T) {
		cfg := loadConfig(t, "minimal")
		require.NoError(t, confmap.Validate(cfg))
		assert.Equal(t, "https://qualysapi.qualys.com", cfg.APIServerURL())
		assert.Equal(t, "https://gateway.qg1.apps.qualys.com", cfg.APIGatewayURL())
	})
	t.Run("full", func(t *testing.T) {
		cfg := loadConfig(t, "full")
		require.NoError(t, confmap.Validate(cfg))
		// Explicit URLs win over the platform; a trailing slash is dropped.
		assert.Equal(t, "https://qualysapi.private.example.com", cfg.APIServerURL())
		assert.Equal(t, "https://gateway.private.example.com", cfg.APIGatewayURL())
		assert.Equal(t, Platform("eu2"), cfg.Platform)
		assert.Equal(t, "secret", string(cfg.Password))
		assert.Equal(t, 5*time.Minute, cfg.HTTP.Timeout)
		assert.Equal(t, "http://proxy.example.com:3128", cfg.HTTP.ProxyURL)
		assert.Equal(t, 5, cfg.MaxConcurrency)
		assert.Equal(t, 10*time.Second, cfg.Retry.InitialInterval)
		assert.Equal(t, RetryFailedPollConfig{InitialInterval: 2 * time.Minute, MaxInterval: time.Hour}, cfg.RetryFailedPoll)
		require.NotNil(t, cfg.Storage)
		assert.Equal(t, component.MustNewID("file_storage"), *cfg.Storage)
		assert.Equal(t, []string{"Production", "PCI"}, cfg.Tags.Include.Names())
		assert.Equal(t, []string{"Decommissioned", "Lab"}, cfg.Tags.Exclude.Names(), "a comma-separated string is a list")
		assert.Equal(t, TagSelectorAll, cfg.Tags.IncludeSelector)
		assert.Equal(t, AssetsConfig{Enabled: true, Interval: 12 * time.Hour, PageSize: 500, ModifiedWithin: Days(30 * 24 * time.Hour)}, cfg.Assets)
		v := cfg.Vulnerabilities
		assert.Equal(t, DetectionStatuses{"New", "Active"}, v.Status)
		assert.Equal(t, VulnTypes{"confirmed"}, v.IncludeVulnType)
		require.NotNil(t, v.ArfKernelFilter)
		assert.Equal(t, ArfKernelFilter(1), *v.ArfKernelFilter)
		assert.Equal(t, Severities{4, 5}, v.Severities)
		assert.Equal(t, QIDs{38170, 11827}, v.QIDs)
		assert.False(t, v.ShowResults)
		assert.Equal(t, 72*time.Hour, v.FullSyncInterval)
		assert.False(t, v.KnowledgeBase.Enabled)
		assert.Equal(t, ComplianceConfig{Enabled: true, Interval: 48 * time.Hour, API: ComplianceAPIGateway, PolicyIDs: PolicyIDs{1001, 1002}, Status: PostureStatuses{"Failed"}, IncludeEvidence: true}, cfg.Compliance)
		assert.Equal(t, []metadata.QualysCompliancePosturesMetricAttributeKey{"qualys.posture.status", "qualys.policy.id"},
			cfg.MetricsBuilder.Metrics.QualysCompliancePostures.EnabledAttributes)
	})
	t.Run("loopback_http", func(t *testing.T) {
		cfg := loadConfig(t, "loopback_http")
		require.NoError(t, confmap.Validate(cfg), "plain http is fine for the simulator on loopback")
	})
	t.Run("knowledge_base_text", func(t *testing.T) {
		cfg := loadConfig(t, "knowledge_base_text")
		require.NoError(t, confmap.Validate(cfg))
		assert.Equal(t, KnowledgeBaseConfig{Enabled: true, RefreshInterval: 24 * time.Hour, IncludeText: true, MaxEntries: 100_000, MaxBytes: 64 << 20},
			cfg.Vulnerabilities.KnowledgeBase, "include_text leaves the other knowledge_base defaults alone")
	})
	t.Run("compliance_classic", func(t *testing.T) {
		cfg := loadConfig(t, "compliance_classic")
		require.NoError(t, confmap.Validate(cfg), "the classic posture API needs no gateway_url")
		assert.Equal(t, ComplianceAPIClassic, cfg.Compliance.API)
	})
	t.Run("disabled streams are not checked", func(t *testing.T) {
		require.NoError(t, confmap.Validate(loadConfig(t, "disabled_streams_not_checked")))
	})
}

func TestValidateRejects(t *testing.T) {
	tests := []struct {
		name string
		// want lists every message the error must contain, each naming its key.
		want []string
	}{
		{"no_platform_no_url", []string{"platform: set platform (US1 … KSA1) or api_url", "gateway_url: set platform or gateway_url when compliance is enabled"}},
		{"no_gateway_for_compliance", []string{"gateway_url: set gateway_url beside api_url when compliance is enabled"}},
		// The platform's gateway would get the credentials meant for a private cloud's api_url.
		{"platform_and_api_url_without_gateway", []string{"gateway_url: set gateway_url beside api_url when compliance is enabled"}},
		{"short_windows", []string{
			"assets::interval: 59s is less than the minimum of 1m",
			"assets::modified_within: 23h0m0s must be 0 (no window) or at least 1d",
			"compliance::interval: 30s is less than the minimum of 1m",
		}},
		{"bad_platform", []string{`platform: "US9" is not one of US1 US2 US3 US4 EU1 EU2 EU3 IN1 CA1 AE1 UK1 AU1 KSA1`}},
		{"http_not_loopback", []string{
			`api_url: "http://qualysapi.qualys.com" must use https; plain http is allowed only for loopback hosts`,
			`gateway_url: "ftp://gateway.qg1.apps.qualys.com" must use https`,
		}},
		{"not_a_url", []string{`api_url: "qualysapi.qualys.com" is not an absolute URL`}},
		{"missing_credentials", []string{"username: must be set", "password: must be set"}},
		{"endpoint_set", []string{"endpoint: not used by this receiver"}},
		{"bad_timeout", []string{"timeout: -1s must not be negative"}},
		{"bad_concurrency", []string{"max_concurrency: 0 must be at least 1"}},
		{"no_stream", []string{"enable at least one stream: assets, vulnerabilities or compliance"}},
		{"bad_tags", []string{"tags::include: tag name 2 is empty", `tags::include_selector: "some" is not one of any, all`}},
		{"bad_assets", []string{"assets::interval: 0s is less than the minimum of 1m", "assets::page_size: 5000 is not between 1 and 1000", "assets::modified_within: -1h0m0s must be 0 (no window) or at least 1d"}},
		{"bad_vulnerabilities", []string{
			"vulnerabilities::interval: -1m0s is less than the minimum of 1m",
			"vulnerabilities::full_sync_interval: -1h0m0s must not be negative",
			"vulnerabilities::page_size: 0 is not between 1 and 10000",
			`vulnerabilities::status: "Open" is not one of New, Active, Re-Opened, Fixed`,
			`vulnerabilities::include_vuln_type: "likely" is not one of confirmed, potential`,
			"vulnerabilities::arf_kernel_filter: 7 is not between 0 and 4",
			"vulnerabilities::severities: 0, 6 are not between 1 and 5",
			"vulnerabilities::qids: -1 is not a valid QID",
			"vulnerabilities::max_results_bytes: 0 is not between 1 and 1048576",
			"vulnerabilities::knowledge_base::refresh_interval: 0s is less than the minimum of 1m",
			"vulnerabilities::knowledge_base::max_entries: 10 is less than 1000, the QIDs of one KnowledgeBase call",
			"vulnerabilities::knowledge_base::max_bytes: 1024 is less than 1048576 (1 MiB)",
		}},
		{"empty_lists", []string{
			"vulnerabilities::status: must list at least one of New, Active, Re-Opened, Fixed",
			"vulnerabilities::include_vuln_type: must list at least one of confirmed, potential",
			"compliance::status: must list at least one of Passed, Failed, Error",
		}},
		{"bad_retry_failed_poll", []string{
			"retry_failed_poll::initial_interval: 30s is less than the minimum of 1m",
			"retry_failed_poll::max_interval: 20s must be 0 (each stream's interval) or at least initial_interval (30s)",
		}},
		{"bad_compliance", []string{
			"compliance::interval: 0s is less than the minimum of 1m",
			`compliance::api: "soap" is not one of gateway, classic`,
			"compliance::policy_ids: 0 is not a valid policy ID",
			`compliance::status: "Unknown" is not one of Passed, Failed, Error`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := confmap.Validate(loadConfig(t, tt.name))
			require.Error(t, err)
			for _, want := range tt.want {
				assert.Contains(t, err.Error(), want)
			}
			// Every problem is reported at once, one per line.
			assert.Len(t, strings.Split(err.Error(), "\n"), len(tt.want), err.Error())
		})
	}
}

func TestDaysUnmarshal(t *testing.T) {
	var d Days
	require.NoError(t, d.UnmarshalText([]byte("90d")))
	assert.Equal(t, Days(2160*time.Hour), d)
	require.NoError(t, d.UnmarshalText([]byte("36h")))
	assert.Equal(t, Days(36*time.Hour), d)
	assert.EqualError(t, d.UnmarshalText([]byte("ninety days")), `"ninety days" is not a duration such as 90d or 2160h`)
	assert.EqualError(t, d.UnmarshalText([]byte("xd")), `"xd" is not a number of days such as 90d`)
	text, err := Days(2160 * time.Hour).MarshalText()
	require.NoError(t, err)
	assert.Equal(t, "90d", string(text))
}

func TestPasswordNeverPrinted(t *testing.T) {
	cfg := loadConfig(t, "minimal")
	for _, s := range []string{cfg.Password.String(), fmt.Sprintf("%+v", *cfg), fmt.Sprintf("%#v", cfg.Password)} {
		assert.NotContains(t, s, "secret")
	}
}

// A 401 hint names the platform the username points at when it differs from the configured one.
func TestUnauthorizedHint(t *testing.T) {
	tests := []struct {
		platform, apiURL, username, want string
	}{
		{platform: "US1", username: "acme2jd", want: `the username "acme2jd" looks like a US2 user but the receiver calls US1: try platform: US2`},
		{platform: "us2", username: "acme2jd", want: ""},
		{apiURL: "https://qualysapi.qualys.eu", username: "acme_jd", want: `the username "acme_jd" looks like a US1 user but the receiver calls EU1: try platform: US1 without api_url and gateway_url`},
		{apiURL: "http://127.0.0.1:18080", username: "acme_jd", want: ""},
		{platform: "EU2", username: "acmejd", want: ""},
		{platform: "EU1", username: "acme-jd", want: ""},
		{platform: "US3", username: "acme!jd", want: `the username "acme!jd" looks like a EU2 user but the receiver calls US3: try platform: EU2`},
		// The platform identifier is the first non-letter: "_" (US1), not the "3" after it.
		{platform: "us3", username: "acme_xx3", want: `the username "acme_xx3" looks like a US1 user but the receiver calls US3: try platform: US1`},
		{platform: "US1", username: "acme_xx3", want: ""},
		// An explicit api_url wins over platform, so the hint names where calls really go.
		{platform: "US1", apiURL: "https://qualysapi.qg3.apps.qualys.com", username: "acme_jd", want: `the username "acme_jd" looks like a US1 user but the receiver calls US3: try platform: US1 without api_url and gateway_url`},
		{platform: "US3", apiURL: "https://qualysapi.private.example.com", username: "acme_jd", want: ""},
	}
	for _, tt := range tests {
		// The configuration as the collector builds it: defaults, then the user's keys, validated.
		raw := map[string]any{"username": tt.username, "password": "secret"}
		if tt.platform != "" {
			raw["platform"] = tt.platform
		}
		if tt.apiURL != "" {
			raw["api_url"], raw["gateway_url"] = tt.apiURL, tt.apiURL
		}
		cfg := createDefaultConfig().(*Config)
		require.NoError(t, confmap.NewFromStringMap(raw).Unmarshal(cfg))
		require.NoError(t, confmap.Validate(cfg), "%+v", tt)
		assert.Equal(t, tt.want, cfg.unauthorizedHint(), "%+v", tt)
	}
}

// Days beyond what a duration holds are rejected, never wrapped around.
func TestDaysOverflow(t *testing.T) {
	var d Days
	require.NoError(t, d.UnmarshalText([]byte("106751d")))
	require.ErrorContains(t, d.UnmarshalText([]byte("106752d")), "more than 106751 days")
	require.ErrorContains(t, d.UnmarshalText([]byte("213504d")), "more than 106751 days")
}

// A number without a unit would be nanoseconds: `interval: 14400` polls without pause.
func TestDurationsNeedAUnit(t *testing.T) {
	tests := []struct {
		raw  map[string]any
		want string
	}{
		{map[string]any{"assets": map[string]any{"interval": 14400}}, "assets::interval: 14400 has no unit; write a duration such as 4h or 14400s"},
		{map[string]any{"assets": map[string]any{"modified_within": 90}}, "assets::modified_within: 90 has no unit; write a duration such as 90d or 90h"},
		{map[string]any{"timeout": 600}, "timeout: 600 has no unit; write a duration such as 10m or 600s"},
		{map[string]any{"idle_conn_timeout": 90}, "idle_conn_timeout: 90 has no unit; write a duration such as 1m30s or 90s"},
		{map[string]any{"retry_on_failure": map[string]any{"max_elapsed_time": 90}}, "retry_on_failure::max_elapsed_time: 90 has no unit; write a duration such as 1m30s or 90s"},
		{map[string]any{"vulnerabilities": map[string]any{"knowledge_base": map[string]any{"refresh_interval": 1.5}}}, "vulnerabilities::knowledge_base::refresh_interval: 1.5 has no unit; write a duration such as 1.5s"},
		{map[string]any{"compliance": map[string]any{"interval": 7}}, "compliance::interval: 7 has no unit; write a duration such as 7s"},
		{map[string]any{"retry_failed_poll": map[string]any{"initial_interval": 60}}, "retry_failed_poll::initial_interval: 60 has no unit; write a duration such as 1m or 60s"},
		{map[string]any{"retry_failed_poll": map[string]any{"max_interval": 3600}}, "retry_failed_poll::max_interval: 3600 has no unit; write a duration such as 1h or 3600s"},
	}
	for _, tt := range tests {
		cfg := createDefaultConfig().(*Config)
		require.NoError(t, confmap.NewFromStringMap(tt.raw).Unmarshal(cfg))
		err := cfg.Validate()
		require.Error(t, err)
		assert.Contains(t, err.Error(), tt.want)
	}
	// Zero needs no unit, and a unit is taken as written.
	cfg := createDefaultConfig().(*Config)
	require.NoError(t, confmap.NewFromStringMap(map[string]any{
		"assets":   map[string]any{"modified_within": 0, "interval": "4h"},
		"timeout":  "30s",
		"platform": "US1", "username": "u", "password": "p",
	}).Unmarshal(cfg))
	require.NoError(t, cfg.Validate())
	assert.Zero(t, cfg.Assets.ModifiedWithin)
	assert.Equal(t, 4*time.Hour, cfg.Assets.Interval)
	assert.Equal(t, 30*time.Second, cfg.HTTP.Timeout)
}

// Each stream polls on its own interval and retries a failed poll on retry_failed_poll's back-off;
// max_interval 0 leaves the cap to each stream's interval.
func TestRetryFailedPollSchedules(t *testing.T) {
	cfg := loadConfig(t, "full")
	streams := buildStreams(receivertest.NewNopSettings(metadata.Type), cfg, nil, nil, nil, qualys.WallClock)
	require.Len(t, streams, 3)
	retry := qreceiver.RetrySchedule{Initial: 2 * time.Minute, Max: time.Hour}
	assert.Equal(t, qreceiver.Schedule{Interval: 2 * time.Hour, Retry: retry}, streams[0].Schedule, "vulnerabilities")
	assert.Equal(t, qreceiver.Schedule{Interval: 12 * time.Hour, Retry: retry}, streams[1].Schedule, "assets")
	assert.Equal(t, qreceiver.Schedule{Interval: 48 * time.Hour, Retry: retry}, streams[2].Schedule, "compliance")

	cfg = loadConfig(t, "minimal")
	for _, s := range buildStreams(receivertest.NewNopSettings(metadata.Type), cfg, nil, nil, nil, qualys.WallClock) {
		assert.Equal(t, qreceiver.RetrySchedule{Initial: time.Minute}, s.Schedule.Retry, s.Stream.Name())
	}
}
