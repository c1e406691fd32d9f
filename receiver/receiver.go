// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

// Package receiver is the running qualys receiver: its lifecycle, the per-stream schedulers and the
// sinks that hand pdata to the next consumers. What a stream pulls and how is in the stream files.
package receiver // import "github.com/seed-d80aa3af/qualysreceiver/receiver"

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	rcvr "go.opentelemetry.io/collector/receiver"
	"go.uber.org/zap"
)

// Stream is one of the receiver's polling loops (assets, vulnerabilities, compliance).
type Stream interface {
	// Name is the stream's name in logs, metrics and checkpoints.
	Name() string
	// Poll pulls once and hands everything to sinks. It returns when the pull is complete, has
	// failed, or ctx is done; an error means the pull did not complete and is logged by the scheduler.
	Poll(ctx context.Context, sinks Sinks) error
}

// Sinks is where streams hand their output. Each call blocks until the next consumer accepted the
// data or refused it; an error means "not accepted".
type Sinks interface {
	ConsumeLogs(ctx context.Context, ld plog.Logs) error
	ConsumeMetrics(ctx context.Context, md pmetric.Metrics) error
}

// Runtime is what Start builds for the streams: it needs the host (extensions) that only Start has.
type Runtime struct {
	// Streams are the enabled streams with their intervals.
	Streams []ScheduledStream
	// Close releases what the runtime holds (HTTP connections, storage client).
	Close func(context.Context) error
}

// ScheduledStream is a stream and how often it polls.
type ScheduledStream struct {
	Stream   Stream
	Schedule Schedule
}

// BuildFunc builds the streams once the host is known.
type BuildFunc func(ctx context.Context, host component.Host, storage storage.Client) (Runtime, error)

// Receiver polls Qualys once per configuration and feeds both a logs and a metrics pipeline.
type Receiver struct {
	settings  rcvr.Settings
	storageID *component.ID
	build     BuildFunc

	mu      sync.Mutex
	logs    consumer.Logs
	metrics consumer.Metrics

	cancel  context.CancelFunc
	wg      sync.WaitGroup
	runtime Runtime
	storage storage.Client
}

var _ component.Component = (*Receiver)(nil)

// New returns a receiver that builds its streams with build at Start. storageID, when set, names the
// storage extension that keeps checkpoints.
func New(settings rcvr.Settings, storageID *component.ID, build BuildFunc) *Receiver {
	return &Receiver{settings: settings, storageID: storageID, build: build}
}

// SetLogs sets the next consumer of the logs pipeline.
func (r *Receiver) SetLogs(next consumer.Logs) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.logs = next
}

// SetMetrics sets the next consumer of the metrics pipeline.
func (r *Receiver) SetMetrics(next consumer.Metrics) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.metrics = next
}

// Start opens storage, builds the streams and starts one scheduler per stream. It does not call
// Qualys itself, so a collector starts even when Qualys is unreachable.
func (r *Receiver) Start(ctx context.Context, host component.Host) (err error) {
	defer func() {
		if err != nil {
			err = errors.Join(err, r.Shutdown(ctx))
		}
	}()
	r.storage, err = r.openStorage(ctx, host)
	if err != nil {
		return err
	}
	r.runtime, err = r.build(ctx, host, r.storage)
	if err != nil {
		return err
	}
	runCtx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	for _, s := range r.runtime.Streams {
		sched := newScheduler(s, r, r.settings.Logger.With(zap.String("stream", s.Stream.Name())))
		r.wg.Go(func() { sched.run(runCtx) })
	}
	return nil
}

// Shutdown stops the schedulers, waits for polls in flight to return and closes what Start opened.
// It is safe to call without Start.
func (r *Receiver) Shutdown(ctx context.Context) error {
	if r.cancel != nil {
		r.cancel()
	}
	r.wg.Wait()
	var errs []error
	if r.runtime.Close != nil {
		errs = append(errs, r.runtime.Close(ctx))
		r.runtime.Close = nil
	}
	if r.storage != nil {
		errs = append(errs, r.storage.Close(ctx))
		r.storage = nil
	}
	return errors.Join(errs...)
}

func (r *Receiver) openStorage(ctx context.Context, host component.Host) (storage.Client, error) {
	if r.storageID == nil {
		return storage.NewNopClient(), nil
	}
	ext, ok := host.GetExtensions()[*r.storageID]
	if !ok {
		return nil, fmt.Errorf("storage: extension %q not found; add it under extensions and service::extensions", r.storageID)
	}
	se, ok := ext.(storage.Extension)
	if !ok {
		return nil, fmt.Errorf("storage: extension %q is not a storage extension", r.storageID)
	}
	// One client for both signals: a second GetClient on the same name would wait forever on
	// file_storage's lock.
	client, err := se.GetClient(ctx, component.KindReceiver, r.settings.ID, "")
	if err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	return client, nil
}

// ConsumeLogs hands ld to the logs pipeline, if the receiver is in one.
func (r *Receiver) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	r.mu.Lock()
	next := r.logs
	r.mu.Unlock()
	if next == nil || ld.LogRecordCount() == 0 {
		return nil
	}
	return next.ConsumeLogs(ctx, ld)
}

// ConsumeMetrics hands md to the metrics pipeline, if the receiver is in one.
func (r *Receiver) ConsumeMetrics(ctx context.Context, md pmetric.Metrics) error {
	r.mu.Lock()
	next := r.metrics
	r.mu.Unlock()
	if next == nil || md.DataPointCount() == 0 {
		return nil
	}
	return next.ConsumeMetrics(ctx, md)
}
