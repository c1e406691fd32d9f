// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package pull // import "github.com/seed-d80aa3af/qualysreceiver/internal/pull"

import (
	"context"
	"fmt"
	"sync"
	"time"

	"go.opentelemetry.io/collector/config/configretry"
	"go.uber.org/zap"

	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
)

// PageFunc pulls the page of r that starts at r.Next into out, host by host. It returns the id_min
// of the next page, or done when the range has no more pages.
type PageFunc func(ctx context.Context, r IDRange, out *Batcher) (next int64, done bool, err error)

// Workers pulls ranges in parallel, each page by page, and checkpoints what the consumer accepted.
type Workers struct {
	Stream string
	// Pull is the pull in progress; its ranges move as the consumer accepts pages.
	Pull *Progress
	// Save writes the stream's checkpoint record, with Pull in it.
	Save func(ctx context.Context)
	// Workers is how many ranges are pulled at once.
	Workers int
	Retry   configretry.BackOffConfig
	// NewBatcher gives each page its batcher.
	NewBatcher func() *Batcher
	Page       PageFunc
	Logger     *zap.Logger
	Telemetry  Telemetry
	// ProgressEvery is how often a long pull logs its progress; 0 means every minute.
	ProgressEvery time.Duration
	Clock         qualys.Clock
	// PageSize is hosts per page (truncation_limit), 0 when unknown; the search for a failing host
	// ends without one once it has pulled that many.
	PageSize int
	// SkipAfter is how many times in a row a page must fail before the host that fails it is
	// looked for and skipped; 0 means DefaultSkipAfter, NeverSkip never.
	SkipAfter int
	// ProbeHost names the host the probe before a skip asks for (HostProber); nil asks for the
	// last host accepted, or the hosts above the one to skip (probe.go).
	ProbeHost func(r IDRange, host int64, skipped func(id int64) bool) (id int64, ok bool, err error)

	mu       sync.Mutex
	lastSave time.Time
	emitted  int64
	pages    int64
	// lastAccepted is, by range, the last host the consumer accepted in this run; unproven says
	// this run skipped a host and no answer holding hosts has passed since.
	lastAccepted map[int]int64
	unproven     bool
}

// checkpointEvery bounds how often progress inside a page is saved; page ends are always saved.
const checkpointEvery = 5 * time.Second

// Run pulls every range of the pull that is not done. The first error ends the run, after
// the others stop at a checkpoint.
func (p *Workers) Run(ctx context.Context) (emitted int64, err error) {
	if p.Telemetry == nil {
		p.Telemetry = nopTelemetry{}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stopProgress := p.reportProgress(ctx)
	defer stopProgress()
	todo := make(chan int)
	var wg sync.WaitGroup
	for range max(1, p.Workers) {
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
	for i := range p.Pull.Ranges {
		if p.rangeAt(i).Done { // a page of another range may have pulled this one
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
// A page that fails SkipAfter times in a row, over polls too, has the host that fails it skipped
// (skip.go).
func (p *Workers) pullRange(ctx context.Context, i int) error {
	retry := NewRetry(p.Retry, p.Clock)
	for {
		r := p.rangeAt(i)
		if r.Done {
			return nil
		}
		out := p.NewBatcher()
		next, done, err := p.Page(ctx, r, out)
		if err == nil {
			err = out.Flush(ctx)
		}
		p.advance(ctx, i, out, next, done, err == nil)
		if err == nil {
			retry.Reset()
			continue
		}
		if ctx.Err() != nil || qualys.IsFatal(err) {
			return err
		}
		if p.failedAgain(i, err) {
			if err := p.skipFailingHost(ctx, i, err); err != nil {
				return err
			}
			retry.Reset()
			continue
		}
		wait, ok := retry.Next()
		if !ok || !qualys.IsCutOff(err) {
			return fmt.Errorf("hosts from id %d: %w", p.rangeAt(i).Next, err)
		}
		p.Logger.Warn("Page failed; pulling it again from the last accepted host",
			zap.Int64("id_min", p.rangeAt(i).Next), zap.Error(err), zap.Duration("retry_in", wait))
		if !retry.Sleep(ctx, wait) {
			return err
		}
	}
}

func (p *Workers) rangeAt(i int) IDRange {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.Pull.Ranges[i]
}

// advance records what the consumer accepted: after a complete page the range moves to the next
// page; after a failed one, past the last host the consumer fully accepted.
func (p *Workers) advance(ctx context.Context, i int, out *Batcher, next int64, done, pageComplete bool) {
	p.record(ctx, i, out, pageComplete, func(r *IDRange) {
		if pageComplete {
			r.Failing = nil
		}
		switch {
		case pageComplete && done:
			r.Done = true
		case pageComplete:
			r.Next = next
		case out.accepted >= r.Next:
			r.Next = out.accepted + 1
		}
	})
}

// record moves range i as move says, after out's page, and counts and checkpoints what out
// handed on.
func (p *Workers) record(ctx context.Context, i int, out *Batcher, pageComplete bool, move func(r *IDRange)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	r := &p.Pull.Ranges[i]
	move(r)
	if pageComplete {
		p.moveRanges(out.moves)
	}
	p.emitted += out.emitted
	if out.accepted > 0 {
		if p.lastAccepted == nil {
			p.lastAccepted = map[int]int64{}
		}
		p.lastAccepted[i] = out.accepted
	}
	if pageComplete && !out.unasked && out.hostsEnded > 0 {
		p.unproven = false
	}
	r.HostsDone += out.hostsEnded
	p.Pull.HostsDone += out.hostsEnded
	if r.Done && r.HostsDone < r.Hosts {
		p.Pull.HostsDone += r.Hosts - r.HostsDone
		r.HostsDone = r.Hosts
	}
	if pageComplete {
		p.pages++
		p.Telemetry.PageDone(p.Stream, out.emitted)
	} else if out.emitted > 0 {
		p.Telemetry.RecordsDone(p.Stream, out.emitted)
	}
	p.Telemetry.Progress(p.Stream, p.Pull.HostsDone, p.Pull.Hosts)
	// A pull stopped by shutdown (or by another range's failure) saves where it stopped, so a
	// restart repeats at most the host the consumer had partly accepted.
	if pageComplete || ctx.Err() != nil || p.Clock.Now().Sub(p.lastSave) >= checkpointEvery {
		p.saveLocked(ctx)
	}
}

// moveRanges moves the other ranges of a page that was accepted whole.
func (p *Workers) moveRanges(moves []RangeMove) {
	for _, m := range moves {
		for j := range p.Pull.Ranges {
			if o := &p.Pull.Ranges[j]; o.Policy == m.Policy && !o.Done {
				o.Next, o.Done = m.Next, m.Done
				break
			}
		}
	}
}

func (p *Workers) saveLocked(ctx context.Context) {
	p.lastSave = p.Clock.Now()
	p.Save(ctx)
}

// reportProgress logs, at a steady pace while the pull runs, how far it is: pages, records, elapsed
// time and, when the host count is known, an estimate of the time left. It returns the stop func.
func (p *Workers) reportProgress(ctx context.Context) (stop func()) {
	every := p.ProgressEvery
	if every <= 0 {
		every = time.Minute
	}
	started := p.Clock.Now()
	p.mu.Lock()
	atStart := progressOf(p.Pull)
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
			case <-p.Clock.After(every):
				p.logProgress(started, atStart)
			}
		}
	})
	return func() { close(finished); wg.Wait() }
}

func (p *Workers) logProgress(started time.Time, atStart pullProgress) {
	p.mu.Lock()
	now := progressOf(p.Pull)
	pages, records := p.pages, p.emitted
	p.mu.Unlock()
	elapsed := p.Clock.Now().Sub(started).Round(time.Second)
	fields := []zap.Field{
		zap.Int64("pages", pages), zap.Int64("records", records), zap.Duration("elapsed", elapsed),
		zap.Int64("hosts_done", now.hostsDone), zap.Int("ranges_done", now.rangesDone), zap.Int("ranges", now.ranges),
	}
	if now.hosts > 0 {
		fields = append(fields, zap.Int64("hosts_total", now.hosts))
	}
	// The time left is extrapolated from the hosts done when their total is known, else from the
	// ranges done (a compliance pull knows its policies ahead, not their hosts).
	done, total, doneAtStart := float64(now.rangesDone), float64(now.ranges), float64(atStart.rangesDone)
	if now.hosts > 0 {
		done, total, doneAtStart = float64(now.hostsDone), float64(now.hosts), float64(atStart.hostsDone)
	}
	if rate := (done - doneAtStart) / elapsed.Seconds(); rate > 0 && done < total {
		left := time.Duration((total - done) / rate * float64(time.Second))
		fields = append(fields, zap.Duration("estimated_remaining", left.Round(time.Second)))
	}
	p.Logger.Info("Pull in progress", fields...)
}

// pullProgress is how far a pull is, for its progress lines.
type pullProgress struct {
	hosts, hostsDone   int64
	ranges, rangesDone int
}

func progressOf(pull *Progress) pullProgress {
	pp := pullProgress{hosts: pull.Hosts, hostsDone: pull.HostsDone, ranges: len(pull.Ranges)}
	for _, r := range pull.Ranges {
		if r.Done {
			pp.rangesDone++
		}
	}
	return pp
}
