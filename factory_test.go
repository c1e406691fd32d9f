// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualysreceiver

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/seed-d80aa3af/qualysreceiver/internal/metadata"
)

func TestFactoryType(t *testing.T) {
	assert.Equal(t, metadata.Type, NewFactory().Type())
}

// One qualys entry in a logs and a metrics pipeline is one receiver: Qualys is polled once.
func TestLogsAndMetricsShareOneReceiver(t *testing.T) {
	f := NewFactory()
	cfg := loadConfig(t, "minimal")
	set := receivertest.NewNopSettings(metadata.Type)
	logs, err := f.CreateLogs(t.Context(), set, cfg, consumertest.NewNop())
	require.NoError(t, err)
	metrics, err := f.CreateMetrics(t.Context(), set, cfg, consumertest.NewNop())
	require.NoError(t, err)
	assert.Same(t, logs, metrics)

	require.NoError(t, logs.Start(t.Context(), componenttest.NewNopHost()))
	require.NoError(t, metrics.Start(t.Context(), componenttest.NewNopHost()))
	require.NoError(t, logs.Shutdown(t.Context()))
	require.NoError(t, metrics.Shutdown(t.Context()))

	// A new pipeline built from the same config gets a fresh receiver.
	again, err := f.CreateLogs(t.Context(), set, cfg, consumertest.NewNop())
	require.NoError(t, err)
	assert.NotSame(t, logs, again)
	require.NoError(t, again.Shutdown(t.Context()))
}

func TestFactoryRejectsForeignConfig(t *testing.T) {
	_, err := NewFactory().CreateLogs(t.Context(), receivertest.NewNopSettings(metadata.Type), struct{}{}, consumertest.NewNop())
	assert.ErrorIs(t, err, errConfigType)
}
