// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualysreceiver

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-d80aa3af/qualysreceiver/internal/convert"
)

// body and timestamp default to summary and poll, take either value in any letter case, and refuse
// anything else naming the key and the values it takes.
func TestRecordOptionsConfig(t *testing.T) {
	base := func(extra map[string]any) map[string]any {
		raw := map[string]any{"platform": "US1", "username": "u", "password": "p"}
		for k, v := range extra {
			raw[k] = v
		}
		return raw
	}
	cfg, err := loadAsCollector(base(nil))
	require.NoError(t, err)
	assert.Equal(t, convert.RecordOptions{Body: convert.BodySummary, Timestamp: convert.TimestampPoll}, cfg.recordOptions())

	cfg, err = loadAsCollector(base(map[string]any{"body": "None", "timestamp": "QUALYS"}))
	require.NoError(t, err)
	assert.Equal(t, convert.RecordOptions{Body: convert.BodyNone, Timestamp: convert.TimestampQualys}, cfg.recordOptions())

	_, err = loadAsCollector(base(map[string]any{"body": "json", "timestamp": "now"}))
	require.Error(t, err)
	assert.ErrorContains(t, err, `body: "json" is not one of summary, none`)
	assert.ErrorContains(t, err, `timestamp: "now" is not one of poll, qualys`)
}
