// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/seed-d80aa3af/qualysreceiver/internal/pull"
	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
	"github.com/seed-d80aa3af/qualysreceiver/internal/vulnerabilities"
)

// scriptedStream answers each poll with the next error of polls and each check with the next of
// checks (nil: success); once the polls run out, the scheduler's context ends. A poll takes
// pollTakes on the fake clock.
type scriptedStream struct {
	clock     *fakeClock
	polls     []error
	checks    []error
	pollTakes time.Duration
	stop      context.CancelFunc
	// attempts records, in order, "check" or "poll" and the fake time it began.
	attempts []attempt
}

type attempt struct {
	what string
	at   time.Duration
}

func (s *scriptedStream) Name() string { return vulnerabilities.Name }

func (s *scriptedStream) Poll(context.Context, Sinks) error {
	s.attempts = append(s.attempts, attempt{"poll", s.clock.elapsed()})
	if len(s.polls) == 0 {
		s.stop()
		return context.Canceled
	}
	err := s.polls[0]
	s.polls = s.polls[1:]
	s.clock.advance(s.pollTakes)
	return err
}

// checkedScript is a scriptedStream with a start-up check.
type checkedScript struct{ *scriptedStream }

func (s checkedScript) Checks() []pull.Check {
	return []pull.Check{{What: "API server", Run: func(context.Context) error {
		s.attempts = append(s.attempts, attempt{"check", s.clock.elapsed()})
		if len(s.checks) == 0 {
			return nil
		}
		err := s.checks[0]
		s.checks = s.checks[1:]
		return err
	}}}
}

// fakeClock moves only when the scheduler waits: each wait is recorded and passes at once.
type fakeClock struct {
	start, now time.Time
	waits      []time.Duration
}

func newFakeClock() *fakeClock {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return &fakeClock{start: t0, now: t0}
}

func (c *fakeClock) Now() time.Time          { return c.now }
func (c *fakeClock) advance(d time.Duration) { c.now = c.now.Add(d) }
func (c *fakeClock) elapsed() time.Duration  { return c.now.Sub(c.start) }
func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.waits = append(c.waits, d)
	c.advance(d)
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}

// runScript runs a scheduler over stream on the fake clock until its polls run out, with random as
// the jitter source, and returns what it logged.
func runScript(t *testing.T, stream Stream, script *scriptedStream, schedule Schedule, random func() float64) *observer.ObservedLogs {
	t.Helper()
	core, logs := observer.New(zap.DebugLevel)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	script.stop = cancel
	s := &scheduler{stream: stream, schedule: schedule, logger: zap.New(core),
		clock: script.clock, random: random}
	done := make(chan struct{})
	go func() { defer close(done); s.run(ctx) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the scheduler did not end with its script")
	}
	return logs
}

func midJitter() float64 { return 0.5 } // no jitter: every pause is its base

func repeat(err error, n int) []error {
	out := make([]error, n)
	for i := range out {
		out[i] = err
	}
	return out
}

var (
	errUnreachable = &qualys.Error{Endpoint: "host_detections", StatusCode: http.StatusBadGateway, Kind: qualys.KindTransient}
	errBadLogin    = &qualys.Error{Endpoint: "about", StatusCode: http.StatusUnauthorized, Kind: qualys.KindAuth,
		Hint: "wrong username or password"}
	errNoModule = &qualys.Error{Endpoint: "knowledge_base", StatusCode: http.StatusConflict, Code: 2000,
		Kind: qualys.KindPermission, Hint: "the user lacks a permission this API needs"}
	errBadParameter = &qualys.Error{Endpoint: "host_detections", StatusCode: http.StatusBadRequest, Code: 1905,
		Kind: qualys.KindRequest, Hint: "Qualys rejected a request parameter"}
)

// A poll that fails for a passing reason is tried again after 1m, 2m, 4m … up to the interval; a
// success brings back the regular interval, and the next failure starts at 1m again.
func TestSchedulerRetriesFailedPollSoon(t *testing.T) {
	clock := newFakeClock()
	polls := repeat(errUnreachable, 10)
	polls = append(polls, nil, errors.New("the next consumer refused"), nil)
	script := &scriptedStream{clock: clock, polls: polls}
	logs := runScript(t, script, script, Schedule{Interval: 4 * time.Hour}, midJitter)

	m := time.Minute
	assert.Equal(t, []time.Duration{
		1 * m, 2 * m, 4 * m, 8 * m, 16 * m, 32 * m, 64 * m, 128 * m, 240 * m, 240 * m, // failures, capped at the interval
		240 * m, // the success: the regular interval
		1 * m,   // a failure after a success starts again at 1m
		240 * m, // success
	}, clock.waits)
	failed := logs.FilterMessage("Poll failed; the next poll resumes from the last checkpoint").All()
	require.Len(t, failed, 11, "every failed poll is an error line")
	assert.Equal(t, "1m0s", failed[0].ContextMap()["next_poll_in"], "with its unit")
	assert.Equal(t, int64(10), failed[9].ContextMap()["failures_in_a_row"])
	assert.Equal(t, int64(1), failed[10].ContextMap()["failures_in_a_row"])
}

// The back-off's own bounds: initial_interval and max_interval, and a max above the interval is the
// interval.
func TestSchedulerRetryBounds(t *testing.T) {
	m := time.Minute
	tests := []struct {
		name  string
		retry RetrySchedule
		want  []time.Duration
	}{
		{"initial 30s, max 5m", RetrySchedule{Initial: 30 * time.Second, Max: 5 * m},
			[]time.Duration{30 * time.Second, 1 * m, 2 * m, 4 * m, 5 * m, 5 * m}},
		{"max above the interval", RetrySchedule{Initial: 10 * m, Max: 24 * time.Hour},
			[]time.Duration{10 * m, 20 * m, 40 * m, 60 * m, 60 * m, 60 * m}},
		{"initial above the interval", RetrySchedule{Initial: 2 * time.Hour},
			[]time.Duration{60 * m, 60 * m, 60 * m, 60 * m, 60 * m, 60 * m}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock()
			script := &scriptedStream{clock: clock, polls: repeat(errUnreachable, len(tt.want))}
			runScript(t, script, script, Schedule{Interval: time.Hour, Retry: tt.retry}, midJitter)
			assert.Equal(t, tt.want, clock.waits)
		})
	}
}

// Jitter varies each pause by up to a fifth either way, and never past the cap.
func TestSchedulerRetryJitter(t *testing.T) {
	const failures = 12
	interval := 4 * time.Hour
	for name, random := range map[string]func() float64{
		"lowest":  func() float64 { return 0 },
		"highest": func() float64 { return 1 - 1e-12 },
		"seeded":  rand.New(rand.NewPCG(1, 19)).Float64,
	} {
		t.Run(name, func(t *testing.T) {
			clock := newFakeClock()
			script := &scriptedStream{clock: clock, polls: repeat(errUnreachable, failures)}
			runScript(t, script, script, Schedule{Interval: interval}, random)
			require.Len(t, clock.waits, failures)
			base := time.Minute
			for i, wait := range clock.waits {
				assert.GreaterOrEqual(t, wait, base*8/10, "failure %d", i+1)
				assert.LessOrEqual(t, wait, min(base*12/10, interval), "failure %d", i+1)
				base = min(2*base, interval)
			}
			if name == "lowest" {
				assert.Equal(t, 48*time.Second, clock.waits[0])
				assert.Equal(t, interval*8/10, clock.waits[failures-1])
			}
			if name == "highest" {
				assert.InDelta(t, float64(72*time.Second), float64(clock.waits[0]), float64(time.Millisecond))
				assert.Equal(t, interval, clock.waits[failures-1], "jitter never goes past the interval")
			}
		})
	}
}

// A poll Qualys refuses for its parameters gets the same answer a minute later: it waits for the
// regular interval, and does not count towards the back-off.
func TestSchedulerRefusedRequestWaitsForInterval(t *testing.T) {
	clock := newFakeClock()
	script := &scriptedStream{clock: clock, polls: []error{errBadParameter, errUnreachable}, pollTakes: 10 * time.Minute}
	logs := runScript(t, script, script, Schedule{Interval: 4 * time.Hour}, midJitter)
	assert.Equal(t, []time.Duration{230 * time.Minute, time.Minute}, clock.waits)
	failed := logs.FilterMessage("Poll failed; the next poll resumes from the last checkpoint").All()
	require.Len(t, failed, 2)
	assert.Equal(t, "3h50m0s", failed[0].ContextMap()["next_poll_in"])
}

// A check that fails on credentials or permissions runs again on the back-off capped at 15
// minutes, so a fix takes effect within minutes; it is an error line once an hour, debug in
// between, and the next error line says how many went to debug.
func TestSchedulerFailedCheckRerunsWithinMinutes(t *testing.T) {
	for name, cause := range map[string]error{"credentials": errBadLogin, "permissions": errNoModule} {
		t.Run(name, func(t *testing.T) {
			clock := newFakeClock()
			script := &scriptedStream{clock: clock, polls: []error{nil}, checks: repeat(cause, 9)}
			logs := runScript(t, checkedScript{script}, script, Schedule{Interval: 24 * time.Hour}, midJitter)

			m := time.Minute
			assert.Equal(t, []time.Duration{1 * m, 2 * m, 4 * m, 8 * m, 15 * m, 15 * m, 15 * m, 15 * m, 15 * m,
				24 * time.Hour}, clock.waits, "checks capped at 15m; after the fix, the regular interval")
			checks := []time.Duration{0, 1 * m, 3 * m, 7 * m, 15 * m, 30 * m, 45 * m, 60 * m, 75 * m, 90 * m}
			var want []attempt
			for _, at := range checks {
				want = append(want, attempt{"check", at})
			}
			want = append(want, attempt{"poll", 90 * m}, attempt{"poll", 90*m + 24*time.Hour})
			assert.Equal(t, want, script.attempts, "no poll while the check fails; the fix is picked up 15m later at most")

			msg := operatorMessage(vulnerabilities.Name, "API server", cause)
			lines := logs.FilterMessage(msg).All()
			require.Len(t, lines, 9)
			var levels []zapcore.Level
			for _, l := range lines {
				levels = append(levels, l.Level)
			}
			d, e := zapcore.DebugLevel, zapcore.ErrorLevel
			assert.Equal(t, []zapcore.Level{e, d, d, d, d, d, d, e, d}, levels, "one error line an hour")
			assert.Equal(t, int64(6), lines[7].ContextMap()["repeated_since_last_error"])
			assert.Equal(t, "15m0s", lines[8].ContextMap()["checked_again_in"])
			assert.Equal(t, 1, logs.FilterMessage("vulnerabilities: ready").Len())
		})
	}
}

// A check that fails for a passing reason (Qualys unreachable at start-up) is an error line each
// time: only lasting causes (credentials, permissions, trust) are quietened.
func TestSchedulerTransientCheckFailureLoggedEachTime(t *testing.T) {
	clock := newFakeClock()
	script := &scriptedStream{clock: clock, polls: []error{nil}, checks: repeat(errUnreachable, 3)}
	logs := runScript(t, checkedScript{script}, script, Schedule{Interval: 4 * time.Hour}, midJitter)
	lines := logs.FilterMessage(operatorMessage(vulnerabilities.Name, "API server", errUnreachable)).All()
	require.Len(t, lines, 3)
	for _, l := range lines {
		assert.Equal(t, zapcore.ErrorLevel, l.Level)
	}
}

// A poll that fails on credentials sends the stream back to its checks a minute later, and a poll
// that keeps failing that way (a check that passes while the poll's own API is refused) is an error
// line once an hour, on the 15-minute cap.
func TestSchedulerPollFailingOnCredentials(t *testing.T) {
	clock := newFakeClock()
	script := &scriptedStream{clock: clock, polls: append(repeat(errNoModule, 8), nil)}
	logs := runScript(t, checkedScript{script}, script, Schedule{Interval: 4 * time.Hour}, midJitter)

	m := time.Minute
	assert.Equal(t, []time.Duration{1 * m, 2 * m, 4 * m, 8 * m, 15 * m, 15 * m, 15 * m, 15 * m, 240 * m}, clock.waits)
	require.Len(t, script.attempts, 19, "each poll after a failure on credentials is checked first")
	for i, a := range script.attempts[:18] {
		assert.Equal(t, map[bool]string{true: "check", false: "poll"}[i%2 == 0], a.what, "attempt %d", i)
	}
	failed := logs.FilterMessage("Poll failed; the next poll resumes from the last checkpoint").All()
	require.Len(t, failed, 8)
	for i, l := range failed {
		want := zapcore.DebugLevel
		if i == 0 || i == 7 { // at 0 and at 60m
			want = zapcore.ErrorLevel
		}
		assert.Equal(t, want, l.Level, "line %d", i)
	}
}

// manualClock is the wall clock whose waits end only when the test sends a tick.
type manualClock struct {
	qualys.Clock
	ticks chan time.Time
}

func tickClock(ticks chan time.Time) manualClock {
	return manualClock{Clock: qualys.WallClock, ticks: ticks}
}

func (c manualClock) After(time.Duration) <-chan time.Time { return c.ticks }
