// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualys

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAcceleratedClockReadsWhatItWrites(t *testing.T) {
	c := AcceleratedClock{Real: time.Date(2026, 12, 6, 18, 0, 0, 123456789, time.UTC),
		Simulated: time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC), Factor: 720}
	got, err := ParseAcceleratedClock(c.String())
	require.NoError(t, err)
	assert.True(t, c.Real.Equal(got.Real) && c.Simulated.Equal(got.Simulated), "%s", got)
	assert.Equal(t, c.Factor, got.Factor)
}

func TestAcceleratedClockRunsFactorTimesFaster(t *testing.T) {
	c := AcceleratedClock{Real: time.Date(2026, 12, 6, 18, 0, 0, 0, time.UTC),
		Simulated: time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC), Factor: 3600}
	assert.Equal(t, c.Simulated.Add(2*time.Hour), c.At(c.Real.Add(2*time.Second)), "two real seconds are two simulated hours")
	assert.Equal(t, c.Simulated.Add(-time.Hour), c.At(c.Real.Add(-time.Second)), "and before the anchor alike")
	assert.Equal(t, 500*time.Millisecond, c.RealDuration(30*time.Minute))
	assert.Zero(t, c.RealDuration(-time.Minute), "a wait in the past is no wait")

	live := AcceleratedClock{Real: time.Now(), Simulated: c.Simulated, Factor: 3600}
	before := live.Now()
	fired := <-live.After(time.Hour) // a real second
	assert.GreaterOrEqual(t, fired.Sub(before), time.Hour, "After fires once the simulated hour has passed")
	assert.False(t, live.Now().Before(fired))
}

func TestParseAcceleratedClockRefusesWhatIsNotAClock(t *testing.T) {
	for value, want := range map[string]string{
		"":                                   `"" is not key=value`,
		"real=2026-12-06T18:00:00Z,factor=2": "simulated is missing",
		"real=yesterday,simulated=2026-01-15T12:00:00Z,factor=2":            "real: parsing time",
		"real=2026-12-06T18:00:00Z,simulated=2026-01-15T12:00:00Z,factor=0": "factor: must be a number of at least 1",
		"real=2026-12-06T18:00:00Z,simulated=2026-01-15T12:00:00Z,speed=2":  `unknown key "speed"`,
	} {
		_, err := ParseAcceleratedClock(value)
		assert.ErrorContains(t, err, want, "%q", value)
	}
}
