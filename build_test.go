// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualysreceiver

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap"

	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
)

// TestConfigBecomesDetectionRequest follows every vulnerabilities filter from the user's YAML to
// the Host List Detection parameters Qualys receives.
func TestConfigBecomesDetectionRequest(t *testing.T) {
	cfg := loadConfig(t, "full")
	require.NoError(t, confmap.Validate(cfg))
	q := cfg.detectionQuery()
	q.PageSize = cfg.Vulnerabilities.PageSize

	got := q.Values(qualys.IDRange{Min: 100, Max: 199})
	want := url.Values{
		"action":               {"list"},
		"output_format":        {"XML"},
		"truncation_limit":     {"250"},
		"id_min":               {"100"},
		"id_max":               {"199"},
		"status":               {"New,Active"},
		"include_vuln_type":    {"confirmed"},
		"arf_kernel_filter":    {"1"},
		"severities":           {"4,5"},
		"qids":                 {"38170,11827"},
		"use_tags":             {"1"},
		"tag_set_by":           {"name"},
		"tag_set_include":      {"Production,PCI"},
		"tag_include_selector": {"all"},
		"tag_set_exclude":      {"Decommissioned,Lab"},
		"tag_exclude_selector": {"any"},
		"show_results":         {"0"},
		"show_qds":             {"1"},
		"show_qds_factors":     {"1"},
		"show_reopened_info":   {"1"},
		"show_tags":            {"1"},
		"show_asset_id":        {"1"},
	}
	assert.Equal(t, want, got)
}

// TestDefaultConfigAsksForEverything: with no filters the request narrows nothing, and the
// optional output users need is still asked for.
func TestDefaultConfigAsksForEverything(t *testing.T) {
	cfg := loadConfig(t, "minimal")
	require.NoError(t, confmap.Validate(cfg))
	got := cfg.detectionQuery().Values(qualys.IDRange{})
	for _, narrowing := range []string{"include_vuln_type", "arf_kernel_filter", "severities", "qids", "use_tags", "id_min", "id_max", "vm_processed_after"} {
		assert.NotContains(t, got, narrowing)
	}
	assert.Equal(t, "New,Active,Re-Opened,Fixed", got.Get("status"), "Fixed detections are pulled too, so backends see remediation")
	assert.Equal(t, "1", got.Get("show_results"))
	assert.Empty(t, cfg.tagFilter().Include)
	assert.Empty(t, cfg.tagFilter().Exclude)
}
