// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/seed-d80aa3af/qualysreceiver/internal/checkpoint"
	"github.com/seed-d80aa3af/qualysreceiver/internal/pull"
	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
)

// fakeHosts is a source of hosts 1 to last, one record each, perPage hosts a page. A page that
// reaches host failAt fails there with failErr, failures times.
type fakeHosts struct {
	last, perPage, failAt int64
	failErr               error
	failures              int
	// asked is the id_min of every page asked for.
	asked []int64
}

func (f *fakeHosts) Checks() []pull.Check { return nil }

// Plan is one range of every host.
func (f *fakeHosts) Plan(context.Context, time.Time) (pull.HostPlan, error) {
	return pull.HostPlan{Ranges: []pull.IDRange{{Min: 1, Next: 1}}, Hosts: f.last}, nil
}

func (f *fakeHosts) Page(ctx context.Context, r pull.IDRange, out *pull.Batcher) (int64, bool, error) {
	f.asked = append(f.asked, r.Next)
	id := r.Next
	for n := int64(0); n < f.perPage && id <= f.last; n, id = n+1, id+1 {
		if id == f.failAt && f.failures > 0 {
			f.failures--
			return 0, false, f.failErr
		}
		out.StartHost(id, func(res pcommon.Resource) { res.Attributes().PutInt("host", id) })
		if _, err := out.AddRecord(ctx); err != nil {
			return 0, false, err
		}
		out.EndHost()
	}
	return id, id > f.last, nil
}

// cancellingSinks accepts n batches, then stops the poll as a shutdown would.
type cancellingSinks struct {
	testSinks
	n      int
	cancel context.CancelFunc
}

func (s *cancellingSinks) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	if s.n == 0 {
		s.cancel()
		return ctx.Err()
	}
	s.n--
	return s.testSinks.ConsumeLogs(ctx, ld)
}

// Each rule of the checkpoint record, against a source of ten hosts, one a batch: a pull that
// completes moves the cursor; one stopped or failed part way keeps its position past what the
// consumer accepted, never past what it did not; a saved position is resumed; a cut-off page is
// pulled again from there; a record written under other filters, or unreadable, is not used.
func TestCheckpointRules(t *testing.T) {
	began := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	earlier := began.Add(-24 * time.Hour)
	inProgress := func(next int64) *streamState {
		return &streamState{Cursor: earlier, LastFullSync: earlier, Selection: "sel",
			Current: &pull.Progress{Cursor: began.Add(-time.Hour), Full: false, Ranges: []pull.IDRange{{Min: 1, Next: next}}}}
	}
	cutOff := qualys.ResponseError("fake", errors.New("unexpected EOF"))
	transient := &qualys.Error{Endpoint: "fake", Kind: qualys.KindTransient, Err: errors.New("503")}
	tests := []struct {
		name      string
		saved     *streamState
		raw       []byte // stored as is instead of saved
		selection string
		source    fakeHosts
		// accept is how many batches the consumer accepts before a shutdown; -1 all.
		accept int
		// wantErr is the poll's error; wantNext and wantDone the range in the record after it.
		wantErr    error
		wantNext   int64
		wantDone   bool
		wantAsked  []int64
		wantCursor time.Time
	}{
		{name: "a completed pull moves the cursor", accept: -1, wantDone: true,
			wantAsked: []int64{1, 5, 9}, wantCursor: began},
		{name: "resume from the saved position", saved: inProgress(7), accept: -1, wantDone: true,
			wantAsked: []int64{7}, wantCursor: began.Add(-time.Hour)},
		{name: "stop keeps the position past what was accepted", accept: 3, wantErr: context.Canceled,
			wantNext: 4, wantAsked: []int64{1}, wantCursor: time.Time{}},
		{name: "a failed page keeps the position past what was accepted", source: fakeHosts{failAt: 6, failures: 1, failErr: transient},
			accept: -1, wantErr: transient, wantNext: 5, wantAsked: []int64{1, 5}},
		{name: "a cut-off page is pulled again from the last accepted host", source: fakeHosts{failAt: 6, failures: 1, failErr: cutOff},
			accept: -1, wantDone: true, wantAsked: []int64{1, 5, 5, 9}, wantCursor: began},
		{name: "a filter change drops the record", saved: inProgress(7), selection: "other", accept: -1, wantDone: true,
			wantAsked: []int64{1, 5, 9}, wantCursor: began},
		{name: "an unreadable record is dropped", raw: []byte("{not json"), accept: -1, wantDone: true,
			wantAsked: []int64{1, 5, 9}, wantCursor: began},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			disk := newMapStorage()
			switch {
			case tc.raw != nil:
				disk.data["qualys/checkpoint/fake"] = tc.raw
			case tc.saved != nil:
				require.NoError(t, checkpoint.New(disk).Save(t.Context(), "fake", tc.saved))
			}
			retry := testRetry()
			r := pull.NewEngine("fake", pull.Settings{Store: checkpoint.New(disk), Workers: 1, BatchRecords: 1, Retry: retry})
			r.Rec.Selection = "sel"
			if tc.selection != "" {
				r.Rec.Selection = tc.selection
			}
			src := tc.source
			src.last, src.perPage = 10, 4
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			sinks := &cancellingSinks{n: tc.accept, cancel: cancel}
			if tc.accept < 0 {
				sinks.n = 1 << 30
			}

			r.Rec.Load(ctx)
			if r.Rec.State.Current == nil {
				r.Rec.Begin(ctx, pull.Progress{Cursor: began, Full: true, Ranges: []pull.IDRange{{Min: 1, Next: 1}}})
			}
			_, err := r.Pull(ctx, sinks, &src)
			if err == nil {
				r.Rec.Complete(ctx, true)
			}

			require.ErrorIs(t, err, tc.wantErr)
			assert.Equal(t, tc.wantAsked, src.asked, "pages asked for, by id_min")
			var st streamState
			found, lerr := checkpoint.New(disk).Load(t.Context(), "fake", &st)
			require.NoError(t, lerr)
			require.True(t, found)
			assert.Equal(t, tc.wantCursor, st.Cursor, "cursor")
			if tc.wantDone {
				assert.Nil(t, st.Current, "the pull completed")
				return
			}
			require.NotNil(t, st.Current)
			assert.Equal(t, tc.wantNext, st.Current.Ranges[0].Next, "the first host not accepted")
			assert.False(t, st.Current.Ranges[0].Done)
		})
	}
}
