// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualys // import "github.com/seed-d80aa3af/qualysreceiver/internal/qualys"

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// AcceleratedClock is simulated time running Factor times faster than the real time, anchored at
// one pair of instants: at the real instant Real it is Simulated. Every process given the same
// anchor and factor (a collector killed and started again, the simulator of a test) reads the same
// simulated time at the same real instant. A soak test runs days of polls in minutes with it.
type AcceleratedClock struct {
	Real      time.Time
	Simulated time.Time
	Factor    float64
}

var _ Clock = AcceleratedClock{}

// Now is the simulated time of the present real instant.
func (c AcceleratedClock) Now() time.Time { return c.At(time.Now()) }

// At is the simulated time of the real instant real.
func (c AcceleratedClock) At(real time.Time) time.Time {
	return c.Simulated.Add(time.Duration(float64(real.Sub(c.Real)) * c.Factor))
}

// After waits d of simulated time: d/Factor of the real time.
func (c AcceleratedClock) After(d time.Duration) <-chan time.Time {
	real := time.After(c.RealDuration(d))
	out := make(chan time.Time, 1)
	go func() { out <- c.At(<-real) }()
	return out
}

// RealDuration is how long d of simulated time takes in real time.
func (c AcceleratedClock) RealDuration(d time.Duration) time.Duration {
	return time.Duration(float64(max(d, 0)) / c.Factor)
}

// String writes the clock as ParseAcceleratedClock reads it.
func (c AcceleratedClock) String() string {
	return fmt.Sprintf("real=%s,simulated=%s,factor=%s", c.Real.UTC().Format(time.RFC3339Nano),
		c.Simulated.UTC().Format(time.RFC3339Nano), strconv.FormatFloat(c.Factor, 'g', -1, 64))
}

// ParseAcceleratedClock reads "real=<RFC 3339 time>,simulated=<RFC 3339 time>,factor=<number>",
// the factor at least 1.
func ParseAcceleratedClock(s string) (AcceleratedClock, error) {
	var c AcceleratedClock
	seen := map[string]bool{}
	for part := range strings.SplitSeq(strings.TrimSpace(s), ",") {
		key, value, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return c, fmt.Errorf("%q is not key=value", part)
		}
		var err error
		switch key {
		case "real":
			c.Real, err = time.Parse(time.RFC3339Nano, value)
		case "simulated":
			c.Simulated, err = time.Parse(time.RFC3339Nano, value)
		case "factor":
			c.Factor, err = strconv.ParseFloat(value, 64)
			if err == nil && (c.Factor < 1 || math.IsInf(c.Factor, 0) || math.IsNaN(c.Factor)) {
				err = errors.New("must be a number of at least 1")
			}
		default:
			return c, fmt.Errorf("unknown key %q (want real, simulated and factor)", key)
		}
		if err != nil {
			return c, fmt.Errorf("%s: %w", key, err)
		}
		seen[key] = true
	}
	for _, key := range []string{"real", "simulated", "factor"} {
		if !seen[key] {
			return c, fmt.Errorf("%s is missing (want real=<RFC 3339 time>,simulated=<RFC 3339 time>,factor=<number>)", key)
		}
	}
	return c, nil
}
