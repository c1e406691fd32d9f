// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualysreceiver

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap"
)

func tagsConfig(t *testing.T, tags map[string]any) *Config {
	t.Helper()
	cfg := createDefaultConfig().(*Config)
	require.NoError(t, confmap.NewFromStringMap(map[string]any{
		"platform": "US1", "username": "alice", "password": "secret", "tags": tags,
	}).Unmarshal(cfg))
	return cfg
}

// Tag names given as a YAML list go to Qualys without the spaces around them, as those of the
// comma-separated string form do: ' Production ' must not ask Qualys for "+Production+".
func TestListTagNamesTrimmed(t *testing.T) {
	cfg := tagsConfig(t, map[string]any{"include": []any{" Production ", "PCI"}, "exclude": []any{"\tLab "}})
	require.NoError(t, confmap.Validate(cfg))
	for _, f := range []struct {
		name    string
		include []string
		exclude []string
	}{
		{"assets (Host List)", cfg.tagFilter().Include, cfg.tagFilter().Exclude},
		{"vulnerabilities (Host List Detection)", cfg.detectionQuery().Tags.Include, cfg.detectionQuery().Tags.Exclude},
	} {
		assert.Equal(t, []string{"Production", "PCI"}, f.include, f.name)
		assert.Equal(t, []string{"Lab"}, f.exclude, f.name)
	}
}

// A tag name with a comma cannot be sent: Qualys splits the filter on commas and has no escape.
// Validation names the key and the tag; the comma-separated string form stays a list of names.
func TestTagNameWithCommaRejected(t *testing.T) {
	cfg := tagsConfig(t, map[string]any{"include": []any{"Production", "PCI, EU"}, "exclude": []any{"Lab,Test"}})
	err := confmap.Validate(cfg)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `tags::include: tag name "PCI, EU" contains a comma`)
	assert.Contains(t, err.Error(), `tags::exclude: tag name "Lab,Test" contains a comma`)

	cfg = tagsConfig(t, map[string]any{"include": "PCI, EU"})
	require.NoError(t, confmap.Validate(cfg))
	assert.Equal(t, []string{"PCI", "EU"}, cfg.tagFilter().Include)
}
