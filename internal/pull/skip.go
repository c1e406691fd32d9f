// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package pull // import "github.com/seed-d80aa3af/qualysreceiver/internal/pull"

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"go.uber.org/zap"

	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
)

// One host whose every page fails (Qualys times out on it, or its answer is always damaged) would
// block its range for good: the page is pulled again, fails, and the next poll resumes at the same
// checkpoint. Once a page has failed SkipAfter times in a row, the range is pulled in smaller id
// spans (id_min/id_max) until the one host that fails is found; every other host is pulled, and
// that host is skipped for this pull. A new pull that selects it asks for it again.

// HostProber is a Source that knows the ids of its hosts and asks Qualys nothing for a span that
// holds none of them (Batcher.Unasked): the probe before a skip asks for one it names.
type HostProber interface {
	// ProbeHost is a host of r other than host that skipped does not name, nearest to host; ok
	// is false when r has none but host. It fails when it does not know r's hosts.
	ProbeHost(r IDRange, host int64, skipped func(id int64) bool) (id int64, ok bool, err error)
}

// HostsAnswerError is a failure of the call whose answer carries a page's hosts (Host List
// Detection, Host List, host assets, posture pages). Only such a failure counts towards skipping
// a host: a failure of any other call (a policy list, a host id list) is Qualys failing, not one
// host, and fails the poll as before.
type HostsAnswerError struct{ Err error }

func (e *HostsAnswerError) Error() string { return e.Err.Error() }
func (e *HostsAnswerError) Unwrap() error { return e.Err }

// HostsAnswerFailed marks err, when not nil, as a failure of the call that carries a page's hosts.
func HostsAnswerFailed(err error) error {
	if err == nil {
		return nil
	}
	return &HostsAnswerError{Err: err}
}

// DefaultSkipAfter is how many times in a row a page must fail before the host that fails it is
// looked for.
const DefaultSkipAfter = 3

// NeverSkip is the SkipAfter of a pull that skips no host: a page that keeps failing fails the poll.
const NeverSkip = -1

// PageFailures counts the failures in a row of the page that starts at At. It is checkpointed
// with its range, so failures of successive polls add up.
type PageFailures struct {
	At    int64 `json:"at"`
	Times int   `json:"times"`
}

// pageFailure says whether err is Qualys failing to answer a page's hosts (HostsAnswerError): an
// answer cut off or damaged, or a 5xx, timeout or network failure the client's own retries did not
// get past. Credentials, permissions, a refused request, too many logins, the next consumer, a
// shutdown and the failure of any other call are not the page's fault.
func pageFailure(err error) bool {
	var he *HostsAnswerError
	var qe *qualys.Error
	return errors.As(err, &he) && errors.As(he.Err, &qe) && !qe.Fatal() && qe.Code != qualys.CodeTooManyLogins
}

func (p *Workers) skipAfter() int {
	if p.SkipAfter > 0 {
		return p.SkipAfter
	}
	return DefaultSkipAfter
}

// failedAgain counts a failure of range i's page at its Next, and says whether the host that
// fails it is to be looked for: the page has now failed skipAfter times in a row, or the range
// holds a host this pull skipped in another range (a host in several policies) or the last pull
// skipped (Suspects), which likely fails it too.
func (p *Workers) failedAgain(i int, err error) bool {
	if p.SkipAfter == NeverSkip || !pageFailure(err) {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	r := &p.Pull.Ranges[i]
	f := PageFailures{At: r.Next}
	if r.Failing != nil && r.Failing.At == r.Next {
		f = *r.Failing
	}
	f.Times++
	r.Failing = &f // replaced, not changed: copies of the range share the pointer
	inRange := func(id int64) bool { return id >= r.Next && (r.Max == 0 || id <= r.Max) }
	return f.Times >= p.skipAfter() || slices.ContainsFunc(p.Pull.Skipped, inRange) ||
		slices.ContainsFunc(p.Pull.Suspects, inRange)
}

// skipFailingHost looks for the host that keeps range i's page failing at Next, pulling every host
// before it, and skips it. When the page's hosts all pass in smaller spans, none is skipped. The
// search's calls are made once each, without the client's retries: the page already failed
// SkipAfter times, and a host Qualys times out on would cost the whole retry budget per span.
func (p *Workers) skipFailingHost(ctx context.Context, i int, cause error) error {
	retrying := ctx
	ctx = qualys.SingleAttempt(ctx)
	r := p.rangeAt(i)
	p.Logger.Warn("Page failed several times in a row; pulling it in smaller id spans to find the host that fails it",
		zap.Int64("id_min", r.Next), zap.Int("attempts", r.Failing.Times), zap.Error(cause))
	s := &hostSearch{w: p, i: i, end: r.Max, lastErr: cause}
	if s.end == 0 {
		s.end = math.MaxInt64 // an open range: no host id is above this
	}
	host, found, err := s.find(ctx)
	if err != nil {
		return err
	}
	if !found {
		p.Logger.Info("The failing page's hosts passed in smaller id spans; no host skipped", zap.Int64("id_min", r.Next))
		return nil
	}
	// One transient failure of the single attempt at [host, host] would name a healthy host: it
	// is asked for once more with the client's retries, and delivered when it passes.
	if failed, err := s.pull(retrying, host, host); err != nil || !failed {
		if err == nil {
			p.Logger.Info("The host found failing passed when asked for again; no host skipped", zap.Int64("host_id", host))
		}
		return err
	}
	return s.skip(ctx, host)
}

// hostSearch narrows the failing span of range i down to one host.
type hostSearch struct {
	w *Workers
	i int
	// end is the last host id of the range.
	end int64
	// lastErr is the last failure seen; passed counts the spans pulled whole that held at least
	// one host, hosts the hosts they read.
	lastErr error
	passed  int
	hosts   int64
}

// maxWidth bounds the spans tried while widening, so their ends never overflow.
const maxWidth = int64(1) << 62

// find widens spans from Next while they pass (each one pulled), then halves the first that fails
// until one host id is left, and checks that it fails on its own. found is false when every host
// was pulled without it, or at least a page of hosts was: the page that failed passed in parts.
func (s *hostSearch) find(ctx context.Context) (host int64, found bool, err error) {
	lo, hi := s.next(), int64(0)
	for width := int64(1); ; width = min(2*width, maxWidth) {
		hi = lo + min(width, s.end-lo+1) - 1
		failed, err := s.pull(ctx, lo, hi)
		if err != nil {
			return 0, false, err
		}
		if failed {
			break
		}
		if hi == s.end || s.w.PageSize > 0 && s.hosts >= int64(s.w.PageSize) {
			return 0, false, nil // every host of the failing page passed
		}
		lo = hi + 1
	}
	alone := true // [lo, hi] was seen failing, not only inferred to
	for {
		// What the failed span handed on before it failed is pulled; the failure lies past it.
		if lo = s.next(); lo > hi {
			return 0, false, nil
		}
		if lo == hi {
			break
		}
		mid := lo + (hi-lo)/2
		failed, err := s.pull(ctx, lo, mid)
		switch {
		case err != nil:
			return 0, false, err
		case failed:
			hi, alone = mid, true
		default:
			alone = false // [lo, mid] passed, so the failure is in [mid+1, hi]
		}
	}
	if !alone {
		if failed, err := s.pull(ctx, lo, lo); err != nil || !failed {
			return 0, false, err
		}
	}
	return lo, true, nil
}

// next is where range i stands. Host ids are positive: a range planned without its first host
// (compliance's, one per policy) stands at 0 until its first page.
func (s *hostSearch) next() int64 { return max(s.w.rangeAt(s.i).Next, 1) }

// pull pulls the hosts of [lo, hi] from Next, page by page, moving the range past what the
// consumer accepted. failed says a page failed as pageFailure means; any other error ends the
// search.
func (s *hostSearch) pull(ctx context.Context, lo, hi int64) (failed bool, err error) {
	spanHosts := int64(0)
	for {
		sub := s.w.rangeAt(s.i)
		sub.Min, sub.Max = lo, hi
		out := s.w.NewBatcher()
		next, done, err := s.w.Page(ctx, sub, out)
		if err == nil {
			err = out.Flush(ctx)
		}
		complete := err == nil
		finished := complete && (done || next > hi)
		s.hosts += out.hostsEnded
		spanHosts += out.hostsEnded
		s.w.record(ctx, s.i, out, complete, func(r *IDRange) {
			switch {
			case finished && hi == s.end:
				r.Done = true
			case finished:
				r.Next = hi + 1
			case complete:
				r.Next = next
			case out.accepted >= r.Next:
				r.Next = out.accepted + 1
			}
		})
		switch {
		case err == nil && finished:
			if !out.unasked && spanHosts > 0 {
				s.passed++ // an empty answer proves nothing: Qualys may fail every answer with a host
			}
			return false, nil
		case err == nil:
			continue
		case ctx.Err() != nil || !pageFailure(err):
			return false, err
		}
		s.lastErr = err
		return true, nil
	}
}

// skip skips host, which failed on its own, and moves range i past it. When no span that held a
// host passed during the search, Qualys may be failing every answer with a host, not one host: a
// probe for other hosts must pass first, or nothing is skipped and the pull fails as before. A
// host with no other host to probe is skipped unproven only as the run's first skip, or when an
// answer with hosts passed since its last one.
func (s *hostSearch) skip(ctx context.Context, host int64) error {
	if s.passed == 0 {
		probed, err := s.probe(ctx, host)
		if err != nil {
			return fmt.Errorf("hosts from id %d: %w", host, err)
		}
		if !probed && !s.w.mayskipUnproven() {
			return fmt.Errorf("hosts from id %d: a second host fails with no answer holding a host passing since the last skip; "+
				"Qualys may be failing every page: %w", host, s.lastErr)
		}
	}
	s.w.mu.Lock()
	r := &s.w.Pull.Ranges[s.i]
	if host == s.end {
		r.Done = true
	} else {
		r.Next = host + 1
	}
	r.Failing = nil
	policy := r.Policy
	// A host in several policies is skipped in each whose pages hold it, and counted once.
	again := slices.Contains(s.w.Pull.Skipped, host)
	if !again {
		s.w.Pull.Skipped = append(s.w.Pull.Skipped, host)
	}
	s.w.unproven = true
	s.w.saveLocked(ctx)
	s.w.mu.Unlock()
	if !again {
		s.w.Telemetry.HostsSkipped(s.w.Stream, 1)
	}
	fields := []zap.Field{zap.Int64s("host_ids", []int64{host}), zap.Error(s.lastErr)}
	if policy != 0 {
		fields = append(fields, zap.Int64("policy_id", policy))
	}
	s.w.Logger.Error("Host skipped for this pull: every page that holds it fails; the next full pull asks for it again", fields...)
	return nil
}

// mayskipUnproven says whether a host may be skipped without an answer proving Qualys answers
// pages with hosts: only the first skip of a run, or one after such an answer passed.
func (p *Workers) mayskipUnproven() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return !p.unproven
}

// skipped says whether this pull skipped host id.
func (s *hostSearch) skipped(id int64) bool {
	s.w.mu.Lock()
	defer s.w.mu.Unlock()
	return slices.Contains(s.w.Pull.Skipped, id)
}
