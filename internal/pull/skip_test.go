// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package pull

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/seed-d80aa3af/qualysreceiver/internal/convert"
	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
)

// flakyHosts is a Source of the hosts ids (ascending), one record each, perPage hosts a page,
// honouring id_min (Next) and id_max (Max) as Qualys does. A page that holds a failing host fails:
// with damaged, after the hosts before it (an answer broken at that host); otherwise before any
// host (Qualys timed out on it). With outage every page fails.
type flakyHosts struct {
	ids     []int64
	perPage int
	// failing is, by host id, how many more pages holding it fail; negative: every one.
	failing map[int64]int
	damaged bool
	outage  bool
	// otherCall says a failure is that of a call other than the one carrying the page's hosts (a
	// policy list, a host id list).
	otherCall bool
	// onHost is told each host a page reads whole.
	onHost func(id int64)
	// asked is every span asked for.
	asked []IDRange
}

func (f *flakyHosts) Checks() []Check { return nil }

func (f *flakyHosts) Plan(context.Context, time.Time) (HostPlan, error) {
	return HostPlan{Ranges: []IDRange{{Min: f.ids[0], Next: f.ids[0]}}, Hosts: int64(len(f.ids))}, nil
}

func (f *flakyHosts) failure() error {
	if f.otherCall {
		return &qualys.Error{Endpoint: "policies", StatusCode: 503, Kind: qualys.KindTransient}
	}
	if f.damaged {
		return HostsAnswerFailed(qualys.ResponseError("host_detections", errors.New("XML syntax error")))
	}
	return HostsAnswerFailed(&qualys.Error{Endpoint: "host_detections", StatusCode: 504, Kind: qualys.KindTransient})
}

func (f *flakyHosts) Page(ctx context.Context, r IDRange, out *Batcher) (int64, bool, error) {
	f.asked = append(f.asked, r)
	var page []int64
	next := int64(0)
	for _, id := range f.ids {
		if id < r.Next || r.Max > 0 && id > r.Max {
			continue
		}
		if len(page) == f.perPage {
			next = id
			break
		}
		page = append(page, id)
	}
	failAt := int64(0)
	for _, id := range page {
		if n := f.failing[id]; n != 0 {
			if n > 0 {
				f.failing[id] = n - 1
			}
			failAt = id
			break
		}
	}
	if f.outage || failAt != 0 && !f.damaged {
		return 0, false, f.failure()
	}
	for _, id := range page {
		if id == failAt {
			return 0, false, f.failure()
		}
		out.StartHost(id, func(res pcommon.Resource) { res.Attributes().PutInt("host", id) })
		if _, err := out.AddRecord(ctx); err != nil {
			return 0, false, err
		}
		out.EndHost()
		if f.onHost != nil {
			f.onHost(id)
		}
	}
	return next, next == 0, nil
}

// hostSinks counts, by host, the records the consumer accepted.
type hostSinks struct {
	mu    sync.Mutex
	hosts map[int64]int
}

func (s *hostSinks) ConsumeLogs(_ context.Context, ld plog.Logs) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hosts == nil {
		s.hosts = map[int64]int{}
	}
	for _, rl := range ld.ResourceLogs().All() {
		id, _ := rl.Resource().Attributes().Get("host")
		s.hosts[id.Int()] += rl.ScopeLogs().At(0).LogRecords().Len()
	}
	return nil
}

func (*hostSinks) ConsumeMetrics(context.Context, pmetric.Metrics) error { return nil }

// skipTelemetry counts the hosts skipped.
type skipTelemetry struct {
	nopTelemetry
	skipped map[string]int
}

func (s *skipTelemetry) HostsSkipped(stream string, hosts int) {
	if s.skipped == nil {
		s.skipped = map[string]int{}
	}
	s.skipped[stream] += hosts
}

// skipRun is a pull of src's hosts as the workers pull it, a batch per page.
type skipRun struct {
	sinks     hostSinks
	telemetry skipTelemetry
	logs      *observer.ObservedLogs
	logger    *zap.Logger
}

func newSkipRun() *skipRun {
	core, logs := observer.New(zapcore.InfoLevel)
	return &skipRun{logs: logs, logger: zap.New(core)}
}

func skipRetry() configretry.BackOffConfig {
	retry := configretry.NewDefaultBackOffConfig()
	retry.InitialInterval, retry.MaxInterval, retry.MaxElapsedTime = time.Millisecond, 5*time.Millisecond, 10*time.Second
	return retry
}

// pull pulls prog from src once, as one poll does.
func (s *skipRun) pull(t *testing.T, src *flakyHosts, prog *Progress) error {
	c := NewConsumer(&s.sinks, "fake", skipRetry(), qualys.WallClock, s.logger, nil)
	w := &Workers{
		Stream: "fake", Pull: prog, Save: func(context.Context) {}, Workers: 1, Retry: skipRetry(), PageSize: src.perPage,
		NewBatcher: func() *Batcher { return NewBatcher(c, 1000, convert.Source{}) },
		Page:       src.Page, Logger: s.logger, Telemetry: &s.telemetry, Clock: qualys.WallClock,
	}
	_, err := w.Run(t.Context())
	return err
}

// hostIDs are the ids from first, step apart, n of them.
func hostIDs(first, step int64, n int) []int64 {
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = first + int64(i)*step
	}
	return ids
}

// assertPulledOnce checks that every host of ids but skipped was accepted once, and skipped never.
func assertPulledOnce(t *testing.T, sinks *hostSinks, ids, skipped []int64) {
	t.Helper()
	want := map[int64]int{}
	for _, id := range ids {
		want[id] = 1
	}
	for _, id := range skipped {
		delete(want, id)
	}
	assert.Equal(t, want, sinks.hosts, "records accepted, by host")
}

// The skip rules, one host failing in each way: a host whose every page fails is found and
// skipped, wherever it is in its range, and everything else is pulled once; a host that recovers
// is not skipped, nor are the hosts of a page that fails whole but passes in parts; when every page
// fails, Qualys is down, not one host, and nothing is skipped.
func TestSkipFailingHost(t *testing.T) {
	sparse := hostIDs(1000, 7, 40) // 1000 to 1273
	tests := []struct {
		name    string
		ids     []int64
		ranges  []IDRange
		failing map[int64]int
		damaged bool
		outage  bool
		// wantErr: the poll fails; wantSkipped: the hosts skipped.
		wantErr     bool
		wantSkipped []int64
		// maxAsked bounds the pages and spans asked for.
		maxAsked int
	}{
		{name: "a host whose answer is always damaged", ids: hostIDs(1, 1, 40), failing: map[int64]int{23: -1}, damaged: true,
			wantSkipped: []int64{23}, maxAsked: 14},
		{name: "a host that fails twice, then passes, is not skipped", ids: hostIDs(1, 1, 40), failing: map[int64]int{23: 2},
			damaged: true, maxAsked: 6},
		{name: "a host that fails three times, then passes, is pulled during the search", ids: hostIDs(1, 1, 40),
			failing: map[int64]int{23: 3}, damaged: true, maxAsked: 12},
		{name: "a failing host in the middle of a range, ids apart", ids: sparse,
			ranges: []IDRange{{Min: 1000, Next: 1000, Max: 1273}}, failing: map[int64]int{1161: -1}, damaged: true,
			wantSkipped: []int64{1161}, maxAsked: 20},
		{name: "a failing host first in its range", ids: sparse, ranges: []IDRange{
			{Min: 1000, Next: 1000, Max: 1133}, {Min: 1140, Next: 1140, Max: 1273},
		}, failing: map[int64]int{1140: -1}, damaged: true, wantSkipped: []int64{1140}, maxAsked: 10},
		{name: "a failing host last in its range, alone on its page", ids: hostIDs(1, 1, 40), ranges: []IDRange{
			{Min: 1, Next: 1, Max: 21}, {Min: 22, Next: 22, Max: 40},
		}, failing: map[int64]int{21: -1}, damaged: true, wantSkipped: []int64{21}, maxAsked: 10},
		{name: "two failing hosts on one page", ids: hostIDs(1, 1, 40), failing: map[int64]int{23: -1, 26: -1}, damaged: true,
			wantSkipped: []int64{23, 26}, maxAsked: 20},
		{name: "two failing hosts side by side, first on their page", ids: hostIDs(1, 1, 40), failing: map[int64]int{21: -1, 22: -1},
			damaged: true, wantSkipped: []int64{21, 22}, maxAsked: 20},
		{name: "every page fails: nothing skipped", ids: hostIDs(1, 1, 40), outage: true, damaged: true,
			wantErr: true, maxAsked: 10},
		{name: "every answer holding a host fails, empty spans answer: nothing skipped", ids: sparse,
			failing: allFailing(sparse), damaged: true, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := &flakyHosts{ids: tc.ids, perPage: 10, failing: tc.failing, damaged: tc.damaged, outage: tc.outage}
			ranges := tc.ranges
			if ranges == nil {
				ranges = []IDRange{{Min: tc.ids[0], Next: tc.ids[0]}}
			}
			prog := &Progress{Full: true, Ranges: ranges}
			run := newSkipRun()

			err := run.pull(t, src, prog)

			if tc.wantErr {
				require.Error(t, err)
				assert.Empty(t, prog.Skipped)
				assert.Empty(t, run.telemetry.skipped)
				assert.Zero(t, run.logs.FilterMessageSnippet("Host skipped").Len())
				assert.Equal(t, 1, run.logs.FilterMessageSnippet("pulling it in smaller id spans").Len(), "the search ran")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.wantSkipped, prog.Skipped, "hosts skipped")
			assertPulledOnce(t, &run.sinks, tc.ids, tc.wantSkipped)
			for _, r := range prog.Ranges {
				assert.True(t, r.Done, "every range pulled to its end")
			}
			assert.LessOrEqual(t, len(src.asked), tc.maxAsked, "pages and spans asked for: %v", src.asked)
			lines := run.logs.FilterMessageSnippet("Host skipped for this pull").All()
			require.Len(t, lines, len(tc.wantSkipped))
			for i, line := range lines {
				assert.Equal(t, zapcore.ErrorLevel, line.Level)
				assert.Equal(t, []any{tc.wantSkipped[i]}, line.ContextMap()["host_ids"])
				assert.Contains(t, line.ContextMap()["error"], "XML syntax error", "the Qualys error")
			}
			if len(tc.wantSkipped) > 0 {
				assert.Equal(t, map[string]int{"fake": len(tc.wantSkipped)}, run.telemetry.skipped)
			} else {
				assert.Empty(t, run.telemetry.skipped)
			}
		})
	}
}

// A page Qualys times out on ends the poll, which the scheduler tries again from the checkpoint:
// the failures of successive polls add up in the checkpointed range, and the third poll in a row
// that fails on the same page finds and skips the host.
func TestSkipCountsFailuresAcrossPolls(t *testing.T) {
	ids := hostIDs(1, 1, 40)
	src := &flakyHosts{ids: ids, perPage: 10, failing: map[int64]int{23: -1}}
	prog := &Progress{Full: true, Ranges: []IDRange{{Min: 1, Next: 1}}}
	run := newSkipRun()
	for poll := 1; poll < DefaultSkipAfter; poll++ {
		err := run.pull(t, src, prog)
		require.Error(t, err, "poll %d", poll)
		assert.False(t, qualys.IsCutOff(err))
		// Through the checkpoint, as a restart between polls would read it.
		data, err := json.Marshal(prog)
		require.NoError(t, err)
		prog = &Progress{}
		require.NoError(t, json.Unmarshal(data, prog))
		assert.Equal(t, &PageFailures{At: 21, Times: poll}, prog.Ranges[0].Failing)
	}
	require.NoError(t, run.pull(t, src, prog))
	assert.Equal(t, []int64{23}, prog.Skipped)
	assert.Nil(t, prog.Ranges[0].Failing)
	assertPulledOnce(t, &run.sinks, ids, []int64{23})
	assert.Contains(t, run.logs.FilterMessageSnippet("Host skipped").All()[0].ContextMap()["error"], "HTTP 504")
}

// A skipped host's gauge counts stay as last seen when the full pull that skipped it completes,
// instead of dropping out as gone from the tenant; the next full pull asks for it again and pulls
// it.
func TestSkippedHostKeepsItsCountsAndIsPulledNextTime(t *testing.T) {
	ids := hostIDs(1, 1, 40)
	counts := NewHostCounts(nil)
	src := &flakyHosts{ids: ids, perPage: 10, damaged: true, onHost: func(id int64) { counts.Set(id, map[uint32]int{1: 1}) }}
	e := NewEngine("fake", Settings{Workers: 1, PageSize: 10, BatchRecords: 1000, Retry: skipRetry()})
	e.KeepSkipped = counts.Keep
	fullPull := func() (*Progress, *hostSinks) {
		t.Helper()
		p, err := e.Plan(t.Context(), src, time.Time{}, time.Now())
		require.NoError(t, err)
		e.Rec.Begin(t.Context(), p)
		counts.BeginFull()
		sinks := &hostSinks{}
		_, err = e.Pull(t.Context(), sinks, src)
		require.NoError(t, err)
		counts.EndFull()
		pulled := e.Rec.State.Current
		e.Rec.Complete(t.Context(), true)
		return pulled, sinks
	}
	total := func() int64 {
		var n int64
		counts.Each(func(_ uint32, v int64) { n += v })
		return n
	}
	fullPull()
	require.Equal(t, int64(40), total())

	src.failing = map[int64]int{23: -1}
	pulled, sinks := fullPull()
	assert.Equal(t, []int64{23}, pulled.Skipped)
	assertPulledOnce(t, sinks, ids, []int64{23})
	assert.Equal(t, int64(40), total(), "the skipped host keeps its counts")
	assert.Equal(t, map[uint32]int{1: 1}, counts.Of(23))

	src.failing = nil
	pulled, sinks = fullPull()
	assert.Empty(t, pulled.Skipped)
	assertPulledOnce(t, sinks, ids, nil)
	assert.Equal(t, int64(40), total())

	// A stream without KeepSkipped (one that cannot keep a host's counts) skips nothing: the pull
	// fails on the page, as it did before hosts were skipped, and the counts stay as they were.
	e.KeepSkipped = nil
	src.failing = map[int64]int{23: -1}
	p, err := e.Plan(t.Context(), src, time.Time{}, time.Now())
	require.NoError(t, err)
	e.Rec.Begin(t.Context(), p)
	counts.BeginFull()
	// Within one pull the damaged page is pulled again until the retries run out, more than
	// DefaultSkipAfter times.
	e.Retry.MaxElapsedTime = 100 * time.Millisecond
	src.asked = nil
	_, err = e.Pull(t.Context(), &hostSinks{}, src)
	require.Error(t, err)
	assert.Greater(t, len(src.asked), DefaultSkipAfter)
	assert.Empty(t, e.Rec.State.Current.Skipped)
	assert.Equal(t, map[uint32]int{1: 1}, counts.Of(23))
}
