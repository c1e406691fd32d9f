// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualys // import "github.com/seed-d80aa3af/qualysreceiver/internal/qualys"

import (
	"context"
	"math/rand/v2"
	"time"

	"go.opentelemetry.io/collector/config/configretry"
)

// BackOff is configretry's exponential back-off for one call's retries.
type BackOff struct {
	cfg   configretry.BackOffConfig
	clock clock
	start time.Time
	next  time.Duration
}

// NewBackOff starts a back-off whose elapsed time runs from now on c.
func NewBackOff(cfg configretry.BackOffConfig, c clock) *BackOff {
	return &BackOff{cfg: cfg, clock: c, start: c.Now(), next: cfg.InitialInterval}
}

// NextWait returns the pause before the next attempt, or false once MaxElapsedTime would pass.
func (b *BackOff) NextWait() (time.Duration, bool) {
	wait := b.next
	if wait <= 0 {
		wait = time.Second
	}
	if f := b.cfg.RandomizationFactor; f > 0 {
		delta := f * float64(wait)
		wait = time.Duration(float64(wait) - delta + rand.Float64()*(2*delta)) //nolint:gosec // jitter, not security
	}
	if b.cfg.MaxElapsedTime > 0 && b.clock.Now().Add(wait).Sub(b.start) > b.cfg.MaxElapsedTime {
		return 0, false
	}
	grown := time.Duration(float64(b.next) * max(b.cfg.Multiplier, 1))
	if b.cfg.MaxInterval > 0 {
		grown = min(grown, b.cfg.MaxInterval)
	}
	b.next = grown
	return wait, true
}

type singleAttemptKey struct{}

// SingleAttempt marks ctx's calls as made once: a transient failure is returned at once, without
// the configured back-off (limit answers are still waited out). The search for a failing host
// (internal/pull/skip.go) uses it so that each span costs at most one timeout.
func SingleAttempt(ctx context.Context) context.Context {
	return context.WithValue(ctx, singleAttemptKey{}, true)
}

func singleAttempt(ctx context.Context) bool {
	once, _ := ctx.Value(singleAttemptKey{}).(bool)
	return once
}
