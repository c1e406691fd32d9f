// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

//go:build unix

package e2e

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
	"github.com/seed-d80aa3af/qualysreceiver/internal/simulator"
)

// The soak's knobs: `make soak SEED=n DAYS=n` sets the first two; make e2e runs the short version.
const (
	soakSeedEnv   = "QUALYS_SOAK_SEED"
	soakDaysEnv   = "QUALYS_SOAK_DAYS"
	soakFactorEnv = "QUALYS_SOAK_FACTOR"
	soakReportEnv = "QUALYS_SOAK_REPORT"
	soakDirEnv    = "QUALYS_SOAK_DIR"

	soakDefaultSeed   = 19
	soakDefaultDays   = 1
	soakDefaultFactor = 720 // a simulated day in two minutes
	soakPageSize      = 10
	soakWorkers       = 2
	// soakDowntime is how long the collector is down before the last start: a week, so that every
	// stream's next pull is a full one and the gauges forget the hosts that left.
	soakDowntime = 7 * 24 * time.Hour
)

// soakIntervals are the streams' intervals in the soak's configuration (soakConfig); a failed
// poll's back-off is capped at its interval (retry_failed_poll::max_interval left at its default).
var soakIntervals = map[string]time.Duration{
	streamVulnerabilities: 30 * time.Minute, streamAssets: 45 * time.Minute, streamCompliance: time.Hour,
}

// TestSoak drives the ocb-built collector against the simulator through simulated days on an
// accelerated clock: faults drawn from the fault matrix on every stream's endpoints, changes in the
// tenant between polls, kill -9 at random moments and a backend that refuses for hours. Then the
// collector is down for a week and starts once more. Every version of a record the tenant showed
// throughout a completed poll must have arrived, duplicates stay within the pages in flight at
// each kill, the gauges equal the tenant, and no stream waited longer than its back-off cap after
// a failure. The report goes to the test log (and to $QUALYS_SOAK_REPORT).
func TestSoak(t *testing.T) {
	collector := builtCollector(t)
	seed, days, factor := soakParam(t, soakSeedEnv, soakDefaultSeed), soakParam(t, soakDaysEnv, soakDefaultDays), soakParam(t, soakFactorEnv, soakDefaultFactor)
	s := newSoak(t, collector, uint64(seed), float64(factor))
	s.run(time.Duration(days) * 24 * time.Hour)
	r := s.analyse()
	report := r.String()
	t.Log("\n" + report)
	if path := os.Getenv(soakReportEnv); path != "" {
		require.NoError(t, os.WriteFile(path, []byte(report), 0o600))
	}
	r.assert(t)
}

func soakParam(t *testing.T, env string, def int) int {
	t.Helper()
	v := os.Getenv(env)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	require.NoError(t, err, "%s", env)
	require.Positive(t, n, "%s", env)
	return n
}

// soak is one run: the tenant and its simulator on the shared clock, the backend, the collector's
// processes and what happened.
type soak struct {
	t         *testing.T
	collector string
	seed      uint64
	rnd       *rand.Rand
	clock     atomic.Pointer[qualys.AcceleratedClock]
	tenant    *simulator.Tenant
	sim       *simulator.Server
	backend   *soakBackend
	history   *soakHistory
	changes   *soakChanges
	dir       string
	config    string

	start, end time.Time // simulated, the chaos's
	processes  []*soakProcess
	kills      []time.Time // real
	// afterBatch counts the kills that came right after the backend accepted a batch.
	afterBatch int
	faults     map[simulator.FaultKind]int // injected, by kind
	fired      map[simulator.FaultKind]int // requests they damaged, by kind
	refusals   int
	refused    time.Duration // simulated
	refusing   time.Time     // simulated, since when the backend refuses; zero when it does not
}

// soakProcess is one run of the collector with the clock it was given.
type soakProcess struct {
	*process
	log   string
	clock qualys.AcceleratedClock
	began time.Time // real
}

func newSoak(t *testing.T, collector string, seed uint64, factor float64) *soak {
	s := &soak{t: t, collector: collector, seed: seed, rnd: rand.New(rand.NewPCG(seed, seed^0x50a4)), dir: soakDir(t),
		history: newSoakHistory(), faults: map[simulator.FaultKind]int{}, fired: map[simulator.FaultKind]int{}}
	s.tenant = simulator.NewTenant(simulator.TenantConfig{Seed: seed, Hosts: 60, LaterHosts: 12, DetectionsPerHost: 5, QIDs: 150,
		Policies: 2, ControlsPerPolicy: 4, ResultsBytes: 60})
	s.start = s.tenant.Config().BaseTime.Add(time.Hour)
	s.clock.Store(&qualys.AcceleratedClock{Real: time.Now(), Simulated: s.start, Factor: factor})
	s.changes = &soakChanges{tenant: s.tenant, rnd: s.rnd, done: map[string]int{}}
	s.sim = simulator.New(s.tenant, simulator.Options{Username: user, Password: password, Clock: s.now})
	apiURL, gatewayURL := s.sim.Start()
	t.Cleanup(s.sim.Close)
	s.backend = startSoakBackend(t)
	storage := filepath.Join(s.dir, "storage")
	require.NoError(t, os.Mkdir(storage, 0o700))
	s.config = filepath.Join(s.dir, "qualys.yaml")
	require.NoError(t, os.WriteFile(s.config, fmt.Appendf(nil, soakConfig, storage, apiURL, gatewayURL, user, soakWorkers,
		soakIntervals[streamVulnerabilities], soakPageSize, soakIntervals[streamAssets], soakPageSize,
		soakIntervals[streamCompliance], s.backend.port), 0o600))
	s.history.observe(s.tenant, soakPageSize, s.start, s.start)
	return s
}

// soakDir is where the collector's configuration, logs and storage go: $QUALYS_SOAK_DIR, kept for
// a look after the run, or a directory of the test's own.
func soakDir(t *testing.T) string {
	dir := os.Getenv(soakDirEnv)
	if dir == "" {
		return t.TempDir()
	}
	dir, err := os.MkdirTemp(dir, "soak-")
	require.NoError(t, err)
	t.Logf("the soak's files are in %s", dir)
	return dir
}

func (s *soak) now() time.Time { return s.clock.Load().Now() }

// sleepUntil waits for the simulated time at.
func (s *soak) sleepUntil(at time.Time) {
	if d := at.Sub(s.now()); d > 0 {
		time.Sleep(s.clock.Load().RealDuration(d))
	}
}

// run is the chaos for the simulated duration, then a week of downtime and a quiet last start
// that lasts until every stream completed two polls.
func (s *soak) run(duration time.Duration) {
	s.startCollector()
	end := s.start.Add(duration)
	next := map[string]time.Time{}
	at := func(lo, hi time.Duration) time.Time {
		return s.now().Add(lo + time.Duration(s.rnd.Int64N(int64(hi-lo))))
	}
	next["change"], next["fault"], next["kill"], next["refuse"] = at(20*time.Minute, time.Hour), at(time.Hour, 3*time.Hour),
		at(4*time.Hour, 14*time.Hour), at(6*time.Hour, 20*time.Hour)
	for s.now().Before(end) {
		s.sleepUntil(s.now().Add(30 * time.Second))
		s.checkAlive()
		now := s.now()
		switch {
		case !now.Before(next["change"]):
			s.change()
			next["change"] = at(10*time.Minute, time.Hour)
		case !now.Before(next["fault"]):
			s.injectFault()
			next["fault"] = at(30*time.Minute, 3*time.Hour)
		case !now.Before(next["kill"]):
			if s.rnd.IntN(2) == 0 {
				s.awaitBatch(now.Add(6 * time.Hour))
			}
			s.kill()
			s.sleepUntil(at(time.Minute, 40*time.Minute))
			s.startCollector()
			next["kill"] = at(4*time.Hour, 16*time.Hour)
		case !s.refusing.IsZero() && !now.Before(next["accept"]):
			s.stopRefusing()
		case s.refusing.IsZero() && !now.Before(next["refuse"]):
			s.refusals++
			s.refusing = now
			s.backend.refuse.Store(true)
			next["accept"] = at(15*time.Minute, 3*time.Hour)
			next["refuse"] = at(8*time.Hour, 30*time.Hour)
		}
	}
	s.end = s.now()
	s.quiet()
}

// change makes one to three changes in the tenant, dated a little after the moment they become
// visible so that no answer served before them carries a later DATETIME, and records the result.
func (s *soak) change() {
	before := s.now()
	dated := before.Truncate(time.Second).Add(2 * time.Second)
	for range 1 + s.rnd.IntN(3) {
		kind, err := s.changes.change(dated)
		require.NoError(s.t, err, "change %q", kind)
	}
	s.history.observe(s.tenant, soakPageSize, before, s.now())
}

// stopRefusing makes the backend accept again.
func (s *soak) stopRefusing() {
	if s.refusing.IsZero() {
		return
	}
	s.backend.refuse.Store(false)
	s.refused += s.now().Sub(s.refusing)
	s.refusing = time.Time{}
}

func (s *soak) startCollector() {
	c := *s.clock.Load()
	p := &soakProcess{log: filepath.Join(s.dir, fmt.Sprintf("qualys-%d.log", len(s.processes)+1)), clock: c, began: time.Now()}
	p.process = startProcessWith(s.t, s.collector, s.config, p.log, []string{"--feature-gates=receiver.qualys.acceleratedClock"},
		[]string{"QUALYS_ACCELERATED_CLOCK=" + c.String()})
	s.processes = append(s.processes, p)
}

func (s *soak) current() *soakProcess { return s.processes[len(s.processes)-1] }

func (s *soak) kill() {
	p := s.current()
	p.signal(s.t, syscall.SIGKILL)
	p.wait(s.t, 10*time.Second)
	s.kills = append(s.kills, time.Now())
}

// awaitBatch returns as soon as the backend accepts a batch of records, in the middle of a pull,
// or at the simulated time until: half the kills strike between a batch accepted and the
// checkpoint after it, where a restart sends records twice.
func (s *soak) awaitBatch(until time.Time) {
	select {
	case <-s.backend.accepted: // an old one
	default:
	}
	for s.now().Before(until) {
		select {
		case <-s.backend.accepted:
			s.afterBatch++
			return
		case <-time.After(s.clock.Load().RealDuration(time.Minute)):
			s.checkAlive()
		}
	}
}

func (s *soak) checkAlive() {
	select {
	case <-s.current().done:
		s.t.Fatalf("the collector exited on its own; its log:\n%s", tail(s.current().log))
	default:
	}
}

// quiet ends the chaos: the faults are cleared, the collector is killed once more and starts
// after a week, and runs until each stream has completed two polls (the first after a week is a
// full pull, the second brings what changed during the first).
func (s *soak) quiet() {
	for _, f := range s.sim.Faults() {
		s.fired[f.Fault.Kind] += f.Fired
	}
	s.sim.ClearFaults()
	s.stopRefusing()
	s.kill()
	c := qualys.AcceleratedClock{Real: time.Now(), Simulated: s.now().Add(soakDowntime), Factor: s.clock.Load().Factor}
	s.clock.Store(&c)
	s.startCollector()
	deadline := time.Now().Add(5 * time.Minute)
	for {
		s.checkAlive()
		done := true
		counts := completedPolls(s.t, s.current().log)
		for _, stream := range soakStreams {
			done = done && counts[stream] >= 2
		}
		if done {
			break
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the streams did not complete two polls after the last start (%v); its log:\n%s", counts, tail(s.current().log))
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(time.Second) // the last metrics follow the last records
	p := s.current()
	p.signal(s.t, syscall.SIGTERM)
	p.wait(s.t, 30*time.Second)
}

// The collector under test: every stream, checkpoints in file_storage, intervals of minutes, a
// short HTTP timeout (it stays real time, so a stalled answer costs an hour of simulated time),
// and an exporter that neither queues nor retries, so a refusal reaches the receiver. Its log is
// read for the end of every attempt: unsampled, at debug level.
const soakConfig = `
extensions:
  file_storage:
    directory: %s
receivers:
  qualys:
    api_url: %s
    gateway_url: %s
    username: %s
    password: ${env:QUALYS_PASSWORD}
    storage: file_storage
    max_concurrency: %d
    timeout: 5s
    vulnerabilities:
      interval: %s
      page_size: %d
      full_sync_interval: 24h
    assets:
      interval: %s
      page_size: %d
      modified_within: 0
    compliance:
      interval: %s
exporters:
  otlp_grpc:
    endpoint: 127.0.0.1:%d
    tls:
      insecure: true
    sending_queue:
      enabled: false
    retry_on_failure:
      enabled: false
service:
  extensions: [file_storage]
  telemetry:
    logs:
      level: debug
      encoding: json
      sampling:
        enabled: false
    metrics:
      level: none
  pipelines:
    logs:
      receivers: [qualys]
      exporters: [otlp_grpc]
    metrics:
      receivers: [qualys]
      exporters: [otlp_grpc]
`
