// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package pull

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// allFailing has every one of ids fail every page that holds it.
func allFailing(ids []int64) map[int64]int {
	m := make(map[int64]int, len(ids))
	for _, id := range ids {
		m[id] = -1
	}
	return m
}

// Only a failure of the answer that carries a page's hosts counts towards a skip: when another
// call of the page fails (a policy list, a host id list), Qualys is failing, not a host, and every
// poll fails as before, with no search and nothing skipped.
func TestSkipCountsOnlyFailuresOfTheHostsAnswer(t *testing.T) {
	ids := hostIDs(1, 1, 40)
	src := &flakyHosts{ids: ids, perPage: 10, outage: true, otherCall: true}
	prog := &Progress{Full: true, Ranges: []IDRange{{Min: 1, Next: 1}}}
	run := newSkipRun()
	for poll := 1; poll <= 2*DefaultSkipAfter; poll++ {
		err := run.pull(t, src, prog)
		require.Error(t, err, "poll %d", poll)
		assert.Contains(t, err.Error(), "policies: HTTP 503")
		assert.Nil(t, prog.Ranges[0].Failing, "poll %d: not counted as the page's failure", poll)
	}
	assert.Empty(t, prog.Skipped)
	assert.Zero(t, run.logs.FilterMessageSnippet("pulling it in smaller id spans").Len())
	assert.Len(t, src.asked, 2*DefaultSkipAfter, "one page a poll")
}

// A Qualys that fails every answer holding a host but answers empty spans has every page fail:
// the empty spans prove nothing, and the probe before the skip asks for hosts and fails, so the
// poll fails naming both the host and the probe, and nothing is skipped.
func TestSkipNeedsAnAnswerHoldingAHost(t *testing.T) {
	sparse := hostIDs(1000, 7, 40)
	src := &flakyHosts{ids: sparse, perPage: 10, failing: allFailing(sparse), damaged: true}
	prog := &Progress{Full: true, Ranges: []IDRange{{Min: 1000, Next: 1000}}}
	run := newSkipRun()

	err := run.pull(t, src, prog)

	require.Error(t, err)
	assert.Contains(t, err.Error(), "hosts from id 1000: probe for the hosts from id 1001: ")
	assert.Contains(t, err.Error(), "XML syntax error")
	assert.Empty(t, prog.Skipped)
	assert.Empty(t, run.sinks.hosts)
	assert.LessOrEqual(t, len(src.asked), 6, "pages and spans asked for: %v", src.asked)
}

// loneHosts is flakyHosts for a HostProber that names no other host (each host alone in its
// range), or fails to name one with err.
type loneHosts struct {
	*flakyHosts
	err error
}

func (l *loneHosts) ProbeHost(IDRange, int64, func(int64) bool) (int64, bool, error) {
	return 0, false, l.err
}

var _ HostProber = (*loneHosts)(nil)

// A host alone in its range is skipped without a probe, but a second such host is skipped only
// when an answer holding a host passed since the first skip: otherwise Qualys may be failing every
// page, and the poll fails. A HostProber that cannot name a host to probe fails the poll.
func TestUnprovenSkipNeedsAnAnswerSinceTheLastSkip(t *testing.T) {
	ranges := func() []IDRange {
		return []IDRange{{Min: 1000, Next: 1000, Max: 1999}, {Min: 2000, Next: 2000, Max: 2999}}
	}
	tests := []struct {
		name        string
		ids         []int64
		proberErr   error
		wantSkipped []int64
		wantErr     string
	}{
		{name: "two lone hosts fail, nothing passes between", ids: []int64{1000, 2000},
			wantSkipped: []int64{1000}, wantErr: "hosts from id 2000: a second host fails"},
		{name: "two lone hosts fail, a host passes between", ids: []int64{1000, 1500, 2000},
			wantSkipped: []int64{1000, 2000}},
		{name: "the prober cannot name a host", ids: []int64{1000, 1500}, proberErr: errors.New("no host list"),
			wantErr: "hosts from id 1000: no host list"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			failing := map[int64]int{1000: -1, 2000: -1}
			src := &loneHosts{flakyHosts: &flakyHosts{ids: tc.ids, perPage: 10, failing: failing, damaged: true}, err: tc.proberErr}
			prog := &Progress{Full: true, Ranges: ranges()}
			run := newSkipRun()
			e := NewEngine("fake", Settings{Workers: 1, PageSize: 10, Retry: skipRetry(), Logger: run.logger})
			e.KeepSkipped = func(int64) {}
			e.Rec.State.Current = prog

			_, err := e.Pull(context.Background(), &run.sinks, src)

			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tc.wantSkipped, prog.Skipped)
		})
	}
}

// A skipped host is asked for again by the next full pull. A stream without scheduled full pulls
// (full_sync_interval 0) makes the pull after one that skipped hosts a full one; with them, the
// pulls in between stay incremental.
func TestSkippedHostsMakeTheNextPullFullWithoutScheduledFullPulls(t *testing.T) {
	ids := hostIDs(1, 1, 40)
	for _, every := range []time.Duration{0, 24 * time.Hour} {
		src := &flakyHosts{ids: ids, perPage: 10, failing: map[int64]int{23: -1}, damaged: true}
		run := newSkipRun()
		e := NewEngine("fake", Settings{Workers: 1, PageSize: 10, Retry: skipRetry(), Logger: run.logger})
		e.KeepSkipped = func(int64) {}
		gauge := NewGaugeCounting("fake", "hosts", NewHostCounts(nil), false, nil, run.logger)
		now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
		poll := func() (since time.Time, pulled *Progress) {
			t.Helper()
			now = now.Add(time.Hour)
			since, err := e.BeginDue(t.Context(), src, now, every, gauge)
			require.NoError(t, err)
			pulled = e.Rec.State.Current
			_, err = e.PullToEnd(t.Context(), &run.sinks, src, gauge)
			require.NoError(t, err)
			return since, pulled
		}
		since, pulled := poll()
		require.True(t, since.IsZero())
		require.Equal(t, []int64{23}, pulled.Skipped)

		src.failing = nil
		run.sinks = hostSinks{}
		since, pulled = poll()
		if every > 0 {
			assert.False(t, since.IsZero(), "every %v: a full pull is scheduled; this one is incremental", every)
			continue
		}
		assert.True(t, since.IsZero(), "no full pull scheduled: the pull after a skip is full")
		assert.True(t, pulled.Full)
		assert.Equal(t, 1, run.sinks.hosts[23], "the skipped host is asked for again")
		assert.Equal(t, 1, run.logs.FilterMessageSnippet("this pull is a full one").Len())

		since, _ = poll()
		assert.False(t, since.IsZero(), "a pull that skipped nothing leaves the next one incremental")
	}
}

// A failing host with no other host to probe (the only host an incremental pull has left) is
// skipped: the probe of the span above it answers empty, which proves nothing either way, and a
// first skip may go unproven.
func TestLoneFailingHostIsSkipped(t *testing.T) {
	ids := []int64{1000, 1007}
	src := &flakyHosts{ids: ids, perPage: 10, failing: map[int64]int{1007: -1}, damaged: true}
	prog := &Progress{Ranges: []IDRange{{Min: 1007, Next: 1007}}}
	run := newSkipRun()

	require.NoError(t, run.pull(t, src, prog))

	assert.Equal(t, []int64{1007}, prog.Skipped)
	assert.True(t, slices.ContainsFunc(src.asked, func(r IDRange) bool {
		return r.Next == 1008 && r.Max == 0
	}), "the span above was probed: %v", src.asked)
}
