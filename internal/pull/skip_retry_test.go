// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package pull

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-d80aa3af/qualysreceiver/internal/convert"
	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
)

// A host found failing only because its single attempt met a transient failure is asked for again
// with the client's retries: it passes, is delivered, and nothing is skipped.
func TestFoundHostThatPassesWhenAskedAgainIsNotSkipped(t *testing.T) {
	ids := hostIDs(1, 1, 40)
	src := &flakyHosts{ids: ids, perPage: 10, failing: map[int64]int{23: 3}}
	prog := &Progress{Full: true, Ranges: []IDRange{{Min: 1, Next: 21, Failing: &PageFailures{At: 21, Times: DefaultSkipAfter - 1}}}}
	run := newSkipRun()

	require.NoError(t, run.pull(t, src, prog))

	assert.Empty(t, prog.Skipped)
	assertPulledOnce(t, &run.sinks, ids[20:], nil)
	assert.Equal(t, 1, run.logs.FilterMessageSnippet("passed when asked for again").Len())
}

// policyHosts pulls each range from the hosts of its policy.
type policyHosts map[int64]*flakyHosts

func (p policyHosts) Page(ctx context.Context, r IDRange, out *Batcher) (int64, bool, error) {
	return p[r.Policy].Page(ctx, r, out)
}

// The probe before a skip asks for the last host accepted in the same range only: a host accepted
// under another policy is not in this one's answers, and asking for it there proves nothing.
func TestProbeAsksForAHostAcceptedInTheSameRangeOnly(t *testing.T) {
	src := policyHosts{
		1: {ids: []int64{10, 20}, perPage: 10},
		2: {ids: []int64{50, 60}, perPage: 10, failing: map[int64]int{50: -1}},
	}
	prog := &Progress{Full: true, Ranges: []IDRange{
		{Policy: 1, Min: 1, Next: 1, Max: 100},
		{Policy: 2, Min: 1, Next: 1, Max: 100, Failing: &PageFailures{At: 1, Times: DefaultSkipAfter - 1}},
	}}
	run := newSkipRun()
	c := NewConsumer(&run.sinks, "fake", skipRetry(), qualys.WallClock, run.logger, nil)
	w := &Workers{
		Stream: "fake", Pull: prog, Save: func(context.Context) {}, Workers: 1, Retry: skipRetry(), PageSize: 10,
		NewBatcher: func() *Batcher { return NewBatcher(c, 1000, convert.Source{}) },
		Page:       src.Page, Logger: run.logger, Telemetry: &run.telemetry, Clock: qualys.WallClock,
	}

	_, err := w.Run(t.Context())

	require.NoError(t, err)
	assert.Equal(t, []int64{50}, prog.Skipped)
	assert.Equal(t, map[int64]int{10: 1, 20: 1, 60: 1}, run.sinks.hosts)
	for _, r := range src[2].asked {
		assert.NotEqual(t, IDRange{Policy: 2, Min: 20, Next: 20, Max: 20}, r, "policy 1's host probed in policy 2")
	}
}

// Without scheduled full pulls, a host that always fails makes every pull full; the new pull looks
// for the host at its page's first failure, as the last pull skipped it, so that after the first
// skip every poll completes instead of failing SkipAfter-1 polls in every SkipAfter.
func TestHostSkippedLastPullIsLookedForAtTheFirstFailure(t *testing.T) {
	ids := hostIDs(1, 1, 40)
	src := &flakyHosts{ids: ids, perPage: 10, failing: map[int64]int{23: -1}}
	run := newSkipRun()
	e := NewEngine("fake", Settings{Workers: 1, PageSize: 10, Retry: skipRetry(), Logger: run.logger})
	e.KeepSkipped = func(int64) {}
	gauge := NewGaugeCounting("fake", "hosts", NewHostCounts(nil), false, nil, run.logger)
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	poll := func() error {
		t.Helper()
		now = now.Add(time.Hour)
		if e.Rec.State.Current == nil {
			_, err := e.BeginDue(t.Context(), src, now, 0, gauge)
			require.NoError(t, err)
		}
		_, err := e.PullToEnd(t.Context(), &run.sinks, src, gauge)
		return err
	}
	for i := 1; i < DefaultSkipAfter; i++ {
		require.Error(t, poll(), "poll %d: the page has failed %d times", i, i)
	}
	require.NoError(t, poll())
	require.Equal(t, []int64{23}, e.Rec.State.LastSkipped)
	for i := 1; i <= 2*DefaultSkipAfter; i++ {
		require.NoError(t, poll(), "poll %d after the first skip", i)
		assert.Equal(t, []int64{23}, e.Rec.State.LastSkipped)
	}
}

// A failing host at the end of a bounded range has no span above it to probe: the hosts below it
// in the range are probed instead, so an outage that fails every answer with a host skips nothing,
// while one failing host is skipped once the hosts below it answer.
func TestProbeAsksBelowAHostAtTheEndOfItsRange(t *testing.T) {
	ids := []int64{1000, 1500, 1999}
	tests := []struct {
		name        string
		failing     map[int64]int
		wantSkipped []int64
		wantErr     string
	}{
		{name: "outage", failing: allFailing(ids), wantErr: "hosts from id 1999: probe for the hosts from id 1000: "},
		{name: "one failing host", failing: map[int64]int{1999: -1}, wantSkipped: []int64{1999}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := &flakyHosts{ids: ids, perPage: 10, failing: tc.failing}
			prog := &Progress{Ranges: []IDRange{{Min: 1000, Next: 1999, Max: 1999, Failing: &PageFailures{At: 1999, Times: DefaultSkipAfter - 1}}}}
			run := newSkipRun()

			err := run.pull(t, src, prog)

			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tc.wantSkipped, prog.Skipped)
			assert.True(t, slices.ContainsFunc(src.asked, func(r IDRange) bool {
				return r.Min == 1000 && r.Next == 1000 && r.Max == 1998
			}), "the span below was probed: %v", src.asked)
		})
	}
}
