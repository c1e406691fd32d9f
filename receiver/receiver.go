// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

// Package receiver is the running qualys receiver: its lifecycle, leader election, the per-stream
// schedulers and the sinks that hand pdata to the next consumers. What a stream pulls and how is in
// its own package (internal/vulnerabilities, internal/assets, internal/compliance).
package receiver // import "github.com/seed-d80aa3af/qualysreceiver/receiver"

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/seed-d80aa3af/qualysreceiver/internal/telemetry"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	rcvr "go.opentelemetry.io/collector/receiver"

	"github.com/seed-d80aa3af/qualysreceiver/internal/pull"
	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
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

// Sinks is where streams hand their output (see pull.Sinks).
type Sinks = pull.Sinks

// Runtime is what Start builds for the streams: it needs the host (extensions) that only Start has.
type Runtime struct {
	// Streams are the enabled streams with their intervals.
	Streams []ScheduledStream
	// Telemetry is the receiver's own metrics, where a failed start-up check counts as a failed
	// poll; nil records nothing.
	Telemetry *telemetry.Telemetry
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

// Options are the receiver's extension references.
type Options struct {
	// StorageID names the storage extension that keeps checkpoints; nil keeps them in memory.
	StorageID *component.ID
	// LeaderElectorID names a leader-election extension; nil polls always.
	LeaderElectorID *component.ID
	// Clock is the schedulers' time, which the streams and the client share; nil is the wall clock.
	Clock qualys.Clock
}

// leaderElector is what a leader-election extension offers (the contrib k8s_leader_elector's
// interface, matched by method so the receiver does not depend on Kubernetes libraries).
type leaderElector interface {
	component.Component
	SetCallBackFuncs(onStartLeading func(context.Context), onStopLeading func())
}

// Receiver polls Qualys once per configuration and feeds both a logs and a metrics pipeline.
type Receiver struct {
	settings rcvr.Settings
	options  Options
	build    BuildFunc

	mu      sync.Mutex
	logs    consumer.Logs
	metrics consumer.Metrics

	host    component.Host
	storage storage.Client
	status  *streamStatus

	// running is the streams while they poll: always without leader election, while leading with.
	// transition is held while a period starts or stops (shutdown.go).
	transition chan struct{}
	running    *running
	stopped    atomic.Bool
}

// running is one period of polling: the streams built for it and their schedulers.
type running struct {
	runtime Runtime
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	// done is closed once every scheduler has returned.
	done chan struct{}
}

var _ component.Component = (*Receiver)(nil)

// New returns a receiver that builds its streams with build when it starts polling.
func New(settings rcvr.Settings, options Options, build BuildFunc) *Receiver {
	return &Receiver{settings: settings, options: options, build: build, transition: make(chan struct{}, 1)}
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

// Start opens storage and starts polling, or, with a leader elector, waits to be elected. It does
// not call Qualys itself, so a collector starts even when Qualys is unreachable.
func (r *Receiver) Start(ctx context.Context, host component.Host) (err error) {
	defer func() {
		if err != nil {
			err = errors.Join(err, r.Shutdown(ctx))
		}
	}()
	r.host = host
	r.status = newStreamStatus(host)
	r.storage, err = r.openStorage(ctx, host)
	if err != nil {
		return err
	}
	if r.options.LeaderElectorID == nil {
		_, err = r.startPolling(ctx)
		return err
	}
	le, err := r.leaderElection(host)
	if err != nil {
		return err
	}
	le.SetCallBackFuncs(
		func(leading context.Context) {
			// The elector calls this on its own goroutine and ends leading when the lease is lost, so
			// a term whose lease is already gone must not start, and one that starts ends with it.
			if leading.Err() != nil {
				return
			}
			r.settings.Logger.Info("Elected leader; polling Qualys from the last checkpoint")
			run, err := r.startPolling(leading)
			if err != nil {
				if leading.Err() == nil { // else the lease was lost while the streams were built
					r.settings.Logger.Error("Cannot start polling after being elected leader", zap.Error(err))
				}
				return
			}
			if run != nil {
				context.AfterFunc(leading, func() { _ = r.stopRun(context.Background(), run) })
			}
		},
		func() {
			r.settings.Logger.Info("No longer the leader; polling stops at a checkpoint")
			r.stopPolling(context.Background())
		},
	)
	r.settings.Logger.Info("Waiting to be elected leader before polling", zap.Stringer("leader_elector", r.options.LeaderElectorID))
	return nil
}

// startPolling builds the streams, so they read their checkpoints afresh, and starts one scheduler
// per stream. It returns the new period, or nil when polling runs already or the receiver stopped.
func (r *Receiver) startPolling(ctx context.Context) (*running, error) {
	if err := r.lockTransition(ctx); err != nil {
		return nil, err
	}
	defer r.unlockTransition()
	if r.stopped.Load() || r.running != nil {
		return nil, nil
	}
	runtime, err := r.build(ctx, r.host, r.storage)
	if err != nil {
		return nil, err
	}
	runCtx, cancel := context.WithCancel(context.Background())
	run := &running{runtime: runtime, cancel: cancel, done: make(chan struct{})}
	for _, s := range runtime.Streams {
		sched := newScheduler(s, r, r.settings.Logger.With(zap.String("stream", s.Stream.Name())), runtime.Telemetry)
		sched.status = r.status
		if c := r.options.Clock; c != nil {
			sched.clock = c
		}
		run.wg.Go(func() { sched.run(runCtx) })
	}
	go func() {
		run.wg.Wait()
		close(run.done)
	}()
	r.running = run
	return run, nil
}

// stopPolling stops the schedulers, waits for polls in flight to return at a checkpoint and
// releases what the streams hold.
func (r *Receiver) stopPolling(ctx context.Context) error { return r.stopRun(ctx, nil) }

// stopRun is stopPolling for the period only (any period when nil). It holds the transition until
// the polls have returned, so a new period never starts while the last one still writes its
// checkpoints; it waits no longer than ctx allows.
func (r *Receiver) stopRun(ctx context.Context, only *running) error {
	if err := r.lockTransition(ctx); err != nil {
		return fmt.Errorf("polling did not stop before the deadline: %w", err)
	}
	defer r.unlockTransition()
	run := r.running
	if run == nil || (only != nil && run != only) {
		return nil
	}
	r.running = nil
	run.cancel()
	err := r.awaitPolls(ctx, run)
	if run.runtime.Close != nil {
		err = errors.Join(err, closeWithin(ctx, "the streams", run.runtime.Close))
	}
	return err
}

// Shutdown stops polling and closes what Start opened, within ctx's deadline even when a poll does
// not return (shutdown.go). It is safe to call without Start.
func (r *Receiver) Shutdown(ctx context.Context) error {
	r.stopped.Store(true)
	errs := []error{r.stopPolling(ctx)}
	if r.storage != nil {
		errs = append(errs, closeWithin(ctx, "storage", r.storage.Close))
		r.storage = nil
	}
	return errors.Join(errs...)
}

func (r *Receiver) leaderElection(host component.Host) (leaderElector, error) {
	id := *r.options.LeaderElectorID
	ext, ok := host.GetExtensions()[id]
	if !ok {
		return nil, fmt.Errorf("leader_elector: extension %q not found; add it under extensions and service::extensions", id)
	}
	le, ok := ext.(leaderElector)
	if !ok {
		return nil, fmt.Errorf("leader_elector: extension %q does not offer leader election (use k8s_leader_elector)", id)
	}
	return le, nil
}

func (r *Receiver) openStorage(ctx context.Context, host component.Host) (storage.Client, error) {
	if r.options.StorageID == nil {
		return storage.NewNopClient(), nil
	}
	id := *r.options.StorageID
	ext, ok := host.GetExtensions()[id]
	if !ok {
		return nil, fmt.Errorf("storage: extension %q not found; add it under extensions and service::extensions", id)
	}
	se, ok := ext.(storage.Extension)
	if !ok {
		return nil, fmt.Errorf("storage: extension %q is not a storage extension", id)
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
	return untilDone(ctx, func() error { return next.ConsumeLogs(ctx, ld) })
}

// ConsumeMetrics hands md to the metrics pipeline, if the receiver is in one.
func (r *Receiver) ConsumeMetrics(ctx context.Context, md pmetric.Metrics) error {
	r.mu.Lock()
	next := r.metrics
	r.mu.Unlock()
	if next == nil || md.DataPointCount() == 0 {
		return nil
	}
	return untilDone(ctx, func() error { return next.ConsumeMetrics(ctx, md) })
}
