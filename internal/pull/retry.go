// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

// Package pull is the pull engine, which knows no stream: a stream's one checkpoint record and the
// only code that reads and writes it (Checkpointed), the ranges a pull is cut into (of the host id
// space, or one per policy) and their plan (IDRange, Progress, PlanHostRanges), the workers that pull them page by page and
// advance only past what the consumer accepted (Workers), the batches handed on (Batcher,
// Consumer), the retry schedule of the failures a stream retries itself (Retry), and the loop
// every Qualys answer is read with (ReadAnswer). A stream is a Source (checks, plan, page) that
// an Engine drives.
package pull // import "github.com/seed-d80aa3af/qualysreceiver/internal/pull"

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/config/configretry"
	"go.uber.org/zap"

	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
)

// Retry paces the streams' own retries, of the two failures the client cannot retry: an
// answer cut off mid-body (qualys.IsCutOff) and a consumer that refuses data. It is the client's
// back-off (retry_on_failure, with its jitter), and gives up once retry_on_failure's
// max_elapsed_time has passed since the first failure; a success starts it over. Every other
// failure the client has already retried, so a stream gives up on it at once.
type Retry struct {
	cfg   configretry.BackOffConfig
	clock qualys.Clock
	bo    *qualys.BackOff
}

// NewRetry is the schedule of cfg (retry_on_failure) on clock.
func NewRetry(cfg configretry.BackOffConfig, clock qualys.Clock) *Retry {
	return &Retry{cfg: cfg, clock: clock}
}

// Next is the wait before trying again; false means give up.
func (r *Retry) Next() (time.Duration, bool) {
	if !r.cfg.Enabled {
		return 0, false
	}
	if r.bo == nil {
		r.bo = qualys.NewBackOff(r.cfg, r.clock)
	}
	return r.bo.NextWait()
}

// Sleep waits d on the schedule's clock; false when ctx ended first.
func (r *Retry) Sleep(ctx context.Context, d time.Duration) bool {
	select {
	case <-ctx.Done():
		return false
	case <-r.clock.After(d):
		return true
	}
}

// Reset starts the schedule over after a success.
func (r *Retry) Reset() { r.bo = nil }

// callAgainWhileCutOff makes call, and again from its start while its answer is cut off
// (qualys.IsCutOff), on the schedule of retry (retry_on_failure); any other failure it returns at
// once. what names the call in the log.
func callAgainWhileCutOff(ctx context.Context, retry *Retry, logger *zap.Logger, what string, call func() error) error {
	for {
		err := call()
		if err == nil || ctx.Err() != nil || !qualys.IsCutOff(err) {
			return err
		}
		wait, ok := retry.Next()
		if !ok {
			return err
		}
		logger.Warn("Answer cut off; making the call again", zap.String("call", what), zap.Error(err), zap.Duration("retry_in", wait))
		if !retry.Sleep(ctx, wait) {
			return err
		}
	}
}
