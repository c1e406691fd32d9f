// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package pull

import (
	"errors"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/config/configretry"

	"github.com/seed-d80aa3af/qualysreceiver/internal/decode"
	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
)

// script returns the outcomes of read one after another.
func script(outcomes ...error) func() (int, error) {
	i := 0
	return func() (int, error) {
		err := outcomes[i]
		i++
		return i, err
	}
}

func TestReadAnswer(t *testing.T) {
	skipped := &decode.RecordError{ID: "7", Err: decode.ErrMissingID}
	qualysErr := &qualys.Error{Endpoint: "x", Kind: qualys.KindAuth}
	broken := &decode.StreamError{Err: decode.ErrTruncated}
	for _, tc := range []struct {
		name     string
		outcomes []error
		skip     bool
		useFails bool
		wantUsed []int
		wantSkip int
		check    func(t *testing.T, err error)
	}{
		{name: "every record, then the end", outcomes: []error{nil, nil, io.EOF}, wantUsed: []int{1, 2},
			check: func(t *testing.T, err error) { assert.NoError(t, err) }},
		{name: "a skipped record goes to skip", outcomes: []error{nil, skipped, nil, io.EOF}, skip: true, wantUsed: []int{1, 3}, wantSkip: 1,
			check: func(t *testing.T, err error) { assert.NoError(t, err) }},
		{name: "without skip a skipped record breaks the answer", outcomes: []error{skipped}, wantUsed: nil,
			check: func(t *testing.T, err error) { assert.True(t, qualys.IsCutOff(err)) }},
		{name: "a Qualys error comes as it is", outcomes: []error{nil, qualysErr}, skip: true, wantUsed: []int{1},
			check: func(t *testing.T, err error) { assert.Same(t, qualysErr, err) }},
		{name: "a broken answer is cut off", outcomes: []error{nil, broken}, skip: true, wantUsed: []int{1},
			check: func(t *testing.T, err error) {
				assert.True(t, qualys.IsCutOff(err))
				assert.ErrorIs(t, err, decode.ErrTruncated)
			}},
		{name: "use ends the loop with its error", outcomes: []error{nil, nil}, useFails: true, wantUsed: []int{1},
			check: func(t *testing.T, err error) { assert.EqualError(t, err, "refused") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var used []int
			skips := 0
			var skip func(*decode.RecordError)
			if tc.skip {
				skip = func(*decode.RecordError) { skips++ }
			}
			err := ReadAnswer(&qualys.Response{}, "x", script(tc.outcomes...), skip, func(n int) error {
				used = append(used, n)
				if tc.useFails {
					return errors.New("refused")
				}
				return nil
			})
			tc.check(t, err)
			assert.Equal(t, tc.wantUsed, used)
			assert.Equal(t, tc.wantSkip, skips)
		})
	}
}

// stepClock is a clock whose waits pass at once and move it forward.
type stepClock struct{ now time.Time }

func (c *stepClock) Now() time.Time { return c.now }

func (c *stepClock) After(d time.Duration) <-chan time.Time {
	c.now = c.now.Add(d)
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}

// The schedule backs off, gives up once max_elapsed_time has passed since the first failure, and
// starts over after a success; disabled, it never retries.
func TestRetry(t *testing.T) {
	cfg := configretry.NewDefaultBackOffConfig()
	cfg.InitialInterval, cfg.MaxInterval, cfg.Multiplier = time.Second, 4*time.Second, 2
	cfg.RandomizationFactor, cfg.MaxElapsedTime = 0, 10*time.Second
	clock := &stepClock{now: time.Unix(0, 0)}
	r := NewRetry(cfg, clock)
	var waits []time.Duration
	for {
		wait, ok := r.Next()
		if !ok {
			break
		}
		waits = append(waits, wait)
		require.True(t, r.Sleep(t.Context(), wait))
	}
	assert.Equal(t, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}, waits, "up to 10 s in all")
	r.Reset()
	wait, ok := r.Next()
	assert.True(t, ok, "a success starts the schedule over")
	assert.Equal(t, time.Second, wait)

	cfg.Enabled = false
	_, ok = NewRetry(cfg, clock).Next()
	assert.False(t, ok, "retry_on_failure disabled")
}
