// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualysreceiver // import "github.com/seed-d80aa3af/qualysreceiver"

import (
	"fmt"
	"os"

	"go.opentelemetry.io/collector/featuregate"

	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
)

// acceleratedClockEnv carries the accelerated clock's anchor and factor (qualys.AcceleratedClock).
const acceleratedClockEnv = "QUALYS_ACCELERATED_CLOCK"

// acceleratedClockGate lets a soak test run the built collector on simulated time, days in
// minutes (e2e/soak_test.go). Off, the receiver runs on the wall clock whatever the environment.
var acceleratedClockGate = featuregate.GlobalRegistry().MustRegister(
	"receiver.qualys.acceleratedClock",
	featuregate.StageAlpha,
	featuregate.WithRegisterDescription("Test only: the receiver runs on the simulated time of "+acceleratedClockEnv+
		" (real=<RFC 3339>,simulated=<RFC 3339>,factor=<n>) for soak tests against the simulator."),
	featuregate.WithRegisterFromVersion("v0.1.0"),
)

// receiverClock is the one clock of the receiver's schedulers, streams and client: the wall clock,
// or the accelerated clock when its gate is on, which then needs a valid environment variable.
func receiverClock() (qualys.Clock, error) {
	if !acceleratedClockGate.IsEnabled() {
		return qualys.WallClock, nil
	}
	value, ok := os.LookupEnv(acceleratedClockEnv)
	if !ok {
		return nil, fmt.Errorf("feature gate %s is on but %s is not set", acceleratedClockGate.ID(), acceleratedClockEnv)
	}
	c, err := qualys.ParseAcceleratedClock(value)
	if err != nil {
		return nil, fmt.Errorf("feature gate %s: %s: %w", acceleratedClockGate.ID(), acceleratedClockEnv, err)
	}
	return c, nil
}
