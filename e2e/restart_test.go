// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

//go:build unix

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/filestorage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/collector/extension/xextension/storage"

	"github.com/seed-d80aa3af/qualysreceiver/internal/checkpoint"
	"github.com/seed-d80aa3af/qualysreceiver/internal/simulator"
)

const (
	// restartWorkers is max_concurrency: at most this many host id ranges are in flight at once.
	restartWorkers = 2
	// restartPage is vulnerabilities::page_size, hosts per Host List Detection page.
	restartPage = 10

	resumedLine   = "Resuming the pull interrupted by the last shutdown"
	completedLine = "Pull completed"
)

// TestKillAndRestartOverOTLP kills the collector with SIGKILL in the middle of a vulnerabilities
// pull and starts it again on the same file_storage directory. Together the two runs deliver every
// detection to the backend; the second resumes from the checkpoint rather than starting over.
func TestKillAndRestartOverOTLP(t *testing.T) {
	collector := builtCollector(t)
	began := time.Now()

	// 100 hosts make 2 ranges of 50 (receiver/hostids.go), 5 pages of 10 hosts each. A host has 150
	// detections on average, so a page (about 1,500) goes to the pipeline in more than one batch of
	// 1,000 (receiver/batch.go) and a kill can come after part of a page was accepted: the case the
	// duplicate bound is about. Every answer is paced at 1 MiB/s, so a page (about 2 MB) takes two
	// seconds and the pull about ten: time to kill the collector before the pull ends.
	tenant := simulator.NewTenant(simulator.TenantConfig{Seed: 11, Hosts: 100, DetectionsPerHost: 150, QIDs: 1000, ResultsBytes: -1})
	sim := simulator.New(tenant, simulator.Options{Username: user, Password: password, BandwidthBytesPerSec: 1 << 20})
	apiURL, gatewayURL := sim.Start()
	defer sim.Close()
	want := tenant.Counts(simulator.Query{Statuses: allStatuses}).Detections

	dir := t.TempDir()
	storageDir := filepath.Join(dir, "storage")
	require.NoError(t, os.Mkdir(storageDir, 0o700))
	otlpPort := freePort(t)
	backendCfg := filepath.Join(dir, "backend.yaml")
	require.NoError(t, os.WriteFile(backendCfg, fmt.Appendf(nil, backendConfig, otlpPort, dir, dir, freePort(t)), 0o600))
	qualysCfg := filepath.Join(dir, "qualys.yaml")
	require.NoError(t, os.WriteFile(qualysCfg, fmt.Appendf(nil, restartConfig, storageDir, apiURL, gatewayURL, user, restartWorkers, restartPage, otlpPort), 0o600))
	logsPath, log1, log2 := filepath.Join(dir, "logs.json"), filepath.Join(dir, "qualys-1.log"), filepath.Join(dir, "qualys-2.log")

	backend := start(t, collector, backendCfg, filepath.Join(dir, "backend.log"))
	waitForPort(t, otlpPort)

	// Run 1: killed once a quarter of the detections reached the backend.
	run1 := startProcess(t, collector, qualysCfg, log1)
	if !assert.Eventually(t, func() bool { return countDetections(logsPath) >= want/4 }, 60*time.Second, 100*time.Millisecond) {
		t.Fatalf("detections did not start arriving; collector log:\n%s", tail(log1))
	}
	run1.signal(t, syscall.SIGKILL)
	run1.wait(t, 10*time.Second)
	killedAt := time.Since(began)
	require.NotContains(t, readText(t, log1), completedLine, "the pull ended before the kill: slow the simulator down further")
	// What run 1 delivered, once the backend's file exporter has written it all (it flushes every
	// second). Repeats inside run 1 (a batch retried on a slow machine) are not the restart's.
	waitForStableCount(t, logsPath)
	seen1, _ := detectionsIn(t, logsPath)

	// What the second run finds on disk: the interrupted pull, with pages accepted.
	ranges := storedRanges(t, storageDir)
	moved, open := 0, 0
	for _, r := range ranges {
		if r.Done || r.Next > r.Min {
			moved++
		}
		if !r.Done {
			open++
		}
	}
	require.Positive(t, moved, "the checkpoint records accepted pages: %+v", ranges)
	require.Positive(t, open, "the checkpoint still has ranges to pull: %+v", ranges)

	// Run 2: the same configuration and storage directory; wait for the pull to complete.
	sim.ResetRequests()
	run2 := startProcess(t, collector, qualysCfg, log2)
	if !assert.Eventually(t, func() bool { return strings.Contains(readText(t, log2), completedLine) }, 60*time.Second, 200*time.Millisecond) {
		t.Fatalf("the resumed pull did not complete; collector log:\n%s", tail(log2))
	}
	// Stop both collectors so the file exporter has flushed everything it received.
	run2.signal(t, syscall.SIGTERM)
	run2.wait(t, 10*time.Second)
	require.NoError(t, backend.Process.Signal(os.Interrupt))
	_ = backend.Wait()

	// Resumed, not started over: the log says so, the host plan came from the checkpoint, and no
	// page below a range's checkpoint (or of a finished range) was asked for again.
	assert.True(t, strings.Contains(readText(t, log2), resumedLine), "the second run logged %q", resumedLine)
	hostLists, pages, below := 0, 0, 0
	for _, req := range sim.Requests() {
		switch req.Endpoint {
		case simulator.EndpointHostList:
			hostLists++
		case simulator.EndpointHLD:
			idMin, ok := requestIDMin(t, req)
			if !ok {
				continue // the start-up check's one-host call
			}
			pages++
			if r := rangeOf(ranges, idMin); r == nil || r.Done || idMin < r.Next {
				below++
			}
		}
	}
	assert.Zero(t, hostLists, "the second run took its host plan from the checkpoint")
	assert.Zero(t, below, "pages the second run asked for again although the checkpoint had them accepted")

	// Nothing lost, and the repeats are bounded. The checkpoint of each range moves when a page
	// has been accepted, and a SIGKILL writes nothing more, so what comes twice is at most the part
	// of the page each range had in flight that the pipeline had accepted: hosts of the page
	// starting at the range's checkpointed Next, i.e. at most one page (page_size hosts) per range
	// in flight, and at most max_concurrency ranges in flight. The exporter sends synchronously, so
	// "accepted" here means the backend has it.
	seen, hostOf := detectionsIn(t, logsPath)
	require.Len(t, seen, want, "every simulated detection arrived at least once")

	var hosts []int64 // the hosts Host List Detection pages through, ascending
	for _, h := range hostOf {
		hosts = append(hosts, h)
	}
	slices.Sort(hosts)
	hosts = slices.Compact(hosts)
	repeated := 0
	repeatedHosts := map[int64]map[int64]bool{} // range Min -> hosts repeated in it
	var outside []int64                         // repeated hosts outside the page their range had in flight
	withinRun1 := 0
	for k, n := range seen {
		n1 := seen1[k]
		withinRun1 += max(n1-1, 0)
		if n1 == 0 || n == n1 {
			continue // only run 2 delivered it, or only run 1
		}
		repeated++
		assert.Equal(t, 1, n-n1, "detection %s, delivered by run 1, came %d times from run 2", k, n-n1)
		h := hostOf[k]
		r := rangeOf(ranges, h)
		if r == nil || r.Done || !slices.Contains(pageAt(hosts, r), h) {
			outside = append(outside, h)
			continue
		}
		if repeatedHosts[r.Min] == nil {
			repeatedHosts[r.Min] = map[int64]bool{}
		}
		repeatedHosts[r.Min][h] = true
	}
	slices.Sort(outside)
	assert.Empty(t, slices.Compact(outside), "hosts that came again outside the page in flight of an unfinished range %+v", ranges)
	assert.LessOrEqual(t, len(repeatedHosts), restartWorkers, "repeats only in the ranges in flight")
	perHost := map[int64]int{}
	for _, h := range hostOf {
		perHost[h]++
	}
	bound := 0 // one page's worth of detections per range that repeated
	for lo := range repeatedHosts {
		for _, h := range pageAt(hosts, rangeOf(ranges, lo)) {
			bound += perHost[h]
		}
	}
	assert.LessOrEqual(t, repeated, bound, "detections that came twice, against one page's worth per range in flight")
	assert.Less(t, repeated, want/2, "the second run re-sent only a little of what the first delivered")
	t.Logf("%d detections of %d hosts in %d ranges; killed after %s; run 2 asked for %d pages; %d detections came again from run 2 (bound %d), from hosts by range %v; %d repeats within run 1 (retries); total %s",
		want, len(hosts), len(ranges), killedAt.Round(100*time.Millisecond), pages, repeated, bound, repeatedHosts,
		withinRun1, time.Since(began).Round(100*time.Millisecond))
}

// The collector under test: vulnerabilities only, checkpoints in file_storage, and an exporter
// without a sending queue, so a batch counts as accepted only once the backend has it and a kill
// cannot lose what the receiver has checkpointed past.
const restartConfig = `
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
    assets:
      enabled: false
    compliance:
      enabled: false
    vulnerabilities:
      interval: 1h
      page_size: %d
exporters:
  otlp_grpc:
    endpoint: 127.0.0.1:%d
    tls:
      insecure: true
    sending_queue:
      enabled: false
service:
  extensions: [file_storage]
  telemetry:
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

// process is a collector in its own process group, so a signal reaches everything it started.
type process struct {
	cmd  *exec.Cmd
	done chan struct{}
}

func startProcess(t *testing.T, collector, config, logPath string) *process {
	t.Helper()
	return startProcessWith(t, collector, config, logPath, nil, nil)
}

// startProcessWith is startProcess with more command-line arguments and environment variables.
func startProcessWith(t *testing.T, collector, config, logPath string, args, env []string) *process {
	t.Helper()
	logFile, err := os.Create(logPath)
	require.NoError(t, err)
	cmd := exec.Command(collector, append([]string{"--config=" + config}, args...)...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.Env = append(append(os.Environ(), "QUALYS_PASSWORD="+password), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	require.NoError(t, cmd.Start())
	p := &process{cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); _ = logFile.Close(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-p.done
		}
	})
	return p
}

// signal sends sig to the process group, unless the collector has already exited (its group id
// could then belong to someone else).
func (p *process) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	select {
	case <-p.done:
		t.Fatalf("the collector exited before %s", sig)
	default:
		require.NoError(t, syscall.Kill(-p.cmd.Process.Pid, sig))
	}
}

func (p *process) wait(t *testing.T, timeout time.Duration) {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(timeout):
		t.Fatalf("the collector did not exit within %s", timeout)
	}
}

// ckRange mirrors the receiver's checkpointed host id range (receiver/pull.go idRange).
type ckRange struct {
	Min  int64 `json:"min"`
	Max  int64 `json:"max"`
	Next int64 `json:"next"`
	Done bool  `json:"done"`
}

// storedRanges reads the ranges of the interrupted vulnerabilities pull from the file_storage
// directory the killed collector left, through a client of the receiver's own name (closed again
// before the next collector opens the file).
func storedRanges(t *testing.T, dir string) []ckRange {
	t.Helper()
	f := filestorage.NewFactory()
	cfg := f.CreateDefaultConfig().(*filestorage.Config)
	cfg.Directory = dir
	ext, err := f.Create(t.Context(), extension.Settings{
		ID: component.MustNewID("file_storage"), TelemetrySettings: componenttest.NewNopTelemetrySettings(), BuildInfo: component.NewDefaultBuildInfo(),
	}, cfg)
	require.NoError(t, err)
	require.NoError(t, ext.Start(t.Context(), componenttest.NewNopHost()))
	defer func() { require.NoError(t, ext.Shutdown(context.Background())) }()
	client, err := ext.(storage.Extension).GetClient(t.Context(), component.KindReceiver, component.MustNewID("qualys"), "")
	require.NoError(t, err)
	defer func() { require.NoError(t, client.Close(context.Background())) }()

	var state struct {
		Current *struct {
			Ranges []ckRange `json:"ranges"`
		} `json:"current"`
	}
	// "vulnerabilities" is receiver.StreamVulnerabilities.
	found, err := checkpoint.New(client).Load(t.Context(), "vulnerabilities", &state)
	require.NoError(t, err)
	require.True(t, found, "the killed collector left a vulnerabilities checkpoint")
	require.NotNil(t, state.Current, "the checkpoint holds the interrupted pull")
	require.NotEmpty(t, state.Current.Ranges)
	return state.Current.Ranges
}

func rangeOf(ranges []ckRange, id int64) *ckRange {
	for i := range ranges {
		if r := &ranges[i]; id >= r.Min && (r.Max == 0 || id <= r.Max) {
			return r
		}
	}
	return nil
}

// pageAt returns the hosts of the page that starts at r.Next: the first page_size of the ascending
// hosts that lie in r at or after it.
func pageAt(hosts []int64, r *ckRange) []int64 {
	var page []int64
	for _, h := range hosts {
		if h >= r.Next && (r.Max == 0 || h <= r.Max) && len(page) < restartPage {
			page = append(page, h)
		}
	}
	return page
}

// requestIDMin reads id_min from a Host List Detection call (POST form or query string).
func requestIDMin(t *testing.T, r simulator.RequestRecord) (int64, bool) {
	t.Helper()
	for _, raw := range []string{r.Body, r.RawQuery} {
		v, err := url.ParseQuery(raw)
		require.NoError(t, err)
		if s := v.Get("id_min"); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			require.NoError(t, err)
			return n, true
		}
	}
	return 0, false
}

// countDetections counts the detections in the backend's file while it is being written, cheaply:
// by the event name each one carries.
// detectionsIn counts each detection the backend wrote to path, by its identity, with its host.
func detectionsIn(t *testing.T, path string) (seen map[string]int, hostOf map[string]int64) {
	t.Helper()
	seen, hostOf = map[string]int{}, map[string]int64{}
	eachRecord(readLogs(t, path), func(res, rec map[string]any, event string) {
		if event != "qualys.vulnerability.detection" {
			return
		}
		host, _ := res["qualys.host.id"].(int64)
		k := fmt.Sprint(host, rec["qualys.qid"], rec["server.port"], rec["network.transport"], rec["qualys.detection.instance"], rec["qualys.detection.unique_id"])
		seen[k]++
		hostOf[k] = host
	})
	return seen, hostOf
}

// waitForStableCount waits until the detections in path stop growing for two seconds.
func waitForStableCount(t *testing.T, path string) {
	t.Helper()
	last, since := countDetections(path), time.Now()
	require.Eventually(t, func() bool {
		if n := countDetections(path); n != last {
			last, since = n, time.Now()
		}
		return time.Since(since) >= 2*time.Second
	}, 30*time.Second, 100*time.Millisecond, "the backend kept writing")
}

func countDetections(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	return bytes.Count(b, []byte(`"eventName":"qualys.vulnerability.detection"`))
}

func readText(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}
