// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver // import "github.com/seed-d80aa3af/qualysreceiver/receiver"

import (
	"errors"
	"fmt"
	"time"

	"go.uber.org/zap/zapcore"

	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
)

// RetrySchedule is how soon a failed poll, or a failed start-up check, is tried again: after
// Initial, doubling with each failure in a row up to Max, each pause varied by up to a fifth so
// that streams and collectors that failed together do not call Qualys together again.
type RetrySchedule struct {
	// Initial is the pause after the first failure; 0 means DefaultRetryInitial.
	Initial time.Duration
	// Max caps the pause; 0, or more than the stream's interval, means the interval: a retry never
	// comes later than the regular poll would have.
	Max time.Duration
}

const (
	// DefaultRetryInitial is the pause after a first failed poll: long enough not to hammer an
	// API that is down, short enough that a blip costs minutes, not an interval.
	DefaultRetryInitial = time.Minute
	// fixCheckMax caps the pause between checks that fail on credentials, the account, permissions
	// or trust: a fix takes effect within it, without a restart.
	fixCheckMax = 15 * time.Minute
	// retryJitter is how much each pause varies either way, as a fraction of it.
	retryJitter = 0.2
	// sameCauseEvery is how often a lasting cause is logged as an error; the lines between are
	// debug, so a subscription without a module is not flooded.
	sameCauseEvery = time.Hour
)

// pollBackOff is the pause before the next attempt after failures in a row.
type pollBackOff struct {
	initial, max time.Duration
	// random returns a number in [0, 1); it draws the jitter.
	random   func() float64
	failures int
}

func newPollBackOff(r RetrySchedule, interval time.Duration, random func() float64) *pollBackOff {
	initial := r.Initial
	if initial <= 0 {
		initial = DefaultRetryInitial
	}
	ceiling := r.Max
	if ceiling <= 0 || (interval > 0 && ceiling > interval) {
		ceiling = interval
	}
	if ceiling <= 0 {
		ceiling = initial
	}
	return &pollBackOff{initial: min(initial, ceiling), max: ceiling, random: random}
}

// next counts a failure and returns the pause before the next attempt: initial doubled once per
// earlier failure in a row, at most max and at most limit when limit > 0, then jittered within the
// same bound.
func (b *pollBackOff) next(limit time.Duration) time.Duration {
	b.failures++
	ceiling := b.max
	if limit > 0 {
		ceiling = min(ceiling, limit)
	}
	wait := min(b.initial, ceiling)
	for i := 1; i < b.failures && wait < ceiling; i++ {
		wait *= 2
	}
	wait = min(wait, ceiling)
	jittered := time.Duration(float64(wait) * (1 - retryJitter + 2*retryJitter*b.random()))
	return min(jittered, ceiling)
}

// reset is a success: the next failure waits initial again.
func (b *pollBackOff) reset() { b.failures = 0 }

// nextWait is the pause after err, by what it takes to recover: a fix is looked for at least every
// fixCheckMax, a refused request waits for the regular poll (interval from the attempt's start,
// elapsed ago), anything else retries on the back-off.
func (b *pollBackOff) nextWait(err error, interval, elapsed time.Duration) time.Duration {
	switch qualys.RecoveryOf(err) {
	case qualys.RecoverAfterFix:
		return b.next(fixCheckMax)
	case qualys.RecoverNextInterval:
		return max(0, interval-elapsed)
	default:
		return b.next(0)
	}
}

// causeLog tells the level of a failure's log line: error the first time its cause is seen in
// sameCauseEvery, debug until then.
type causeLog struct {
	seen map[string]*causeSeen
}

type causeSeen struct {
	loggedAt time.Time
	// quiet counts the lines logged at debug since the last error line.
	quiet int
}

// level returns the level of a line about cause at now, and how many lines about it went to debug
// since its last error line.
func (c *causeLog) level(cause string, now time.Time) (level zapcore.Level, quiet int) {
	if c.seen == nil {
		c.seen = map[string]*causeSeen{}
	}
	for k, v := range c.seen {
		if now.Sub(v.loggedAt) >= 2*sameCauseEvery {
			delete(c.seen, k)
		}
	}
	seen, ok := c.seen[cause]
	if ok && now.Sub(seen.loggedAt) < sameCauseEvery {
		seen.quiet++
		return zapcore.DebugLevel, 0
	}
	if ok {
		quiet = seen.quiet
	}
	c.seen[cause] = &causeSeen{loggedAt: now}
	return zapcore.ErrorLevel, quiet
}

// causeOf names what a failure is about, without what changes from one attempt to the next (the
// host id where a page stopped): the API, the kind and the status and code of the answer.
func causeOf(err error) string {
	var qe *qualys.Error
	if errors.As(err, &qe) {
		return fmt.Sprintf("%s %s %d %d", qe.Endpoint, qe.Kind, qe.StatusCode, qe.Code)
	}
	return err.Error()
}

// readable rounds a pause for a log line: 57s, not 57.318220413s.
func readable(d time.Duration) time.Duration {
	if d >= 10*time.Second {
		return d.Round(time.Second)
	}
	return d
}
