// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver // import "github.com/seed-d80aa3af/qualysreceiver/receiver"

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/config/configretry"

	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
)

// retrySchedule paces the streams' own retries, of the two failures the client cannot retry: an
// answer cut off mid-body (qualys.IsCutOff) and a consumer that refuses data. It is the client's
// back-off (retry_on_failure, with its jitter), and gives up once retry_on_failure's
// max_elapsed_time has passed since the first failure; a success starts it over. Every other
// failure the client has already retried, so a stream gives up on it at once.
type retrySchedule struct {
	cfg   configretry.BackOffConfig
	clock qualys.Clock
	bo    *qualys.BackOff
}

// next is the wait before trying again; false means give up.
func (r *retrySchedule) next() (time.Duration, bool) {
	if !r.cfg.Enabled {
		return 0, false
	}
	if r.bo == nil {
		r.bo = qualys.NewBackOff(r.cfg, r.clock)
	}
	return r.bo.NextWait()
}

// sleep waits d on the schedule's clock; false when ctx ended first.
func (r *retrySchedule) sleep(ctx context.Context, d time.Duration) bool {
	select {
	case <-ctx.Done():
		return false
	case <-r.clock.After(d):
		return true
	}
}

// reset starts the schedule over after a success.
func (r *retrySchedule) reset() { r.bo = nil }
