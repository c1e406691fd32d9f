// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualysreceiver // import "github.com/seed-d80aa3af/qualysreceiver"

import (
	"fmt"
	"time"

	qreceiver "github.com/seed-d80aa3af/qualysreceiver/receiver"
)

// RetryFailedPollConfig is how soon a poll that failed is tried again from its checkpoint, instead
// of a whole interval later. A start-up check that fails on credentials or permissions runs again
// on the same back-off, at least every 15 minutes.
type RetryFailedPollConfig struct {
	// InitialInterval is the pause after the first failure; it doubles with each failure in a row.
	// Defaults to 1m.
	InitialInterval time.Duration `mapstructure:"initial_interval"`
	// MaxInterval caps the pause. 0, the default, is each stream's interval, which also caps a
	// larger value.
	MaxInterval time.Duration `mapstructure:"max_interval"`
}

func defaultRetryFailedPoll() RetryFailedPollConfig {
	return RetryFailedPollConfig{InitialInterval: qreceiver.DefaultRetryInitial}
}

func (cfg *RetryFailedPollConfig) validate() []error {
	errs := []error{validateInterval("retry_failed_poll::initial_interval", cfg.InitialInterval)}
	if cfg.MaxInterval != 0 && cfg.MaxInterval < cfg.InitialInterval {
		errs = append(errs, fmt.Errorf("retry_failed_poll::max_interval: %s must be 0 (each stream's interval) or at least initial_interval (%s)",
			shortDuration(cfg.MaxInterval), shortDuration(cfg.InitialInterval)))
	}
	return errs
}

// schedule is a stream's poll schedule: its interval, and the back-off after a failure.
func (cfg *RetryFailedPollConfig) schedule(interval time.Duration) qreceiver.Schedule {
	return qreceiver.Schedule{
		Interval: interval,
		Retry:    qreceiver.RetrySchedule{Initial: cfg.InitialInterval, Max: cfg.MaxInterval},
	}
}
