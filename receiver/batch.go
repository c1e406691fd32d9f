// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver // import "github.com/seed-d80aa3af/qualysreceiver/receiver"

import (
	"context"
	"fmt"

	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.uber.org/zap"

	"github.com/seed-d80aa3af/qualysreceiver/internal/convert"
	"github.com/seed-d80aa3af/qualysreceiver/internal/metadata"
	"github.com/seed-d80aa3af/qualysreceiver/internal/pull"
	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
)

// defaultBatchRecords is how many log records go to the next consumer at once. It bounds the
// receiver's memory: a page of a Qualys answer can hold a million detections, a batch never more
// than this.
const defaultBatchRecords = 1000

// hostBatcher builds plog.Logs from records that arrive host by host (hosts ascending, as every
// Qualys paged answer sorts them), hands them to the consumer every maxRecords records, and tracks
// which hosts the consumer has fully accepted.
type hostBatcher struct {
	consumer   *retryingConsumer
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
}

func newHostBatcher(c *retryingConsumer, maxRecords int, source convert.Source) *hostBatcher {
	return &hostBatcher{consumer: c, maxRecords: maxRecords, logs: plog.NewLogs(), source: source}
}

// startHost begins the records of host id; fillResource writes the host identity on its resource,
// and the batcher adds the source. Records follow with addRecord.
func (b *hostBatcher) startHost(id int64, fillResource func(pcommon.Resource)) {
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

// addRecord appends a record to the current host. When the batch is full it is consumed first,
// and the host's resource is carried into the next batch by copying it.
func (b *hostBatcher) addRecord(ctx context.Context) (plog.LogRecord, error) {
	if b.count >= b.maxRecords {
		res := pcommon.NewResource()
		b.logs.ResourceLogs().At(b.logs.ResourceLogs().Len() - 1).Resource().CopyTo(res)
		if err := b.flush(ctx); err != nil {
			return plog.LogRecord{}, err
		}
		host := b.host
		b.startHost(host, res.MoveTo)
	}
	b.count++
	return b.records.AppendEmpty(), nil
}

// endHost marks the current host complete.
func (b *hostBatcher) endHost() {
	if b.host != 0 {
		b.done = b.host
		b.hostsEnded++
	}
}

// skipHost counts a host the page read but has no records for (the assets stream's hosts outside
// modified_within), so the pull's progress still adds up.
func (b *hostBatcher) skipHost() { b.hostsEnded++ }

// flush consumes what has been added. On success every host up to done counts as accepted.
func (b *hostBatcher) flush(ctx context.Context) error {
	if b.count == 0 {
		b.logs = plog.NewLogs()
		b.accepted = max(b.accepted, b.done)
		return nil
	}
	if err := b.consumer.consumeLogs(ctx, b.logs); err != nil {
		return err
	}
	b.emitted += int64(b.count)
	b.accepted = max(b.accepted, b.done)
	b.logs = plog.NewLogs()
	b.count = 0
	return nil
}

// retryingConsumer hands data to the next consumers, retrying with back-off while they refuse it
// (memory_limiter, a full exporter queue): the receiver never drops data it has pulled.
type retryingConsumer struct {
	sinks     Sinks
	retry     configretry.BackOffConfig
	logger    *zap.Logger
	stream    string
	telemetry *Telemetry
	clock     qualys.Clock
}

// newRetryingConsumer hands stream's output to sinks with the retry settings, logger, telemetry
// and clock of s.
func newRetryingConsumer(sinks Sinks, stream string, s *PullSettings) *retryingConsumer {
	return &retryingConsumer{sinks: sinks, retry: s.Retry, logger: s.Logger, stream: stream, telemetry: s.Telemetry, clock: s.Clock}
}

func (c *retryingConsumer) consumeLogs(ctx context.Context, ld plog.Logs) error {
	return c.withRetry(ctx, ld.LogRecordCount(), func() error { return c.sinks.ConsumeLogs(ctx, ld) })
}

// withRetry hands the data on with consume, and again while the next consumer refuses it with a
// retryable error, on the retry schedule. A refusal that outlasts the schedule fails the poll,
// which the next one resumes from its checkpoint.
func (c *retryingConsumer) withRetry(ctx context.Context, records int, consume func() error) error {
	retry := pull.NewRetry(c.retry, c.clock)
	for attempt := 1; ; attempt++ {
		err := consume()
		if err == nil {
			return nil
		}
		c.telemetry.consumerRefused(c.stream, consumererror.IsPermanent(err), records)
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

func (c *retryingConsumer) consumeMetrics(ctx context.Context, md pmetric.Metrics) error {
	return c.withRetry(ctx, md.DataPointCount(), func() error { return c.sinks.ConsumeMetrics(ctx, md) })
}
