// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package pull // import "github.com/seed-d80aa3af/qualysreceiver/internal/pull"

import (
	"context"
	"fmt"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// probe asks Qualys for hosts other than host, their records dropped: the host a HostProber
// names, else the last host this run's consumer accepted in the range, else the span above host,
// else the span below it in the range. The answer for a named host must hold it. probed is false
// when the range has no other host to ask for: the HostProber names none, or the spans above and
// below host answered without a host. It fails as Qualys fails it.
func (s *hostSearch) probe(ctx context.Context, host int64) (probed bool, err error) {
	sub := s.w.rangeAt(s.i)
	lo, hi, err := s.probeSpan(sub, host)
	if err != nil {
		return false, err
	}
	if lo != 0 {
		if probed, err = s.probeOnce(ctx, sub, lo, hi); err != nil || probed || s.w.ProbeHost != nil {
			return probed, err
		}
	}
	// Nothing above host (the end of a bounded range): the hosts below it prove Qualys answers.
	if below := max(sub.Min, 1); s.w.ProbeHost == nil && below < host {
		return s.probeOnce(ctx, sub, below, host-1)
	}
	return false, nil
}

// probeOnce asks for the hosts of range r in [lo, hi], hi math.MaxInt64 for all above lo.
func (s *hostSearch) probeOnce(ctx context.Context, sub IDRange, lo, hi int64) (probed bool, err error) {
	sub.Min, sub.Next, sub.Max = lo, lo, hi
	out := s.w.NewBatcher()
	out.consumer = NewConsumer(discard{}, s.w.Stream, s.w.Retry, s.w.Clock, s.w.Logger, nil)
	_, _, err = s.w.Page(ctx, sub, out)
	if err == nil {
		err = out.Flush(ctx)
	}
	what := fmt.Sprintf("host %d", lo)
	if hi != lo {
		what = fmt.Sprintf("the hosts from id %d", lo)
	}
	switch {
	case err != nil:
		return false, fmt.Errorf("probe for %s: %w", what, err)
	case (out.unasked || out.hostsEnded == 0) && hi != lo:
		return false, nil // no host in the span: none to prove Qualys answers with
	case out.unasked || out.hostsEnded == 0:
		return false, fmt.Errorf("probe for %s answered without it: %w", what, s.lastErr)
	}
	s.w.mu.Lock()
	s.w.unproven = false
	s.w.mu.Unlock()
	return true, nil
}

// probeSpan is the span the probe asks for, lo 0 for none.
func (s *hostSearch) probeSpan(r IDRange, host int64) (lo, hi int64, err error) {
	if s.w.ProbeHost != nil {
		id, ok, err := s.w.ProbeHost(r, host, s.skipped)
		if err != nil || !ok {
			return 0, 0, err
		}
		return id, id, nil
	}
	if id := s.w.knownHost(s.i); id > 0 && id != host && !s.skipped(id) {
		return id, id, nil
	}
	if host < s.end {
		return host + 1, s.end, nil
	}
	return 0, 0, nil
}

// knownHost is the last host this run's consumer accepted in range i, 0 for none: another
// range (another policy) may not hold it.
func (p *Workers) knownHost(i int) int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.lastAccepted[i]
}

// discard accepts everything and keeps nothing: a probe's records are pulled again by their range.
type discard struct{}

func (discard) ConsumeLogs(context.Context, plog.Logs) error          { return nil }
func (discard) ConsumeMetrics(context.Context, pmetric.Metrics) error { return nil }
