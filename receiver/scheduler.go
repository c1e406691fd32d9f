// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver // import "github.com/seed-d80aa3af/qualysreceiver/receiver"

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
	"github.com/seed-d80aa3af/qualysreceiver/internal/telemetry"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// Schedule says when a stream polls.
type Schedule struct {
	// Interval is the time from the start of one poll to the start of the next. A poll that runs
	// longer than Interval is followed at once by the next; polls never overlap.
	Interval time.Duration
	// Retry is how soon a failed poll or start-up check is tried again; a success brings back the
	// regular Interval.
	Retry RetrySchedule
}

// scheduler runs one stream on its schedule until its context ends.
type scheduler struct {
	stream   Stream
	schedule Schedule
	sinks    Sinks
	logger   *zap.Logger
	// telemetry counts a failed start-up check as a failed poll; the streams count their polls.
	telemetry *telemetry.Telemetry
	// status reports the component status from the polls and checks (status.go); nil reports none.
	status *streamStatus
	// clock is the receiver's one clock (time and timers); random the jitter's source, nil the real one.
	clock  qualys.Clock
	random func() float64

	backOff *pollBackOff
	causes  causeLog
}

func newScheduler(s ScheduledStream, sinks Sinks, logger *zap.Logger, telemetry *telemetry.Telemetry) *scheduler {
	return &scheduler{stream: s.Stream, schedule: s.Schedule, sinks: sinks, logger: logger, telemetry: telemetry,
		clock: qualys.WallClock}
}

// run polls at once, then an interval after each poll that completed, and after a failure as soon
// as its cause may have passed (retry.go). A stream with start-up checks is checked before its
// first poll and after a poll that failed on credentials, permissions or trust; while a check fails
// the stream skips its polls, each counted as a failed poll, and the other streams go on.
func (s *scheduler) run(ctx context.Context) {
	c, hasChecks := s.stream.(checked)
	needsCheck := hasChecks
	for {
		var wait time.Duration
		if needsCheck {
			var err error
			wait, err = s.check(ctx, c)
			needsCheck = err != nil
			if needsCheck && ctx.Err() == nil {
				s.status.pollDone(s.stream.Name(), err)
			}
		}
		if !needsCheck {
			var err error
			wait, err = s.poll(ctx)
			if ctx.Err() == nil {
				s.status.pollDone(s.stream.Name(), err)
			}
			needsCheck = hasChecks && needsCheckAgain(err)
		}
		if ctx.Err() != nil {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-s.clock.After(wait):
		}
	}
}

// check runs the stream's checks in order and logs one line: ready, or the first failure in the
// operator's words with when the checks run again (the same failure at most once an hour as an
// error). It returns that failure and the pause before the next attempt.
func (s *scheduler) check(ctx context.Context, c checked) (time.Duration, error) {
	started := s.clock.Now()
	for _, chk := range c.Checks() {
		err := chk.Run(ctx)
		if err == nil {
			continue
		}
		if ctx.Err() != nil {
			return 0, err
		}
		s.telemetry.PollDone(s.stream.Name(), started, s.clock.Now(), errKind(err))
		wait := s.retry().nextWait(err, s.schedule.Interval, s.clock.Now().Sub(started))
		msg := operatorMessage(s.stream.Name(), chk.What, err)
		level, quiet := zapcore.ErrorLevel, 0
		if needsCheckAgain(err) { // a lasting cause only: an outage at start-up is logged each time
			level, quiet = s.causes.level(msg, s.clock.Now())
		}
		fields := []zap.Field{zap.Stringer("checked_again_in", readable(wait))}
		if quiet > 0 {
			fields = append(fields, zap.Int("repeated_since_last_error", quiet))
		}
		s.logger.Log(level, msg, fields...)
		return wait, err
	}
	// Its duration tells the first poll's start from the end of the checks before it.
	s.logger.Info(s.stream.Name()+": ready", zap.Stringer("duration", readable(s.clock.Now().Sub(started))))
	return 0, nil
}

// poll polls and logs how it ended. It returns the poll's error and the pause before the next
// attempt: the rest of the interval after a success, the back-off after a failure.
func (s *scheduler) poll(ctx context.Context) (time.Duration, error) {
	started := s.clock.Now()
	err := s.stream.Poll(ctx, s.sinks)
	elapsed := s.clock.Now().Sub(started)
	switch {
	case err == nil:
		s.retry().reset()
		s.logger.Debug("Poll completed", zap.Duration("duration", elapsed))
		return max(0, s.schedule.Interval-elapsed), nil
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		s.logger.Info("Poll stopped by shutdown; it resumes from its checkpoint on the next start")
		return 0, err
	}
	wait := s.retry().nextWait(err, s.schedule.Interval, elapsed)
	level, quiet := zapcore.ErrorLevel, 0
	if needsCheckAgain(err) {
		level, quiet = s.causes.level(causeOf(err), s.clock.Now())
	}
	fields := []zap.Field{zap.Error(err), zap.Duration("duration", elapsed),
		zap.Stringer("next_poll_in", readable(wait)), zap.Int("failures_in_a_row", s.retry().failures)}
	if quiet > 0 {
		fields = append(fields, zap.Int("repeated_since_last_error", quiet))
	}
	s.logger.Log(level, "Poll failed; the next poll resumes from the last checkpoint", fields...)
	return wait, err
}

func (s *scheduler) retry() *pollBackOff {
	if s.backOff == nil {
		random := s.random
		if random == nil {
			random = rand.Float64 //nolint:gosec // jitter, not security
		}
		s.backOff = newPollBackOff(s.schedule.Retry, s.schedule.Interval, random)
	}
	return s.backOff
}
