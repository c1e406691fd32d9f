// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

//go:build unix

package e2e

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
	"github.com/seed-d80aa3af/qualysreceiver/internal/simulator"
)

// pollEnd is the scheduler's line at the end of an attempt: a completed or failed poll, a
// failed start-up check, or checks passed (ready), after which the poll begins.
type pollEnd struct {
	stream  string
	at      time.Time     // real, the line's time
	elapsed time.Duration // simulated, the attempt's duration
	outcome string        // completed, failed, check failed, ready
	wait    time.Duration // simulated, the pause announced before the next attempt
}

// pollEnds reads the attempts' ends from a collector's JSON log.
func pollEnds(t *testing.T, path string) []pollEnd {
	t.Helper()
	var out []pollEnd
	eachLine(t, path, func(line []byte) {
		var l map[string]any
		if json.Unmarshal(line, &l) != nil {
			return // not a JSON line (the collector's first words)
		}
		stream, _ := l["stream"].(string)
		msg, _ := l["msg"].(string)
		e := pollEnd{stream: stream, elapsed: logDuration(l["duration"])}
		switch {
		case stream == "":
			return
		case msg == "Poll completed":
			e.outcome = "completed"
		case strings.HasPrefix(msg, "Poll failed"):
			e.outcome, e.wait = "failed", logDuration(l["next_poll_in"])
		case l["checked_again_in"] != nil:
			e.outcome, e.wait = "check failed", logDuration(l["checked_again_in"])
		case msg == stream+": ready":
			e.outcome = "ready"
		default:
			return
		}
		ts, _ := l["ts"].(string)
		at, err := time.Parse("2006-01-02T15:04:05.000Z0700", ts)
		require.NoError(t, err, "%s", line)
		e.at = at
		out = append(out, e)
	})
	return out
}

// logDuration reads a duration as zap writes it in JSON: seconds, or a Stringer's text.
func logDuration(v any) time.Duration {
	switch v := v.(type) {
	case float64:
		return time.Duration(v * float64(time.Second))
	case string:
		d, _ := time.ParseDuration(v)
		return d
	}
	return 0
}

// skippedHosts adds to skipped, by stream, the hosts a collector's JSON log says were skipped.
func skippedHosts(t *testing.T, path string, skipped map[string]map[int64]bool) {
	t.Helper()
	eachLine(t, path, func(line []byte) {
		var l struct {
			Msg     string  `json:"msg"`
			Stream  string  `json:"stream"`
			HostIDs []int64 `json:"host_ids"`
		}
		if json.Unmarshal(line, &l) != nil || !strings.HasPrefix(l.Msg, "Host skipped") {
			return
		}
		if skipped[l.Stream] == nil {
			skipped[l.Stream] = map[int64]bool{}
		}
		for _, id := range l.HostIDs {
			skipped[l.Stream][id] = true
		}
	})
}

func completedPolls(t *testing.T, path string) map[string]int {
	out := map[string]int{}
	for _, e := range pollEnds(t, path) {
		if e.outcome == "completed" {
			out[e.stream]++
		}
	}
	return out
}

// soakReport is what the soak found.
type soakReport struct {
	seed               uint64
	simulated, real    time.Duration
	factor             float64
	hosts, later       int
	polls              map[string]map[string]int // stream -> outcome -> attempts
	faults, fired      map[simulator.FaultKind]int
	changes            map[string]int
	kills, afterBatch  int
	refusals           int
	refused            time.Duration
	refusedExports     int64
	versions, required map[string]int
	delivered, records map[string]int
	missing, unknown   map[string][]string
	// skipped are the hosts each stream skipped because every page holding them failed (from the
	// collector's log); excused the versions of those hosts that never arrived: a skipped host is
	// asked for again only by the next full pull, which may come after the version is gone.
	skipped               map[string]map[int64]bool
	excused               map[string][]string
	duplicates, dupBound  map[string]int
	dupOver               []string
	stall, cap            map[string]time.Duration
	lateBy                time.Duration // the most an attempt came later than announced
	slack                 time.Duration
	gaugesGot, gaugesWant map[string]map[string]int64
}

func (s *soak) analyse() *soakReport {
	cfg := s.tenant.Config()
	r := &soakReport{seed: s.seed, factor: s.clock.Load().Factor, hosts: cfg.Hosts - cfg.LaterHosts, later: cfg.LaterHosts,
		polls: map[string]map[string]int{}, faults: s.faults, fired: s.fired, changes: s.changes.done,
		kills: len(s.kills), afterBatch: s.afterBatch, refusals: s.refusals, refused: s.refused, refusedExports: s.backend.refused.Load(),
		versions: map[string]int{}, required: map[string]int{}, delivered: map[string]int{}, records: map[string]int{},
		missing: map[string][]string{}, unknown: map[string][]string{}, skipped: map[string]map[int64]bool{},
		excused: map[string][]string{}, duplicates: map[string]int{}, dupBound: map[string]int{},
		stall: map[string]time.Duration{}, cap: soakIntervals}
	first := s.processes[0]
	r.real = time.Since(first.began)
	r.simulated = s.end.Sub(s.start)
	// An instant read from a log line is good to the millisecond, which the clock multiplies.
	margin := time.Duration(r.factor) * 5 * time.Millisecond
	r.slack = time.Minute + time.Duration(r.factor)*300*time.Millisecond

	type end struct {
		pollEnd
		sim time.Time
	}
	var completed []end                // every stream, real time order
	failed := map[string][]time.Time{} // real, by stream
	for _, p := range s.processes {
		skippedHosts(s.t, p.log, r.skipped)
		ends := pollEnds(s.t, p.log)
		for i, e := range ends {
			if r.polls[e.stream] == nil {
				r.polls[e.stream] = map[string]int{}
			}
			r.polls[e.stream][e.outcome]++
			if e.outcome == "completed" {
				completed = append(completed, end{e, p.clock.At(e.at)})
			}
			if e.outcome == "failed" {
				failed[e.stream] = append(failed[e.stream], e.at)
			}
			s.measureWait(r, p.clock, ends, i)
		}
	}
	deliveries, gauges := s.backend.snapshot()
	r.gaugesGot, r.gaugesWant = gauges, s.tenantGauges()
	for _, stream := range soakStreams {
		var ends []end
		for _, e := range completed {
			if e.stream == stream {
				ends = append(ends, e)
			}
		}
		s.checkRequired(r, stream, func(from, to time.Time) bool {
			prev := first.clock.At(first.began)
			for _, e := range ends {
				if from.Before(prev.Add(-margin)) && (to.IsZero() || to.After(e.sim.Add(margin))) {
					return true
				}
				prev = e.sim
			}
			return false
		}, deliveries)
		bounds := make([]time.Time, len(ends))
		for i, e := range ends {
			bounds[i] = e.at.Add(time.Millisecond) // the line's time is cut to the millisecond
		}
		s.countDuplicates(r, stream, bounds, append(slices.Clone(s.kills), failed[stream]...), deliveries)
	}
	return r
}

// measureWait compares the pause before attempt i+1 with what attempt i announced and, after a
// failure, with the back-off cap. An attempt that begins with checks begins when they do.
func (s *soak) measureWait(r *soakReport, c qualys.AcceleratedClock, ends []pollEnd, i int) {
	e := ends[i]
	if e.outcome == "completed" || e.outcome == "ready" {
		return
	}
	for _, next := range ends[i+1:] {
		if next.stream != e.stream {
			continue
		}
		idle := c.At(next.at).Add(-next.elapsed).Sub(c.At(e.at))
		r.stall[e.stream] = max(r.stall[e.stream], idle)
		r.lateBy = max(r.lateBy, idle-e.wait)
		return
	}
}

// checkRequired counts the versions of stream, those a completed poll had to deliver (required
// says so of a version's span) and those that arrived; and any record that arrived in a version
// the tenant never showed.
func (s *soak) checkRequired(r *soakReport, stream string, required func(from, to time.Time) bool, deliveries []delivery) {
	arrived := map[string]bool{}
	for _, d := range deliveries {
		if d.stream == stream {
			arrived[d.key] = true
			r.records[stream]++
		}
	}
	for _, key := range slices.Sorted(maps.Keys(s.history.spans)) {
		spans := s.history.spans[key]
		if spans[0].stream != stream {
			continue
		}
		r.versions[stream]++
		if arrived[key] {
			r.delivered[stream]++
		}
		if slices.ContainsFunc(spans, func(sp span) bool { return required(sp.from, sp.to) }) {
			r.required[stream]++
			switch {
			case arrived[key]:
			case r.skipped[stream][s.history.hostOf[key]]:
				r.excused[stream] = append(r.excused[stream], key)
			default:
				r.missing[stream] = append(r.missing[stream], key)
			}
		}
	}
	for key := range arrived {
		if _, ok := s.history.spans[key]; !ok {
			r.unknown[stream] = append(r.unknown[stream], key)
		}
	}
}

// countDuplicates counts the records of stream that arrived more than once in one pull (between
// two completed polls, bounds), against the pages in flight at each interruption within it: a kill,
// or a failed poll, which cancels the batches the other ranges have in flight, and the backend may
// have accepted one just before.
func (s *soak) countDuplicates(r *soakReport, stream string, bounds, interruptions []time.Time, deliveries []delivery) {
	perPull := map[int]map[string]int{}
	for _, d := range deliveries {
		if d.stream != stream {
			continue
		}
		pull := sort.Search(len(bounds), func(i int) bool { return !bounds[i].Before(d.at) })
		if perPull[pull] == nil {
			perPull[pull] = map[string]int{}
		}
		perPull[pull][d.key]++
	}
	pages := soakWorkers * s.history.pageRecords[stream]
	for pull, keys := range perPull {
		extra := 0
		for _, n := range keys {
			extra += n - 1
		}
		n := 0
		for _, at := range interruptions {
			if (pull == 0 || at.After(bounds[pull-1])) && (pull == len(bounds) || !at.After(bounds[pull])) {
				n++
			}
		}
		r.duplicates[stream] += extra
		r.dupBound[stream] += n * pages
		if extra > n*pages {
			r.dupOver = append(r.dupOver, fmt.Sprintf("%s pull %d: %d duplicates, %d kills or failed polls", stream, pull, extra, n))
		}
	}
}

// tenantGauges is what the gauges must say of the tenant as it is now.
func (s *soak) tenantGauges() map[string]map[string]int64 {
	c := s.tenant.Counts(simulator.Query{Statuses: allStatuses})
	out := map[string]map[string]int64{"qualys.vulnerability.detections": {}, "qualys.assets": {}, "qualys.compliance.postures": {}}
	for status, n := range c.ByStatus {
		out["qualys.vulnerability.detections"][status] = int64(n)
	}
	for status, n := range c.PosturesByStatus {
		out["qualys.compliance.postures"][status] = int64(n)
	}
	s.tenant.EachHost(simulator.Query{}, func(h *simulator.Host, _ []simulator.Detection, _ []simulator.Posture) bool {
		out["qualys.assets"][h.TrackingMethod]++
		return true
	})
	return out
}

func (r *soakReport) assert(t assert.TestingT) {
	for _, stream := range soakStreams {
		assert.Positive(t, r.required[stream], "%s: versions a completed poll had to deliver", stream)
		assert.Empty(t, r.missing[stream], "%s: versions a completed poll had to deliver that never arrived", stream)
		assert.Empty(t, r.unknown[stream], "%s: records that arrived in a version the tenant never showed", stream)
		assert.LessOrEqual(t, r.stall[stream], r.cap[stream]+r.slack, "%s: the longest wait after a failure", stream)
	}
	assert.Empty(t, r.dupOver, "pulls with more duplicates than the pages in flight at their kills")
	assert.LessOrEqual(t, r.lateBy, r.slack, "an attempt came later than its failure announced")
	for name, want := range r.gaugesWant {
		assert.Equal(t, nonZero(want), nonZero(r.gaugesGot[name]), "%s equals the tenant", name)
	}
	assert.Positive(t, r.kills)
	assert.Positive(t, len(r.faults))
}

func nonZero(m map[string]int64) map[string]int64 {
	out := map[string]int64{}
	for k, v := range m {
		if v != 0 {
			out[k] = v
		}
	}
	return out
}

// String is the report as make soak prints it and README.md quotes it.
func (r *soakReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "seed %d: %s simulated (then a week down and one more start) at %gx, %s real\n",
		r.seed, days(r.simulated), r.factor, r.real.Round(time.Second))
	fmt.Fprintf(&b, "tenant: %d hosts, %d more joining; changes between polls: %s\n", r.hosts, r.later, counted(r.changes))
	fmt.Fprintf(&b, "faults injected: %s\n", counted(r.faults))
	fmt.Fprintf(&b, "answers damaged by them: %s\n", counted(r.fired))
	fmt.Fprintf(&b, "restarts by kill -9: %d (%d right after a batch arrived); backend refusing: %d times, %s simulated, %d exports refused\n",
		r.kills, r.afterBatch, r.refusals, r.refused.Round(time.Minute), r.refusedExports)
	fmt.Fprintf(&b, "%-16s %9s %7s %6s %8s %8s %9s %8s %10s %11s\n", "stream", "completed", "failed", "checks",
		"versions", "required", "delivered", "missing", "duplicates", "longest wait")
	for _, s := range soakStreams {
		fmt.Fprintf(&b, "%-16s %9d %7d %6d %8d %8d %9d %8d %10s %11s\n", s, r.polls[s]["completed"], r.polls[s]["failed"],
			r.polls[s]["check failed"], r.versions[s], r.required[s], r.delivered[s], len(r.missing[s]),
			fmt.Sprintf("%d/%d", r.duplicates[s], r.dupBound[s]), fmt.Sprintf("%s/%s", r.stall[s].Round(time.Minute), r.cap[s]))
	}
	equal := true
	for name, want := range r.gaugesWant {
		equal = equal && fmt.Sprint(nonZero(want)) == fmt.Sprint(nonZero(r.gaugesGot[name]))
	}
	fmt.Fprintf(&b, "records arrived: %s; gauges equal the tenant: %t\n", counted(r.records), equal)
	skipped, excused := map[string]int{}, map[string]int{}
	for _, s := range soakStreams {
		skipped[s], excused[s] = len(r.skipped[s]), len(r.excused[s])
	}
	fmt.Fprintf(&b, "hosts skipped (every page holding them failed): %s; their versions that never arrived: %s\n",
		counted(skipped), counted(excused))
	b.WriteString("(versions: the records' versions the tenant showed; required: those a completed poll had to deliver;\n" +
		" duplicates: records that came twice in one pull / the pages in flight at its kills and failed polls;\n" +
		" longest wait: after a failed poll or check / the back-off cap, the stream's interval)\n")
	return b.String()
}

func days(d time.Duration) string {
	return fmt.Sprintf("%.1f days", d.Hours()/24)
}

// counted writes "total (kind n, kind n, ...)" in the kinds' order.
func counted[K ~string](m map[K]int) string {
	total := 0
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		total += m[k]
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return fmt.Sprintf("%d (%s)", total, strings.Join(parts, ", "))
}
