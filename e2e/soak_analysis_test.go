// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

//go:build unix

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
	"github.com/seed-d80aa3af/qualysreceiver/internal/simulator"
)

// TestSoakAnalysisFindsWhatWentWrong feeds the soak's analysis a made-up run, without a collector,
// in which each check must fail once: a version a completed poll had to deliver never arrived, a
// record arrived that the tenant never showed, a record came twice in a pull without a kill, and a
// stream waited longer after a failure than its back-off cap and than it announced.
func TestSoakAnalysisFindsWhatWentWrong(t *testing.T) {
	s, r0 := madeUpSoak(t)
	r := s.analyse()

	assert.Equal(t, []string{"c"}, r.missing[streamVulnerabilities], "c lasted through the poll that ended at +70m")
	assert.Equal(t, []string{"e"}, r.excused[streamVulnerabilities], "e's host was skipped: the next full pull asks for it")
	assert.Equal(t, map[int64]bool{7: true}, r.skipped[streamVulnerabilities])
	assert.Equal(t, []string{"d"}, r.unknown[streamVulnerabilities])
	assert.Equal(t, 3, r.required[streamVulnerabilities], "a, c and e, not b: b began after the poll before it ended and ended before the next")
	assert.Equal(t, 4, r.versions[streamVulnerabilities])
	assert.Equal(t, 1, r.duplicates[streamVulnerabilities])
	assert.Len(t, r.dupOver, 1, "a came twice in the first pull, with no kill in it")
	assert.Equal(t, 49*time.Minute, r.stall[streamVulnerabilities].Round(time.Second), "from the failure at +80m to the attempt that began at +129m")
	assert.Equal(t, 48*time.Minute, r.lateBy.Round(time.Second), "it announced a minute")
	assert.Equal(t, map[string]int{"completed": 4, "failed": 1}, r.polls[streamVulnerabilities])

	var failures errorRecorder
	r.assert(&failures)
	all := strings.Join(failures, "\n")
	for _, want := range []string{"vulnerabilities: versions a completed poll had to deliver that never arrived",
		"vulnerabilities: records that arrived in a version the tenant never showed", "pulls with more duplicates",
		"vulnerabilities: the longest wait after a failure", "an attempt came later than its failure announced",
		"qualys.vulnerability.detections equals the tenant"} {
		assert.Contains(t, all, want, "the soak's assertions fail on it")
	}

	// A kill in the first pull allows its pages in flight to come twice.
	s.kills = []time.Time{r0.Add(5500 * time.Millisecond)}
	r = s.analyse()
	assert.Empty(t, r.dupOver)
	assert.Equal(t, soakWorkers*5, r.dupBound[streamVulnerabilities])
}

// madeUpSoak is a run of one collector process on a clock 60 times faster than real time (a real
// second is a simulated minute) whose vulnerabilities stream completed polls ending at +10m, +40m,
// +70m and +130m, and failed one at +80m announcing a pause of a minute.
func madeUpSoak(t *testing.T) (*soak, time.Time) {
	r0 := time.Date(2026, 12, 6, 18, 0, 0, 0, time.UTC)
	s0 := time.Date(2026, 1, 15, 13, 0, 0, 0, time.UTC)
	clock := qualys.AcceleratedClock{Real: r0, Simulated: s0, Factor: 60}
	sim := func(minutes int) time.Time { return s0.Add(time.Duration(minutes) * time.Minute) }
	real := func(minutes int) time.Time { return r0.Add(time.Duration(minutes) * time.Second) }

	var log strings.Builder
	line := func(at time.Time, msg string, fields string) {
		fmt.Fprintf(&log, `{"level":"debug","ts":%q,"msg":%q,"stream":"vulnerabilities"%s}`+"\n",
			at.Format("2006-01-02T15:04:05.000Z0700"), msg, fields)
	}
	line(real(10), "Poll completed", `,"duration":60`)
	line(real(40), "Poll completed", `,"duration":60`)
	line(real(65), "Host skipped for this pull: every page that holds it fails", `,"host_ids":[7]`)
	line(real(70), "Poll completed", `,"duration":60`)
	line(real(80), "Poll failed; the next poll resumes from the last checkpoint", `,"duration":1,"next_poll_in":"1m0s"`)
	line(real(130), "Poll completed", `,"duration":60`)
	path := filepath.Join(t.TempDir(), "qualys-1.log")
	require.NoError(t, os.WriteFile(path, []byte(log.String()), 0o600))

	history := newSoakHistory()
	history.spans = map[string][]span{
		"a": {{stream: streamVulnerabilities, from: s0}},
		"b": {{stream: streamVulnerabilities, from: sim(15), to: sim(60)}},
		"c": {{stream: streamVulnerabilities, from: sim(12), to: sim(75)}},
		"e": {{stream: streamVulnerabilities, from: sim(12), to: sim(75)}},
	}
	history.hostOf = map[string]int64{"a": 1, "b": 2, "c": 3, "e": 7}
	history.pageRecords[streamVulnerabilities] = 5
	backend := &soakBackend{gauges: map[string]map[string]int64{}, deliveries: []delivery{
		{stream: streamVulnerabilities, key: "a", at: real(5)},
		{stream: streamVulnerabilities, key: "a", at: real(6)},
		{stream: streamVulnerabilities, key: "d", at: real(35)},
	}}
	s := &soak{t: t, seed: 1, tenant: simulator.NewTenant(simulator.TenantConfig{Seed: 1, Hosts: 3}), backend: backend,
		history: history, changes: &soakChanges{done: map[string]int{}}, start: s0, end: sim(130),
		faults: map[simulator.FaultKind]int{}, fired: map[simulator.FaultKind]int{}}
	s.clock.Store(&clock)
	s.processes = []*soakProcess{{log: path, clock: clock, began: r0}}
	return s, r0
}

// errorRecorder keeps the failures of assertions instead of failing a test.
type errorRecorder []string

func (e *errorRecorder) Errorf(format string, args ...any) {
	*e = append(*e, fmt.Sprintf(format, args...))
}

// An attempt that begins with the start-up checks begins when they do, not when its poll does:
// checks that pass after a minute of faults are no late attempt.
func TestSoakWaitEndsWhenTheChecksBegin(t *testing.T) {
	r0 := time.Date(2026, 12, 6, 18, 0, 0, 0, time.UTC)
	clock := qualys.AcceleratedClock{Real: r0, Simulated: r0, Factor: 60}
	real := func(minutes int) string {
		return r0.Add(time.Duration(minutes) * time.Second).Format("2006-01-02T15:04:05.000Z0700")
	}
	log := fmt.Sprintf(`{"ts":%q,"msg":"vulnerabilities: the Qualys user cannot log in","stream":"vulnerabilities","checked_again_in":"1m0s"}
{"ts":%q,"msg":"vulnerabilities: ready","stream":"vulnerabilities","duration":"2m0s"}
{"ts":%q,"msg":"Poll completed","stream":"vulnerabilities","duration":420}
`, real(10), real(13), real(20))
	path := filepath.Join(t.TempDir(), "qualys-1.log")
	require.NoError(t, os.WriteFile(path, []byte(log), 0o600))
	ends := pollEnds(t, path)
	require.Len(t, ends, 3)
	assert.Equal(t, []string{"check failed", "ready", "completed"}, []string{ends[0].outcome, ends[1].outcome, ends[2].outcome})

	r := &soakReport{stall: map[string]time.Duration{}}
	(&soak{}).measureWait(r, clock, ends, 0)
	assert.Equal(t, time.Minute, r.stall[streamVulnerabilities], "from the failed check to the checks that passed")
	assert.Zero(t, r.lateBy)
}
