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
	// telemetry counts a failed start-up check as a failed poll; the streams count their polls.
	telemetry *Telemetry
	// status reports the component status from the polls and checks (status.go); nil reports none.
	status *streamStatus
	after  func(time.Duration) <-chan time.Time
}

func newScheduler(s ScheduledStream, sinks Sinks, logger *zap.Logger, telemetry *Telemetry) *scheduler {
	return &scheduler{stream: s.Stream, schedule: s.Schedule, sinks: sinks, logger: logger, telemetry: telemetry, after: time.After}
}

// run polls at once and then on every interval. A stream with start-up checks is checked before its
// first poll and after a poll that failed on credentials or permissions; while a check fails the
// stream skips its polls, each counted as a failed poll, and the other streams go on.
func (s *scheduler) run(ctx context.Context) {
	checked, hasChecks := s.stream.(Checked)
	needsCheck := hasChecks
	for {
		started := time.Now()
		if needsCheck {
			err := s.check(ctx, checked)
			needsCheck = err != nil
			if needsCheck && ctx.Err() == nil {
				s.telemetry.pollDone(s.stream.Name(), started, time.Now(), errKind(err))
				s.status.pollDone(s.stream.Name(), err)
			}
		}
		if !needsCheck {
			err := s.pollOnce(ctx)
			if ctx.Err() == nil {
				s.status.pollDone(s.stream.Name(), err)
			}
			needsCheck = hasChecks && needsCheckAgain(err)
		}
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

// check runs the stream's checks in order and logs one line: ready, or the first failure in the
// operator's words. It returns that failure.
func (s *scheduler) check(ctx context.Context, c Checked) error {
	for _, chk := range c.Checks() {
		if err := chk.Run(ctx); err != nil {
			if ctx.Err() != nil {
				return err
			}
			s.logger.Error(OperatorMessage(s.stream.Name(), chk.What, err),
				zap.Stringer("checked_again_in", s.schedule.Interval))
			return err
		}
	}
	s.logger.Info(s.stream.Name() + ": ready")
	return nil
}

func (s *scheduler) pollOnce(ctx context.Context) error {
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
	return err
}
