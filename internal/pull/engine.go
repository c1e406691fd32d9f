// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package pull // import "github.com/seed-d80aa3af/qualysreceiver/internal/pull"

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.uber.org/zap"

	"github.com/seed-d80aa3af/qualysreceiver/internal/checkpoint"
	"github.com/seed-d80aa3af/qualysreceiver/internal/convert"
	"github.com/seed-d80aa3af/qualysreceiver/internal/metadata"
	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
	"github.com/seed-d80aa3af/qualysreceiver/internal/telemetry"
)

// Settings are what every stream is given: the client, the checkpoint store, telemetry and the
// pace of its pulls.
type Settings struct {
	Client    *qualys.Client
	Store     *checkpoint.Store
	Telemetry *telemetry.Telemetry
	Logger    *zap.Logger
	// Retry bounds the retries of a failed page and of a consumer that refuses data.
	Retry configretry.BackOffConfig
	// Workers is how many ranges are pulled at once (max_concurrency; Qualys' concurrency headers
	// may hold some of them back).
	Workers int
	// PageSize is hosts per page (truncation_limit).
	PageSize int
	// BatchRecords is log records per batch handed to the consumer; 0 means DefaultBatchRecords.
	BatchRecords int
	// ProgressEvery is how often a long pull logs its progress; 0 means every minute.
	ProgressEvery time.Duration
	// Clock is the stream's time: cursors, waits, checkpoint pace and progress; nil means
	// qualys.WallClock.
	Clock qualys.Clock
	// Source is the subscription the stream pulls from, written on every resource it emits.
	Source convert.Source
}

// SourceResource is the resource of the stream's metrics: the subscription they count.
func (s *Settings) SourceResource() metadata.ResourceMetricsOption {
	res := pcommon.NewResource()
	s.Source.FillResource(res)
	return metadata.WithResource(res)
}

func (s *Settings) Now() time.Time { return s.Clock.Now() }

// Engine is the state machine shared by the streams that pull host id ranges: load the
// checkpoint, plan a pull, pull its ranges, complete it.
type Engine struct {
	Settings
	// Rec is the stream's checkpoint record.
	Rec Checkpointed[Progress, GaugeRecord]
	// KeepSkipped, when set, lets the engine skip a host whose every page fails (skip.go) and keeps
	// that host's gauge counts as they were: a full pull that completes does not drop it as gone
	// from the tenant. A stream that cannot keep a host's counts, or whose pages do not end at a
	// range's Max, leaves it nil: its pulls fail on such a page instead.
	KeepSkipped func(hostID int64)
	// API names the API the stream's pulls are planned on, for a stream that can pull from more
	// than one: a pull in progress planned on another is not resumed, as its ranges are in the same
	// terms but its cursor came from another clock. "" for a stream with one.
	API string
}

// NewEngine is the engine of the stream name.
func NewEngine(name string, s Settings) *Engine {
	s = WithDefaults(s)
	e := &Engine{Settings: s, Rec: Checkpointed[Progress, GaugeRecord]{
		Name: name, Store: s.Store, Logger: s.Logger, Began: (*Progress).Began,
		Failed: func() { s.Telemetry.CheckpointFailed(name) },
	}}
	e.Rec.Resumable = e.resumable
	return e
}

func (r *Engine) resumable(p *Progress) (bool, string) {
	if p.API != r.API {
		return false, "The pull interrupted by the last shutdown used the other " + r.Rec.Name + " API (" + p.API + "); starting a new one"
	}
	return true, ""
}

// WithDefaults fills the settings a stream was given without.
func WithDefaults(s Settings) Settings {
	if s.Logger == nil {
		s.Logger = zap.NewNop()
	}
	if s.BatchRecords <= 0 {
		s.BatchRecords = DefaultBatchRecords
	}
	if s.Store == nil {
		s.Store = checkpoint.New(nil)
	}
	if s.Clock == nil {
		s.Clock = qualys.WallClock
	}
	return s
}

// Source is a stream as the engine drives it: the checks that prove it can pull, the plan of a
// pull cut into host id ranges, and the pages of a range.
type Source interface {
	Checks() []Check
	// Plan reads the hosts of a pull of what changed since (zero: everything) and cuts them into
	// ranges: of the host id space (PlanHostRanges), or one per policy.
	Plan(ctx context.Context, since time.Time) (HostPlan, error)
	// Page pulls the page of r that starts at r.Next into out, host by host. It returns the id_min
	// of the next page, or done when the range has no more pages.
	Page(ctx context.Context, r IDRange, out *Batcher) (next int64, done bool, err error)
}

// Plan asks src for a pull of what changed since (zero: a full pull) and returns it as the pull
// that began at started, to Begin. A plan whose answer was cut off is asked for again from its
// start, on the retry schedule.
func (r *Engine) Plan(ctx context.Context, src Source, since, started time.Time) (Progress, error) {
	var plan HostPlan
	err := callAgainWhileCutOff(ctx, NewRetry(r.Retry, r.Clock), r.Logger, "plan", func() (err error) {
		plan, err = src.Plan(ctx, since)
		return err
	})
	if err != nil {
		return Progress{}, err
	}
	// The hosts the last pull skipped are looked for at their page's first failure.
	return Progress{Cursor: CursorOf(plan.ServerTime, started), Full: since.IsZero(), API: r.API, Ranges: plan.Ranges,
		Hosts: plan.Hosts, Suspects: r.Rec.State.LastSkipped}, nil
}

// BeginDue plans and begins a pull of src: a full one when FullDue says so, which gauge then counts
// from its start, else one of what changed since the cursor, which it returns.
func (r *Engine) BeginDue(ctx context.Context, src Source, started time.Time, fullEvery time.Duration, gauge *GaugeCounting) (since time.Time, err error) {
	full := FullDue(&r.Rec.State, started, fullEvery, gauge)
	if !full {
		since = r.Rec.State.Cursor
	} else if fullEvery <= 0 && len(r.Rec.State.LastSkipped) > 0 {
		r.Logger.Info("The last pull skipped hosts; this pull is a full one, to ask for them again")
	}
	p, err := r.Plan(ctx, src, since, started)
	if err != nil {
		return since, err
	}
	if full {
		gauge.BeginFull()
	}
	r.Rec.Begin(ctx, p)
	return since, nil
}

// PullToEnd pulls the current pull from src and completes it, gauge saying whether a full pull
// counts as the last full sync; a pull that fails is checkpointed where it stopped, with the
// counts.
func (r *Engine) PullToEnd(ctx context.Context, sinks Sinks, src Source, gauge *GaugeCounting) (int64, error) {
	full := r.Rec.State.Current.Full
	emitted, err := r.Pull(ctx, sinks, src)
	if err != nil {
		r.Rec.Save(ctx)
		return emitted, err
	}
	r.Rec.Complete(ctx, gauge.Completed(full))
	return emitted, nil
}

// Pull pulls every range of the current pull not yet done from src.
func (r *Engine) Pull(ctx context.Context, sinks Sinks, src Source) (int64, error) {
	c := r.Settings.Consumer(sinks, r.Rec.Name)
	w := &Workers{
		Stream: r.Rec.Name, Pull: r.Rec.State.Current, Save: r.Rec.Save, Workers: r.Workers, Retry: r.Retry,
		PageSize: r.PageSize, Page: src.Page, Logger: r.Logger, Telemetry: r.Telemetry, ProgressEvery: r.ProgressEvery, Clock: r.Clock,
		NewBatcher: func() *Batcher { return NewBatcher(c, r.BatchRecords, r.Source) },
	}
	if r.KeepSkipped == nil {
		w.SkipAfter = NeverSkip
	}
	if p, ok := src.(HostProber); ok {
		w.ProbeHost = p.ProbeHost
	}
	emitted, err := w.Run(ctx)
	if err != nil {
		return emitted, err
	}
	r.Rec.State.LastSkipped = w.Pull.Skipped
	if r.KeepSkipped != nil {
		for _, id := range w.Pull.Skipped {
			r.KeepSkipped(id)
		}
	}
	return emitted, nil
}

// Consumer hands stream's output to sinks, retrying refusals on the settings' retry and clock.
func (s *Settings) Consumer(sinks Sinks, stream string) *Consumer {
	return NewConsumer(sinks, stream, s.Retry, s.Clock, s.Logger, s.Telemetry)
}

// clockSkew moves a cursor taken from the local clock back, for the rare answer without DATETIME:
// repeating a few minutes costs duplicates, skipping them would lose changes.
const clockSkew = 5 * time.Minute

func CursorOf(serverTime, started time.Time) time.Time {
	if !serverTime.IsZero() {
		return serverTime
	}
	return started.Add(-clockSkew)
}

// PollOnce is one poll of the stream name: poll pulls and returns how many records it emitted;
// the poll is counted, then emit emits the stream's metrics, told how many records the poll
// emitted and whether it completed. The poll's error comes before emit's.
func (s *Settings) PollOnce(ctx context.Context, sinks Sinks, name string,
	poll func(ctx context.Context, sinks Sinks, started time.Time) (int64, error),
	emit func(ctx context.Context, sinks Sinks, emitted int64, completed bool) error,
) error {
	started := s.Now()
	emitted, err := poll(ctx, sinks, started)
	s.Telemetry.PollDone(name, started, s.Now(), qualys.ErrKindName(err))
	if merr := emit(ctx, sinks, emitted, err == nil); err == nil {
		err = merr
	}
	return err
}

// FullDue says whether a stream's next pull must be full: the first one, a re-sync due every
// (0: never; then after a pull that skipped hosts, which only a full pull asks for again), or a
// gauge that needs a baseline neither this process nor the checkpoint holds.
func FullDue[P any](rec *Record[P, GaugeRecord], now time.Time, every time.Duration, gauge *GaugeCounting) bool {
	switch {
	case rec.Cursor.IsZero():
		return true
	case every > 0 && now.Sub(rec.LastFullSync) >= every:
		return true
	case every <= 0 && len(rec.LastSkipped) > 0:
		return true
	case gauge.Enabled() && !gauge.Complete():
		return true
	}
	return false
}

// EmitMetrics emits the metrics mb builds for the stream name: the records counter at total and,
// with withGauge, what gauge records at now.
func (s *Settings) EmitMetrics(ctx context.Context, sinks Sinks, name string, mb *metadata.MetricsBuilder,
	stream metadata.AttributeQualysStream, total int64, withGauge bool, gauge func(now pcommon.Timestamp),
) error {
	if mb == nil {
		return nil
	}
	now := pcommon.NewTimestampFromTime(s.Now())
	mb.RecordQualysRecordsEmittedDataPoint(now, total, stream)
	if withGauge {
		gauge(now)
	}
	return s.Consumer(sinks, name).ConsumeMetrics(ctx, mb.Emit(s.SourceResource()))
}
