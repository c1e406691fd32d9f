// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver // import "github.com/seed-d80aa3af/qualysreceiver/receiver"

import (
	"context"
	"fmt"
	"sync"
	"time"

	"go.opentelemetry.io/collector/config/configretry"
	"go.uber.org/zap"

	"github.com/seed-d80aa3af/qualysreceiver/internal/pull"
	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
)

// progressRef is a pull in progress as the gauge counts of the former layout see it; nil for no
// pull.
func progressRef(p *pull.Progress) *pullRef {
	if p == nil {
		return nil
	}
	return &pullRef{cursor: p.Cursor, full: p.Full, position: positionOf(p)}
}

// streamState is what a stream that pulls host id ranges checkpoints.
type streamState = pull.Record[pull.Progress, gaugeRecord]

// pageFunc pulls the page of r that starts at r.Next into out, host by host. It returns the id_min
// of the next page, or done when the range has no more pages.
type pageFunc func(ctx context.Context, r pull.IDRange, out *hostBatcher) (next int64, done bool, err error)

// rangePull pulls ranges in parallel, each page by page, and checkpoints what the consumer accepted.
type rangePull struct {
	stream string
	state  *streamState
	// save writes the stream's checkpoint record.
	save    func(ctx context.Context)
	workers int
	retry   configretry.BackOffConfig
	newOut  func() *hostBatcher
	page    pageFunc
	logger  *zap.Logger

	telemetry     *Telemetry
	progressEvery time.Duration
	clock         qualys.Clock

	mu       sync.Mutex
	lastSave time.Time
	emitted  int64
	pages    int64
}

// checkpointEvery bounds how often progress inside a page is saved; page ends are always saved.
const checkpointEvery = 5 * time.Second

// run pulls every range of r.state.Current that is not done. The first error ends the run, after
// the others stop at a checkpoint.
func (p *rangePull) run(ctx context.Context) (emitted int64, err error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stopProgress := p.reportProgress(ctx)
	defer stopProgress()
	todo := make(chan int)
	var wg sync.WaitGroup
	for range max(1, p.workers) {
		wg.Go(func() {
			for i := range todo {
				if err := p.pullRange(ctx, i); err != nil {
					cancel(err)
					return
				}
			}
		})
	}
feed:
	for i, r := range p.state.Current.Ranges {
		if r.Done {
			continue
		}
		select {
		case todo <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(todo)
	wg.Wait()
	if cause := context.Cause(ctx); cause != nil {
		return p.emitted, cause
	}
	return p.emitted, nil
}

// pullRange pulls one range to its end. A page whose answer was cut off is pulled again from
// where the consumer stopped accepting, on the retry schedule; any other failure ends the range.
func (p *rangePull) pullRange(ctx context.Context, i int) error {
	retry := pull.NewRetry(p.retry, p.clock)
	for {
		r := p.rangeAt(i)
		if r.Done {
			return nil
		}
		out := p.newOut()
		next, done, err := p.page(ctx, r, out)
		if err == nil {
			err = out.flush(ctx)
		}
		p.advance(ctx, i, out, next, done, err == nil)
		if err == nil {
			retry.Reset()
			continue
		}
		if ctx.Err() != nil || qualys.IsFatal(err) {
			return err
		}
		wait, ok := retry.Next()
		if !ok || !qualys.IsCutOff(err) {
			return fmt.Errorf("hosts from id %d: %w", p.rangeAt(i).Next, err)
		}
		p.logger.Warn("Page failed; pulling it again from the last accepted host",
			zap.Int64("id_min", p.rangeAt(i).Next), zap.Error(err), zap.Duration("retry_in", wait))
		if !retry.Sleep(ctx, wait) {
			return err
		}
	}
}

func (p *rangePull) rangeAt(i int) pull.IDRange {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.state.Current.Ranges[i]
}

// advance records what the consumer accepted: after a complete page the range moves to the next
// page; after a failed one, past the last host the consumer fully accepted.
func (p *rangePull) advance(ctx context.Context, i int, out *hostBatcher, next int64, done, pageComplete bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	r := &p.state.Current.Ranges[i]
	switch {
	case pageComplete && done:
		r.Done = true
	case pageComplete:
		r.Next = next
	case out.accepted >= r.Next:
		r.Next = out.accepted + 1
	}
	p.emitted += out.emitted
	r.HostsDone += out.hostsEnded
	p.state.Current.HostsDone += out.hostsEnded
	if r.Done && r.HostsDone < r.Hosts {
		p.state.Current.HostsDone += r.Hosts - r.HostsDone
		r.HostsDone = r.Hosts
	}
	if pageComplete {
		p.pages++
		p.telemetry.pageDone(p.stream, out.emitted)
	} else if out.emitted > 0 {
		p.telemetry.recordsDone(p.stream, out.emitted)
	}
	p.telemetry.progress(p.stream, p.state.Current.HostsDone, p.state.Current.Hosts)
	// A pull stopped by shutdown (or by another range's failure) saves where it stopped, so a
	// restart repeats at most the host the consumer had partly accepted.
	if pageComplete || ctx.Err() != nil || p.clock.Now().Sub(p.lastSave) >= checkpointEvery {
		p.saveLocked(ctx)
	}
}

func (p *rangePull) saveLocked(ctx context.Context) {
	p.lastSave = p.clock.Now()
	p.save(ctx)
}

// reportProgress logs, at a steady pace while the pull runs, how far it is: pages, records, elapsed
// time and, when the host count is known, an estimate of the time left. It returns the stop func.
func (p *rangePull) reportProgress(ctx context.Context) (stop func()) {
	every := p.progressEvery
	if every <= 0 {
		every = time.Minute
	}
	started := p.clock.Now()
	p.mu.Lock()
	doneAtStart := p.state.Current.HostsDone
	p.mu.Unlock()
	finished := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-finished:
				return
			case <-p.clock.After(every):
				p.logProgress(started, doneAtStart)
			}
		}
	})
	return func() { close(finished); wg.Wait() }
}

func (p *rangePull) logProgress(started time.Time, doneAtStart int64) {
	p.mu.Lock()
	cur := *p.state.Current
	pages, records := p.pages, p.emitted
	p.mu.Unlock()
	elapsed := p.clock.Now().Sub(started).Round(time.Second)
	fields := []zap.Field{
		zap.Int64("pages", pages), zap.Int64("records", records), zap.Duration("elapsed", elapsed),
		zap.Int64("hosts_done", cur.HostsDone),
	}
	if cur.Hosts > 0 {
		fields = append(fields, zap.Int64("hosts_total", cur.Hosts))
		if rate := float64(cur.HostsDone-doneAtStart) / elapsed.Seconds(); rate > 0 && cur.HostsDone < cur.Hosts {
			left := time.Duration(float64(cur.Hosts-cur.HostsDone) / rate * float64(time.Second))
			fields = append(fields, zap.Duration("estimated_remaining", left.Round(time.Second)))
		}
	}
	p.logger.Info("Pull in progress", fields...)
}
