// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package pull // import "github.com/seed-d80aa3af/qualysreceiver/internal/pull"

import (
	"context"
	"errors"
	"fmt"

	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.uber.org/zap"

	"github.com/seed-d80aa3af/qualysreceiver/internal/convert"
	"github.com/seed-d80aa3af/qualysreceiver/internal/metadata"
	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
)

// Sinks is where a stream's output goes: each call blocks until the next consumer accepted the
// data or refused it; an error means "not accepted".
type Sinks interface {
	ConsumeLogs(ctx context.Context, ld plog.Logs) error
	ConsumeMetrics(ctx context.Context, md pmetric.Metrics) error
}

// nopTelemetry counts nothing.
type nopTelemetry struct{}

func (nopTelemetry) PageDone(string, int64)            {}
func (nopTelemetry) RecordsDone(string, int64)         {}
func (nopTelemetry) Progress(string, int64, int64)     {}
func (nopTelemetry) ConsumerRefused(string, bool, int) {}
func (nopTelemetry) HostsSkipped(string, int)          {}

// Telemetry counts what the engine does, for the receiver's own metrics.
type Telemetry interface {
	// PageDone counts a page the consumer accepted and its records.
	PageDone(stream string, records int64)
	// RecordsDone counts records of a page the consumer accepted before the page failed.
	RecordsDone(stream string, records int64)
	// Progress records how far the pull in progress is.
	Progress(stream string, hostsDone, hostsTotal int64)
	// ConsumerRefused counts a batch the next consumer refused, retried or dropped.
	ConsumerRefused(stream string, permanent bool, records int)
	// HostsSkipped counts hosts a pull skipped because every page that held them failed.
	HostsSkipped(stream string, hosts int)
}

// DefaultBatchRecords is how many log records go to the next consumer at once. It bounds the
// receiver's memory: a page of a Qualys answer can hold a million detections, a batch never more
// than this.
const DefaultBatchRecords = 1000

// Batcher builds plog.Logs from records that arrive host by host (hosts ascending, as every
// Qualys paged answer sorts them), hands them to the consumer every maxRecords records, and tracks
// which hosts the consumer has fully accepted.
type Batcher struct {
	consumer   *Consumer
	maxRecords int

	logs    plog.Logs
	records plog.LogRecordSlice
	count   int
	// host is the host whose records are being added; done is the last host whose records were all
	// added before host began, so a consumed batch covers every host up to done.
	host, done int64
	// accepted is the last host whose records the consumer has fully accepted.
	accepted int64
	// emitted counts records the consumer accepted; hostsEnded counts hosts whose records were all
	// added.
	emitted    int64
	hostsEnded int64
	// source is written on every resource after the host identity.
	source convert.Source
	// moves are the other ranges the page pulled hosts of (MoveRange).
	moves []RangeMove
	// unasked says the page was answered without asking Qualys (Unasked).
	unasked bool
}

// RangeMove is where a page left another range of the pull, that of a policy whose hosts the page
// pulled too: a compliance batch fills up with the hosts of the next policies.
type RangeMove struct {
	Policy int64
	// Next is the first host of the policy the page did not pull; Done says it pulled them all.
	Next int64
	Done bool
}

// MoveRange records that the page pulled hosts of another range; that range moves once the page
// has been accepted whole, as the page's own range does.
func (b *Batcher) MoveRange(m RangeMove) { b.moves = append(b.moves, m) }

// Unasked marks a page answered from what the stream knows, without asking Qualys: a span that
// holds none of the hosts the stream knows of. It passes, but proves nothing about Qualys to the
// search for a failing host (skip.go).
func (b *Batcher) Unasked() { b.unasked = true }

func NewBatcher(c *Consumer, maxRecords int, source convert.Source) *Batcher {
	return &Batcher{consumer: c, maxRecords: maxRecords, logs: plog.NewLogs(), source: source}
}

// StartHost begins the records of host id; fillResource writes the host identity on its resource,
// and the batcher adds the source. Records follow with AddRecord.
func (b *Batcher) StartHost(id int64, fillResource func(pcommon.Resource)) {
	if b.host != 0 && b.host != id {
		b.done = b.host
	}
	b.host = id
	rl := b.logs.ResourceLogs().AppendEmpty()
	fillResource(rl.Resource())
	b.source.FillResource(rl.Resource())
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName(metadata.ScopeName)
	b.records = sl.LogRecords()
}

// StartResource begins records under a resource that no host position tracks, for an answer that
// does not sort its hosts: a page of them is accepted whole or pulled again from its start.
// fillResource writes the host identity; records follow with AddRecord.
func (b *Batcher) StartResource(fillResource func(pcommon.Resource)) {
	b.host = 0
	b.StartHost(0, fillResource)
}

// AddRecord appends a record to the current host. When the batch is full it is consumed first,
// and the host's resource is carried into the next batch by copying it.
func (b *Batcher) AddRecord(ctx context.Context) (plog.LogRecord, error) {
	if b.count >= b.maxRecords {
		res := pcommon.NewResource()
		b.logs.ResourceLogs().At(b.logs.ResourceLogs().Len() - 1).Resource().CopyTo(res)
		if err := b.Flush(ctx); err != nil {
			return plog.LogRecord{}, err
		}
		host := b.host
		b.StartHost(host, res.MoveTo)
	}
	b.count++
	return b.records.AppendEmpty(), nil
}

// Emitted is how many records the consumer accepted.
func (b *Batcher) Emitted() int64 { return b.emitted }

// EndHost marks the current host complete.
func (b *Batcher) EndHost() {
	if b.host != 0 {
		b.done = b.host
		b.hostsEnded++
	}
}

// SkipHost counts a host the page read but has no records for (the assets stream's hosts outside
// modified_within), so the pull's progress still adds up.
func (b *Batcher) SkipHost() { b.hostsEnded++ }

// CountHosts counts n hosts a page pulled whole, for the pull's progress, when its resources no
// host position tracks (StartResource).
func (b *Batcher) CountHosts(n int64) { b.hostsEnded += n }

// Flush consumes what has been added. On success every host up to done counts as accepted.
func (b *Batcher) Flush(ctx context.Context) error {
	if b.count == 0 {
		b.logs = plog.NewLogs()
		b.accepted = max(b.accepted, b.done)
		return nil
	}
	if err := b.consumer.ConsumeLogs(ctx, b.logs); err != nil {
		return err
	}
	b.emitted += int64(b.count)
	b.accepted = max(b.accepted, b.done)
	b.logs = plog.NewLogs()
	b.count = 0
	return nil
}

// Consumer hands data to the next consumers, retrying with back-off while they refuse it
// (memory_limiter, a full exporter queue): the receiver never drops data it has pulled.
type Consumer struct {
	sinks     Sinks
	retry     configretry.BackOffConfig
	logger    *zap.Logger
	stream    string
	telemetry Telemetry
	clock     qualys.Clock
}

// NewConsumer hands stream's output to sinks, retrying refusals on retry (retry_on_failure) and
// clock, logging to logger and counting in telemetry (nil counts nothing).
func NewConsumer(sinks Sinks, stream string, retry configretry.BackOffConfig, clock qualys.Clock, logger *zap.Logger, telemetry Telemetry) *Consumer {
	if telemetry == nil {
		telemetry = nopTelemetry{}
	}
	return &Consumer{sinks: sinks, retry: retry, logger: logger, stream: stream, telemetry: telemetry, clock: clock}
}

func (c *Consumer) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	return c.withRetry(ctx, ld.LogRecordCount(), func() error { return c.sinks.ConsumeLogs(ctx, ld) })
}

// withRetry hands the data on with consume, and again while the next consumer refuses it with a
// retryable error, on the retry schedule. A refusal that outlasts the schedule fails the poll,
// which the next one resumes from its checkpoint.
func (c *Consumer) withRetry(ctx context.Context, records int, consume func() error) error {
	retry := NewRetry(c.retry, c.clock)
	for attempt := 1; ; attempt++ {
		err := consume()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			return err // stopped while the consumer had not answered: no refusal, nothing accepted
		}
		c.telemetry.ConsumerRefused(c.stream, consumererror.IsPermanent(err), records)
		if consumererror.IsPermanent(err) {
			// Retrying cannot help: the pipeline rejected this data for good (for example it is
			// invalid for an exporter). Report it and go on rather than stall the stream.
			c.logger.Error("The next consumer permanently rejected records; they are not retried",
				zap.Int("records", records), zap.Error(err))
			return nil
		}
		wait, ok := retry.Next()
		if !ok {
			return fmt.Errorf("the next consumer refused %d records %d times: %w", records, attempt, err)
		}
		if attempt == 1 || attempt%10 == 0 {
			c.logger.Warn("The next consumer refused records; retrying the same records",
				zap.Int("records", records), zap.Int("attempt", attempt), zap.Error(err))
		}
		if !retry.Sleep(ctx, wait) {
			return ctx.Err()
		}
	}
}

func (c *Consumer) ConsumeMetrics(ctx context.Context, md pmetric.Metrics) error {
	return c.withRetry(ctx, md.DataPointCount(), func() error { return c.sinks.ConsumeMetrics(ctx, md) })
}
