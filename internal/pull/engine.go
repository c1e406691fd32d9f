// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package pull // import "github.com/seed-d80aa3af/qualysreceiver/internal/pull"

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"slices"
	"strconv"
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

// Settings are shared by the streams that pull the host id space in ranges.
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
}

func NewEngine(name string, s Settings) *Engine {
	s = WithDefaults(s)
	return &Engine{Settings: s, Rec: Checkpointed[Progress, GaugeRecord]{
		Name: name, Store: s.Store, Logger: s.Logger, Began: (*Progress).Began,
		Failed: func() { s.Telemetry.CheckpointFailed(name) },
	}}
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

// pull pulls every range of the current pull not yet done.
func (r *Engine) Pull(ctx context.Context, sinks Sinks, page PageFunc) (int64, error) {
	c := r.Settings.Consumer(sinks, r.Rec.Name)
	w := &Workers{
		Stream: r.Rec.Name, Pull: r.Rec.State.Current, Save: r.Rec.Save, Workers: r.Workers, Retry: r.Retry,
		Page: page, Logger: r.Logger, Telemetry: r.Telemetry, ProgressEvery: r.ProgressEvery, Clock: r.Clock,
		NewBatcher: func() *Batcher { return NewBatcher(c, r.BatchRecords, r.Source) },
	}
	return w.Run(ctx)
}

// consumer hands stream's output to sinks, retrying refusals on the settings' retry and clock.
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

// Selection names a stream's filters by a short hash of their canonical form: a checkpoint records
// it, so a cursor taken under other filters is not used. An incremental pull asks only for what
// changed since the cursor, so records the new filters take in that did not change would
// otherwise come only with the next full  Only what selects records goes in, with lists
// sorted and without repeats, so reordering a list in the config or changing a page size or an
// output option keeps the checkpoint.
type Selection struct{ v url.Values }

func NewSelection() *Selection { return &Selection{v: url.Values{}} }

// strings adds a list filter; an empty list adds nothing.
func (s *Selection) Strings(key string, values []string) *Selection {
	for _, v := range slices.Compact(slices.Sorted(slices.Values(values))) {
		s.v.Add(key, v)
	}
	return s
}

func (s *Selection) Ints(key string, values []int64) *Selection {
	for _, v := range slices.Compact(slices.Sorted(slices.Values(values))) {
		s.v.Add(key, strconv.FormatInt(v, 10))
	}
	return s
}

func (s *Selection) Set(key, value string) *Selection {
	s.v.Set(key, value)
	return s
}

func (s *Selection) Tags(f qualys.TagFilter) *Selection {
	s.Strings("tag_include", f.Include).Strings("tag_exclude", f.Exclude)
	if len(f.Include) > 0 {
		s.Set("tag_include_selector", cmp.Or(f.IncludeSelector, "any"))
	}
	if len(f.Exclude) > 0 {
		s.Set("tag_exclude_selector", cmp.Or(f.ExcludeSelector, "any"))
	}
	return s
}

// hash is the Selection's name for checkpoints.
func (s *Selection) Hash() string {
	sum := sha256.Sum256([]byte(s.v.Encode()))
	return hex.EncodeToString(sum[:8])
}
