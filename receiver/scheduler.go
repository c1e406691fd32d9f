// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver // import "github.com/seed-d80aa3af/qualysreceiver/receiver"

import (
	"context"
	"errors"
	"time"

	"go.uber.org/zap"
)

// Schedule says when a stream polls.
type Schedule struct {
	// Interval is the time from the start of one poll to the start of the next. A poll that runs
	// longer than Interval is followed at once by the next; polls never overlap.
	Interval time.Duration
}

// scheduler runs one stream on its schedule until its context ends.
type scheduler struct {
	stream   Stream
	schedule Schedule
	sinks    Sinks
	logger   *zap.Logger
	after    func(time.Duration) <-chan time.Time
}

func newScheduler(s ScheduledStream, sinks Sinks, logger *zap.Logger) *scheduler {
	return &scheduler{stream: s.Stream, schedule: s.Schedule, sinks: sinks, logger: logger, after: time.After}
}

// run polls at once and then on every interval.
func (s *scheduler) run(ctx context.Context) {
	for {
		started := time.Now()
		s.pollOnce(ctx)
		wait := s.schedule.Interval - time.Since(started)
		if wait < 0 {
			wait = 0
		}
		select {
		case <-ctx.Done():
			return
		case <-s.after(wait):
		}
	}
}

func (s *scheduler) pollOnce(ctx context.Context) {
	started := time.Now()
	err := s.stream.Poll(ctx, s.sinks)
	switch {
	case err == nil:
		s.logger.Debug("Poll completed", zap.Duration("duration", time.Since(started)))
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		s.logger.Info("Poll stopped by shutdown; it resumes from its checkpoint on the next start")
	default:
		s.logger.Error("Poll failed; the next poll resumes from the last checkpoint",
			zap.Error(err), zap.Duration("duration", time.Since(started)),
			zap.Duration("next_poll_in", max(0, s.schedule.Interval-time.Since(started))))
	}
}
