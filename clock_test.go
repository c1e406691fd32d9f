// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualysreceiver

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/featuregate"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/seed-d80aa3af/qualysreceiver/internal/metadata"
	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
)

func setAcceleratedClockGate(t *testing.T, on bool) {
	t.Helper()
	require.NoError(t, featuregate.GlobalRegistry().Set(acceleratedClockGate.ID(), on))
	t.Cleanup(func() { require.NoError(t, featuregate.GlobalRegistry().Set(acceleratedClockGate.ID(), false)) })
}

func TestReceiverClockIsTheWallClockWithoutTheGate(t *testing.T) {
	t.Setenv(acceleratedClockEnv, "real=2026-12-06T18:00:00Z,simulated=2026-01-15T12:00:00Z,factor=720")
	c, err := receiverClock()
	require.NoError(t, err)
	assert.Equal(t, qualys.WallClock, c, "the variable alone changes nothing")
}

func TestReceiverClockIsAcceleratedWithTheGateAndTheVariable(t *testing.T) {
	setAcceleratedClockGate(t, true)
	t.Setenv(acceleratedClockEnv, "real=2026-12-06T18:00:00Z,simulated=2026-01-15T12:00:00Z,factor=720")
	c, err := receiverClock()
	require.NoError(t, err)
	require.IsType(t, qualys.AcceleratedClock{}, c)
	assert.Equal(t, 720.0, c.(qualys.AcceleratedClock).Factor)
	assert.Equal(t, time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC), c.(qualys.AcceleratedClock).Simulated)
}

func TestTheGateWithoutAValidVariableRefusesTheReceiver(t *testing.T) {
	setAcceleratedClockGate(t, true)
	for value, want := range map[string]string{
		"":                 "receiver.qualys.acceleratedClock is on but QUALYS_ACCELERATED_CLOCK is not set",
		"factor=720":       "QUALYS_ACCELERATED_CLOCK: real is missing",
		"real=now,sim=now": "QUALYS_ACCELERATED_CLOCK: real: parsing time",
	} {
		if value == "" {
			t.Setenv(acceleratedClockEnv, "")
			require.NoError(t, os.Unsetenv(acceleratedClockEnv))
		} else {
			t.Setenv(acceleratedClockEnv, value)
		}
		cfg := createDefaultConfig().(*Config)
		cfg.Username, cfg.Password = "user", "pass"
		_, err := NewFactory().CreateLogs(t.Context(), receivertest.NewNopSettings(metadata.Type), cfg, consumertest.NewNop())
		assert.ErrorContains(t, err, want, "%q", value)
	}
}
