// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

// Package telemetry is the receiver's own health as collector metrics, and the per-page tallies
// of records emitted without a field.
package telemetry // import "github.com/seed-d80aa3af/qualysreceiver/internal/telemetry"

import (
	"context"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/seed-d80aa3af/qualysreceiver/internal/metadata"
	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
)

// Telemetry is the receiver's own health as collector metrics (otelcol_receiver_qualys_*): calls,
// limit waits, pages, records, polls and their duration, the last successful poll per stream.
// Every series carries the receiver's id (attribute receiver), so two receivers in one collector
// never add up.
type Telemetry struct {
	tb       *metadata.TelemetryBuilder
	receiver attribute.KeyValue

	// completed holds the streams with a completed poll: until then a failed poll sets
	// last_successful_poll to 0 ("never"), so the series exists from the first failure on.
	mu        sync.Mutex
	completed map[string]bool
}

var _ qualys.Observer = (*Telemetry)(nil)

// New wraps the generated telemetry builder for the receiver receiverID (qualys/us); a nil
// builder records nothing.
func New(tb *metadata.TelemetryBuilder, receiverID string) *Telemetry {
	return &Telemetry{tb: tb, receiver: attribute.String("receiver", receiverID), completed: map[string]bool{}}
}

// attrs is the attribute set of one series: the receiver's id and kv.
func (t *Telemetry) attrs(kv ...attribute.KeyValue) metric.MeasurementOption {
	return metric.WithAttributeSet(attribute.NewSet(append(kv, t.receiver)...))
}

// RequestDone counts a Qualys call and its duration.
func (t *Telemetry) RequestDone(api qualys.API, endpoint, outcome string, d time.Duration) {
	if t == nil || t.tb == nil {
		return
	}
	attrs := t.attrs(attribute.String("api", api.String()), attribute.String("endpoint", endpoint), attribute.String("outcome", outcome))
	ctx := context.Background()
	t.tb.ReceiverQualysRequests.Add(ctx, 1, attrs)
	t.tb.ReceiverQualysRequestDuration.Record(ctx, d.Seconds(), attrs)
}

// LimitWaitBegan counts a wait on a Qualys limit as it begins, so a long one shows while it lasts.
func (t *Telemetry) LimitWaitBegan(api qualys.API, endpoint, reason string) {
	if t == nil || t.tb == nil {
		return
	}
	t.tb.ReceiverQualysLimitWaits.Add(context.Background(), 1, t.limitAttrs(api, endpoint, reason))
}

// LimitWaitEnded adds the time a call waited on a Qualys limit.
func (t *Telemetry) LimitWaitEnded(api qualys.API, endpoint, reason string, d time.Duration) {
	if t == nil || t.tb == nil {
		return
	}
	t.tb.ReceiverQualysLimitWaitDuration.Add(context.Background(), d.Seconds(), t.limitAttrs(api, endpoint, reason))
}

func (t *Telemetry) limitAttrs(api qualys.API, endpoint, reason string) metric.MeasurementOption {
	return t.attrs(attribute.String("api", api.String()), attribute.String("endpoint", endpoint), attribute.String("reason", reason))
}

func (t *Telemetry) streamAttr(stream string) metric.MeasurementOption {
	return t.attrs(attribute.String("stream", stream))
}

// PageDone counts a page the consumer accepted and its records.
func (t *Telemetry) PageDone(stream string, records int64) {
	if t == nil || t.tb == nil {
		return
	}
	ctx := context.Background()
	t.tb.ReceiverQualysPages.Add(ctx, 1, t.streamAttr(stream))
	if records > 0 {
		t.tb.ReceiverQualysRecords.Add(ctx, records, t.streamAttr(stream))
	}
}

// RecordsDone counts records of a page the consumer accepted before the page failed.
func (t *Telemetry) RecordsDone(stream string, records int64) {
	if t == nil || t.tb == nil {
		return
	}
	t.tb.ReceiverQualysRecords.Add(context.Background(), records, t.streamAttr(stream))
}

// PollDone counts a poll; errKind is "" for a poll that completed. A start-up check that failed is
// a failed poll too.
func (t *Telemetry) PollDone(stream string, started, ended time.Time, errKind string) {
	if t == nil || t.tb == nil {
		return
	}
	ctx := context.Background()
	outcome := "ok"
	kv := []attribute.KeyValue{attribute.String("stream", stream)}
	if errKind != "" {
		outcome = "error"
		kv = append(kv, attribute.String("error_kind", errKind))
	}
	kv = append(kv, attribute.String("outcome", outcome))
	t.tb.ReceiverQualysPolls.Add(ctx, 1, t.attrs(kv...))
	t.tb.ReceiverQualysPollDuration.Record(ctx, ended.Sub(started).Seconds(),
		t.attrs(attribute.String("stream", stream), attribute.String("outcome", outcome)))
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case errKind == "":
		t.completed[stream] = true
		t.tb.ReceiverQualysLastSuccessfulPoll.Record(ctx, ended.Unix(), t.streamAttr(stream))
	case !t.completed[stream]:
		t.tb.ReceiverQualysLastSuccessfulPoll.Record(ctx, 0, t.streamAttr(stream))
	}
}

// Progress records how far the pull in progress is.
func (t *Telemetry) Progress(stream string, hostsDone, hostsTotal int64) {
	if t == nil || t.tb == nil {
		return
	}
	ctx := context.Background()
	t.tb.ReceiverQualysPullHostsDone.Record(ctx, hostsDone, t.streamAttr(stream))
	if hostsTotal > 0 {
		t.tb.ReceiverQualysPullHostsTotal.Record(ctx, hostsTotal, t.streamAttr(stream))
	}
}

// ConsumerRefused counts a batch the next consumer refused: retried, or dropped when the refusal
// was permanent (its records are counted as skipped too).
func (t *Telemetry) ConsumerRefused(stream string, permanent bool, records int) {
	if t == nil || t.tb == nil {
		return
	}
	ctx := context.Background()
	outcome := "retried"
	if permanent {
		outcome = "dropped"
		t.RecordsSkipped(stream, "rejected", records)
	}
	t.tb.ReceiverQualysConsumerRefusals.Add(ctx, 1, t.attrs(attribute.String("stream", stream), attribute.String("outcome", outcome)))
}

// HostsSkipped counts hosts a pull skipped because every page that held them failed.
func (t *Telemetry) HostsSkipped(stream string, hosts int) {
	if t == nil || t.tb == nil || hosts <= 0 {
		return
	}
	t.tb.ReceiverQualysHostsSkipped.Add(context.Background(), int64(hosts), t.streamAttr(stream))
}

// RecordsSkipped counts records that were not emitted, and why.
func (t *Telemetry) RecordsSkipped(stream, reason string, records int) {
	if t != nil && t.tb != nil {
		t.addRecords(t.tb.ReceiverQualysRecordsSkipped, stream, reason, records)
	}
}

// RecordsAltered counts records emitted with a field changed, and why.
func (t *Telemetry) RecordsAltered(stream, reason string, records int) {
	if t != nil && t.tb != nil {
		t.addRecords(t.tb.ReceiverQualysRecordsAltered, stream, reason, records)
	}
}

func (t *Telemetry) addRecords(counter metric.Int64Counter, stream, reason string, records int) {
	if records > 0 {
		counter.Add(context.Background(), int64(records), t.attrs(attribute.String("stream", stream), attribute.String("reason", reason)))
	}
}

// CheckpointFailed counts a checkpoint that could not be written.
func (t *Telemetry) CheckpointFailed(stream string) {
	if t == nil || t.tb == nil {
		return
	}
	t.tb.ReceiverQualysCheckpointFailures.Add(context.Background(), 1, t.streamAttr(stream))
}
