// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package confcheck

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap"
	"go.uber.org/zap"
)

func convert(t *testing.T, raw map[string]any) error {
	t.Helper()
	c := NewFactory().Create(confmap.ConverterSettings{Logger: zap.NewNop()})
	conf := confmap.NewFromStringMap(raw)
	before := conf.ToStringMap()
	err := c.Convert(context.Background(), conf)
	assert.Equal(t, before, conf.ToStringMap(), "the converter changes nothing")
	return err
}

// collector is a configuration whose logs pipeline uses every receiver given.
func collector(receivers map[string]any, extensions map[string]any, enabled ...any) map[string]any {
	var ids []any
	for id := range receivers {
		ids = append(ids, id)
	}
	return map[string]any{
		"receivers":  receivers,
		"extensions": extensions,
		"service": map[string]any{"extensions": enabled,
			"pipelines": map[string]any{"logs": map[string]any{"receivers": ids, "exporters": []any{"debug"}}}},
	}
}

func TestExtensionReferences(t *testing.T) {
	withStorage := map[string]any{"storage": "file_storage", "platform": "US1"}
	tests := []struct {
		name string
		raw  map[string]any
		want []string
	}{
		{"listed", collector(map[string]any{"qualys": withStorage}, map[string]any{"file_storage": nil}, "file_storage"), nil},
		{"no storage key", collector(map[string]any{"qualys": map[string]any{"platform": "US1"}}, nil), nil},
		{"other receivers are not ours", collector(map[string]any{"otlp": withStorage}, nil), nil},
		{"a receiver no pipeline uses is never started", map[string]any{
			"receivers": map[string]any{"qualys/spare": withStorage},
			"service":   map[string]any{"pipelines": map[string]any{"logs": map[string]any{"receivers": []any{"otlp"}}}},
		}, nil},
		{"not in service", collector(map[string]any{"qualys/us": withStorage}, map[string]any{"file_storage": nil}),
			[]string{`receivers::qualys/us: storage: extension "file_storage" is not listed in service::extensions, so it would not start`}},
		{"not configured", collector(map[string]any{"qualys": map[string]any{"storage": "file_storage/q", "leader_elector": "k8s_leader_elector"}},
			map[string]any{"k8s_leader_elector": map[string]any{}}, "k8s_leader_elector"),
			[]string{`receivers::qualys: storage: extension "file_storage/q" is not configured: add it under extensions and service::extensions`}},
		{"leader elector not in service", collector(map[string]any{"qualys": map[string]any{"leader_elector": "k8s_leader_elector"}},
			map[string]any{"k8s_leader_elector": nil}, "file_storage"),
			[]string{`receivers::qualys: leader_elector: extension "k8s_leader_elector" is not listed in service::extensions`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := convert(t, tt.raw)
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}
