// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package pull

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/storagetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.uber.org/zap"

	"github.com/seed-d80aa3af/qualysreceiver/internal/checkpoint"
	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
)

// fakeHosts is a Source of hosts 1 to last, one record each, perPage hosts a page; with policies,
// of hosts 1 to last of each policy, a range per policy, as the compliance stream pulls. A page
// that reaches host failAt fails there with failErr, failures times.
type fakeHosts struct {
	last, perPage, failAt int64
	failErr               error
	failures              int
	policies              []int64
	// serverTime is when the host id list was read.
	serverTime time.Time
	// asked is where every page asked for began: its policy*1000 + its id_min.
	asked []int64
}

func (f *fakeHosts) Checks() []Check { return nil }

// Plan is one range of every host, or one range of every host per policy.
func (f *fakeHosts) Plan(context.Context, time.Time) (HostPlan, error) {
	if f.policies != nil {
		plan := HostPlan{ServerTime: f.serverTime}
		for _, p := range f.policies {
			plan.Ranges = append(plan.Ranges, IDRange{Policy: p, Min: 1, Next: 1})
		}
		return plan, nil
	}
	return HostPlan{Ranges: []IDRange{{Min: 1, Next: 1}}, Hosts: f.last, ServerTime: f.serverTime}, nil
}

func (f *fakeHosts) Page(ctx context.Context, r IDRange, out *Batcher) (int64, bool, error) {
	f.asked = append(f.asked, r.Policy*1000+r.Next)
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

// acceptingSinks accepts n batches, then stops the poll as a shutdown would.
type acceptingSinks struct {
	n      int
	cancel context.CancelFunc
}

func (s *acceptingSinks) ConsumeLogs(ctx context.Context, _ plog.Logs) error {
	if s.n == 0 {
		s.cancel()
		return ctx.Err()
	}
	s.n--
	return nil
}

func (s *acceptingSinks) ConsumeMetrics(context.Context, pmetric.Metrics) error { return nil }

type hostsRecord = Record[Progress, GaugeRecord]

// Each rule of the checkpoint record, against a source of ten hosts, one a batch, pulled as a
// stream pulls with a gauge: a pull that completes moves the cursor; one stopped or failed part
// way keeps its position past what the consumer accepted, never past what it did not; a saved
// position is resumed; a cut-off page is pulled again from there; a record written under other
// filters, or unreadable, is not used; a record of the former layout, with its gauge counts under
// a second key, is resumed with those counts and migrated into one record. The same rules hold
// for a pull of a range per policy (compliance's): it resumes at the policy and host where it
// stopped, also from the layout compliance had before the engine pulled it; a pull planned on
// another API starts over.
func TestCheckpointRules(t *testing.T) {
	began := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	earlier := began.Add(-24 * time.Hour)
	inProgress := func(next int64, full bool) *hostsRecord {
		return &hostsRecord{Cursor: earlier, LastFullSync: earlier, Selection: "sel",
			Current: &Progress{Cursor: began.Add(-time.Hour), Full: full, Ranges: []IDRange{{Min: 1, Next: next}}}}
	}
	cutOff := qualys.ResponseError("fake", errors.New("unexpected EOF"))
	transient := &qualys.Error{Endpoint: "fake", Kind: qualys.KindTransient, Err: errors.New("503")}
	tests := []struct {
		name  string
		saved *hostsRecord
		raw   []byte // stored as is instead of saved
		// former is stored instead of saved: a compliance record of the layout before the engine
		// pulled compliance, its position a policy index and a host.
		former    *Record[formerComplianceProgress, GaugeRecord]
		formerKey bool // gauge counts of saved's (or former's) pull under the former second key
		// counts puts the gauge counts of saved's pull in its record: "json" inside the record's
		// JSON (the layout of earlier receivers), "attached" after it.
		counts    string
		selection string
		source    fakeHosts
		// accept is how many batches the consumer accepts before a shutdown; -1 all.
		accept int
		// wantErr is the poll's error; wantNext and wantDone the range in the record after it (the
		// range wantRange, for a pull of several).
		wantErr      error
		wantRange    int
		wantNext     int64
		wantDone     bool
		wantAsked    []int64
		wantCursor   time.Time
		wantBaseline bool
	}{
		{name: "a completed pull moves the cursor", accept: -1, wantDone: true,
			wantAsked: []int64{1, 5, 9}, wantCursor: began, wantBaseline: true},
		{name: "resume from the saved position", saved: inProgress(7, false), accept: -1, wantDone: true,
			wantAsked: []int64{7}, wantCursor: began.Add(-time.Hour)},
		{name: "stop keeps the position past what was accepted", accept: 3, wantErr: context.Canceled,
			wantNext: 4, wantAsked: []int64{1}, wantCursor: time.Time{}},
		{name: "a failed page keeps the position past what was accepted", source: fakeHosts{failAt: 6, failures: 1, failErr: transient},
			accept: -1, wantErr: transient, wantNext: 5, wantAsked: []int64{1, 5}},
		{name: "a cut-off page is pulled again from the last accepted host", source: fakeHosts{failAt: 6, failures: 1, failErr: cutOff},
			accept: -1, wantDone: true, wantAsked: []int64{1, 5, 5, 9}, wantCursor: began, wantBaseline: true},
		{name: "a filter change drops the record", saved: inProgress(7, false), selection: "other", accept: -1, wantDone: true,
			wantAsked: []int64{1, 5, 9}, wantCursor: began, wantBaseline: true},
		{name: "an unreadable record is dropped", raw: []byte("{not json"), accept: -1, wantDone: true,
			wantAsked: []int64{1, 5, 9}, wantCursor: began, wantBaseline: true},
		{name: "a record of the former layout is resumed and migrated", saved: inProgress(7, true), formerKey: true, accept: -1,
			wantDone: true, wantAsked: []int64{7}, wantCursor: began.Add(-time.Hour), wantBaseline: true},
		{name: "a range per policy: a completed pull pulls each policy's hosts", source: fakeHosts{policies: []int64{1, 2}}, accept: -1,
			wantDone: true, wantAsked: []int64{1001, 1005, 1009, 2001, 2005, 2009}, wantCursor: began, wantBaseline: true},
		{name: "a range per policy: a stop keeps the policy and host past what was accepted", source: fakeHosts{policies: []int64{1, 2}},
			accept: 13, wantErr: context.Canceled, wantRange: 1, wantNext: 4, wantAsked: []int64{1001, 1005, 1009, 2001}},
		{name: "a range per policy: resume at the saved policy and host", saved: inPolicies(7), source: fakeHosts{policies: []int64{1, 2}},
			accept: -1, wantDone: true, wantAsked: []int64{2007}, wantCursor: began.Add(-time.Hour)},
		{name: "a compliance record of the former layout is resumed at its policy and host, with its counts",
			former: formerPolicies(began.Add(-time.Hour), 7), formerKey: true, source: fakeHosts{policies: []int64{1, 2}}, accept: -1,
			wantDone: true, wantAsked: []int64{2007}, wantCursor: began.Add(-time.Hour), wantBaseline: true},
		{name: "a pull planned on another API starts over", saved: onAPI(inProgress(7, false), "classic"), accept: -1, wantDone: true,
			wantAsked: []int64{1, 5, 9}, wantCursor: began, wantBaseline: true},
		{name: "a full pull resumed without its counts is not counted whole", saved: inProgress(7, true), accept: -1,
			wantDone: true, wantAsked: []int64{7}, wantCursor: began.Add(-time.Hour)},
		{name: "a record with its counts inside its JSON is resumed with them", saved: inProgress(7, true), counts: "json", accept: -1,
			wantDone: true, wantAsked: []int64{7}, wantCursor: began.Add(-time.Hour), wantBaseline: true},
		{name: "a record with its counts attached is resumed with them", saved: inProgress(7, true), counts: "attached", accept: -1,
			wantDone: true, wantAsked: []int64{7}, wantCursor: began.Add(-time.Hour), wantBaseline: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			disk := storagetest.NewInMemoryClient(component.KindReceiver, component.MustNewID("qualys"), "checkpoint_rules")
			switch {
			case tc.raw != nil:
				require.NoError(t, disk.Set(t.Context(), "qualys/checkpoint/fake", tc.raw))
			case tc.counts == "json":
				tc.saved.Gauge = &GaugeRecord{Counts: countedBefore(tc.saved.Current.Ranges[0].Next)}
				require.NoError(t, checkpoint.New(disk).Save(t.Context(), "fake", tc.saved))
			case tc.counts == "attached":
				tc.saved.Gauge = &GaugeRecord{}
				require.NoError(t, checkpoint.New(disk).SaveWith(t.Context(), "fake", tc.saved, func(buf []byte) []byte {
					return append(buf, countedBefore(tc.saved.Current.Ranges[0].Next)...)
				}))
			case tc.saved != nil:
				require.NoError(t, checkpoint.New(disk).Save(t.Context(), "fake", tc.saved))
			case tc.former != nil:
				require.NoError(t, checkpoint.New(disk).Save(t.Context(), "fake", tc.former))
			}
			switch {
			case tc.formerKey && tc.former != nil:
				// The ten hosts of the first policy were counted; the counts are by host id, so
				// second policy's hosts below NextHost are among them.
				cur := tc.former.Current
				saveFormerCounts(t, checkpoint.New(disk), cur.Cursor, PositionOf(cur), 11)
			case tc.formerKey:
				cur := tc.saved.Current
				saveFormerCounts(t, checkpoint.New(disk), cur.Cursor, PositionOf(cur), cur.Ranges[0].Next)
			}
			src := tc.source
			src.last, src.perPage, src.serverTime = 10, 4, began
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			sinks := &acceptingSinks{n: tc.accept, cancel: cancel}
			if tc.accept < 0 {
				sinks.n = 1 << 30
			}

			err := pullAsAStream(ctx, checkpoint.New(disk), cmpOr(tc.selection, "sel"), &src, sinks, began)

			require.ErrorIs(t, err, tc.wantErr)
			assert.Equal(t, tc.wantAsked, src.asked, "pages asked for, by id_min")
			var st hostsRecord
			found, lerr := checkpoint.New(disk).Load(t.Context(), "fake", &st)
			require.NoError(t, lerr)
			require.True(t, found)
			assert.Equal(t, tc.wantCursor, st.Cursor, "cursor")
			second, gerr := disk.Get(t.Context(), "qualys/checkpoint/fake.counts")
			require.NoError(t, gerr)
			assert.Nil(t, second, "no second key")
			if tc.wantDone {
				assert.Nil(t, st.Current, "the pull completed")
				if !tc.wantBaseline {
					assert.Nil(t, st.Gauge, "no counts a restart could use")
					return
				}
				require.NotNil(t, st.Gauge, "the gauge counts are in the record")
				assert.True(t, st.Gauge.Baseline, "the counts cover every host")
				return
			}
			require.NotNil(t, st.Current)
			assert.Equal(t, tc.wantNext, st.Current.Ranges[tc.wantRange].Next, "the first host not accepted")
			assert.False(t, st.Current.Ranges[tc.wantRange].Done)
			for _, r := range st.Current.Ranges[:tc.wantRange] {
				assert.True(t, r.Done, "the ranges before it are done")
			}
		})
	}
}

// pullAsAStream is one poll of a stream with a gauge: load the record, plan a full pull when none
// is in progress, pull it from src, complete it.
func pullAsAStream(ctx context.Context, store *checkpoint.Store, selection string, src Source, sinks Sinks, began time.Time) error {
	retry := configretry.NewDefaultBackOffConfig()
	retry.InitialInterval, retry.MaxInterval, retry.MaxElapsedTime = 10*time.Millisecond, 50*time.Millisecond, 500*time.Millisecond
	e := NewEngine("fake", Settings{Store: store, Workers: 1, BatchRecords: 1, Retry: retry})
	gauge := NewGaugeCounting("fake", "host", NewHostCounts(nil), true, store, zap.NewNop())
	e.Rec.Selection, e.Rec.Gauge = selection, gauge
	e.Rec.Load(ctx)
	gauge.Load(ctx, e.Rec.State.Gauge, e.Rec.State.Cursor, RefOf(e.Rec.State.Current))
	if e.Rec.State.Current == nil {
		p, err := e.Plan(ctx, src, time.Time{}, began)
		if err != nil {
			return err
		}
		gauge.BeginFull()
		e.Rec.Begin(ctx, p)
	}
	full := e.Rec.State.Current.Full
	if _, err := e.Pull(ctx, sinks, src); err != nil {
		e.Rec.Save(ctx)
		return err
	}
	e.Rec.Complete(ctx, gauge.Completed(full))
	return nil
}

// saveFormerCounts writes, under the second key of the former layout, the counts of the full pull
// that began at asOf counted from its start up to host next, tagged with its position.
func saveFormerCounts(t *testing.T, store *checkpoint.Store, asOf time.Time, position string, next int64) {
	former := countsCheckpoint{AsOf: asOf, Position: position, Counts: countedBefore(next)}
	require.NoError(t, store.Save(t.Context(), "fake.counts", &former))
}

// countedBefore is the encoded counts of a full pull counted from its start up to host next.
func countedBefore(next int64) []byte {
	counts := NewHostCounts(nil)
	counts.BeginFull()
	for id := int64(1); id < next; id++ {
		counts.Set(id, map[uint32]int{1: 1})
	}
	return counts.Marshal()
}

// inPolicies is an incremental pull of policies 1 and 2, stopped at host next of policy 2.
func inPolicies(next int64) *hostsRecord {
	began := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	earlier := began.Add(-24 * time.Hour)
	return &hostsRecord{Cursor: earlier, LastFullSync: earlier, Selection: "sel", Current: &Progress{Cursor: began.Add(-time.Hour),
		Ranges: []IDRange{{Policy: 1, Min: 1, Next: 1, Done: true}, {Policy: 2, Min: 1, Next: next}}}}
}

// formerComplianceProgress is the pull in progress as the compliance stream checkpointed it
// before the engine pulled compliance (its Progress then, field for field).
type formerComplianceProgress struct {
	Cursor   time.Time `json:"cursor"`
	Full     bool      `json:"full"`
	API      string    `json:"api"`
	Policies []int64   `json:"policies"`
	Next     int       `json:"next"`
	NextHost int64     `json:"next_host,omitempty"`
	Pairs    int64     `json:"pairs,omitempty"`
}

// formerPolicies is a full pull of policies 1 and 2 that began at began, stopped at host next of
// policy 2, as the compliance stream checkpointed it before the engine pulled compliance.
func formerPolicies(began time.Time, next int64) *Record[formerComplianceProgress, GaugeRecord] {
	earlier := began.Add(-23 * time.Hour)
	return &Record[formerComplianceProgress, GaugeRecord]{Cursor: earlier, LastFullSync: earlier, Selection: "sel",
		Current: &formerComplianceProgress{Cursor: began, Full: true, Policies: []int64{1, 2}, Next: 1, NextHost: next, Pairs: 16}}
}

func onAPI(r *hostsRecord, api string) *hostsRecord {
	r.Current.API = api
	return r
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
