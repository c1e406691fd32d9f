// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualys

import (
	"errors"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/seed-d80aa3af/qualysreceiver/internal/capture"
	"github.com/seed-d80aa3af/qualysreceiver/internal/decode"
	"github.com/seed-d80aa3af/qualysreceiver/internal/simulator"
)

// capturingClient is a client against the simulator that captures into dir, up to maxBytes.
func capturingClient(t *testing.T, dir string, maxBytes int64) (simClient, *observer.ObservedLogs) {
	t.Helper()
	s := newSimClient(t, simulator.Options{}, "qualys_pass")
	core, logs := observer.New(zap.InfoLevel)
	logger := zap.New(core)
	w, err := capture.NewWriter(dir, maxBytes, func(reason string, err error) {
		logger.Warn("Capture stopped", zap.String("reason", reason), zap.Error(err))
	})
	require.NoError(t, err)
	s.settings.Capture = w
	return s, logs
}

// replayClient is a client against qualys-simulator -replay of dir, with instant waits.
func replayClient(t *testing.T, dir string) (*Client, *simulator.Replay) {
	t.Helper()
	replay, err := simulator.NewReplay(dir, nil)
	require.NoError(t, err)
	srv := httptest.NewServer(replay)
	t.Cleanup(srv.Close)
	c, err := New(http.DefaultClient, Settings{APIServerURL: srv.URL, GatewayURL: srv.URL, Username: "u", Password: "p",
		MaxConcurrency: 2, Clock: newFakeClock()})
	require.NoError(t, err)
	return c, replay
}

// read takes a call's answer in one expression: read(t).all(c.About(ctx)).
type reader struct{ t *testing.T }

func read(t *testing.T) reader { return reader{t} }

func (r reader) all(resp *Response, err error) []byte {
	t := r.t
	t.Helper()
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return b
}

func (r reader) qids(resp *Response, err error) []int64 {
	t := r.t
	t.Helper()
	require.NoError(t, err)
	defer resp.Body.Close()
	var qids []int64
	d := decode.NewKnowledgeBase(resp.Body)
	for {
		v, err := d.Read()
		if errors.Is(err, io.EOF) {
			return qids
		}
		require.NoError(t, err)
		qids = append(qids, v.QID)
	}
}

// The KnowledgeBase is asked for each batch's QIDs, and batches depend on the order pages
// arrive: a replay answers any set of captured QIDs, whatever the calls that captured them.
func TestReplayAnswersKnowledgeBaseByQID(t *testing.T) {
	dir := t.TempDir()
	s, _ := capturingClient(t, dir, 1<<30)
	var qids []int64
	s.server.Tenant().EachQID(func(q uint64) bool { qids = append(qids, int64(q)); return len(qids) < 4 })
	require.Equal(t, qids[:2], read(t).qids(s.KnowledgeBase(t.Context(), qids[:2], time.Time{})))
	require.Equal(t, qids[2:], read(t).qids(s.KnowledgeBase(t.Context(), qids[2:], time.Time{})))

	c, replay := replayClient(t, dir)
	got := read(t).qids(c.KnowledgeBase(t.Context(), qids[1:3], time.Time{}))
	assert.Equal(t, qids[1:3], got)
	assert.Empty(t, replay.Misses())
}

// Capturing stops once the directory holds max_bytes: a warning says so once, every call still
// gets its whole answer, and the directory keeps only whole answers a replay can serve.
func TestCaptureStopsAtMaxBytes(t *testing.T) {
	probeDir := t.TempDir()
	probe, _ := capturingClient(t, probeDir, 1<<30)
	probeBody := read(t).all(probe.hostIDs(t))
	// Room for one answer and its description, and half the next answer.
	maxBytes := dirBytes(t, probeDir) + int64(len(probeBody))/2
	dir := t.TempDir()
	s, logs := capturingClient(t, dir, maxBytes)
	var bodies [][]byte
	for range 4 {
		bodies = append(bodies, read(t).all(s.hostIDs(t)))
	}
	for _, b := range bodies[1:] {
		assert.Equal(t, bodies[0], b, "every call gets its whole answer")
	}
	assert.Equal(t, 1, logs.FilterMessageSnippet("Capture stopped").Len())
	assert.LessOrEqual(t, dirBytes(t, dir), maxBytes)
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	require.NoError(t, err)
	assert.Equal(t, []string{"000000001-host_ids.body", "000000001-host_ids.json"}, baseNames(files))

	c, _ := replayClient(t, dir)
	assert.Equal(t, bodies[0], read(t).all(c.HostIDs(t.Context(), HostQuery{}, IDRange{})))
}

func dirBytes(t *testing.T, dir string) int64 {
	t.Helper()
	files, err := os.ReadDir(dir)
	require.NoError(t, err)
	var total int64
	for _, f := range files {
		info, err := f.Info()
		require.NoError(t, err)
		total += info.Size()
	}
	return total
}

// A capture directory that cannot be written costs the capture, never the call.
func TestCaptureWriteFailureKeepsTheCall(t *testing.T) {
	dir := t.TempDir()
	s, logs := capturingClient(t, dir, 1<<30)
	require.NoError(t, os.RemoveAll(dir))
	require.NoError(t, os.WriteFile(dir, []byte("a file where the directory was"), 0o600))
	for range 2 {
		assert.NotEmpty(t, read(t).all(s.hostIDs(t)))
	}
	assert.Equal(t, 1, logs.FilterMessageSnippet("Capture stopped").Len())
}

// A restarted receiver adds to a capture: numbering goes on, and what is there counts.
func TestCaptureContinuesADirectory(t *testing.T) {
	dir := t.TempDir()
	s, _ := capturingClient(t, dir, 1<<30)
	read(t).all(s.hostIDs(t))
	s2, _ := capturingClient(t, dir, 1<<30)
	read(t).all(s2.About(t.Context()))
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	assert.Equal(t, []string{"000000001-host_ids.json", "000000002-about.json"}, baseNames(files))

	full, logs := capturingClient(t, dir, 10)
	read(t).all(full.hostIDs(t))
	assert.Equal(t, 1, logs.FilterMessageSnippet("Capture stopped").Len())
	files, _ = filepath.Glob(filepath.Join(dir, "*.json"))
	assert.Len(t, files, 2)
}

func baseNames(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = filepath.Base(p)
	}
	slices.Sort(out)
	return out
}

// A capture describes each call by its form parameters, QPS body and PCRS JSON as sent, and the
// error answers too; replayed, each gets the same answer.
func TestCaptureDescribesEachKindOfRequest(t *testing.T) {
	dir := t.TempDir()
	s, _ := capturingClient(t, dir, 1<<30)
	hosts := read(t).all(s.hostIDs(t))
	assets := read(t).all(s.HostAssets(t.Context(), HostAssetQuery{PageSize: 5}))
	policies := read(t).all(s.PCRSPolicies(t.Context(), "5.0"))
	_, missing := s.PCRSPolicies(t.Context(), "9.0")
	require.Error(t, missing)

	exchanges, err := capture.Load(dir)
	require.NoError(t, err)
	require.Len(t, exchanges, 4)
	assert.Equal(t, "list", exchanges[0].Form.Get("action"))
	assert.Equal(t, "None", exchanges[0].Form.Get("details"))
	assert.Contains(t, exchanges[1].RequestBody, "<limitResults>5</limitResults>")
	assert.Equal(t, "/pcrs/5.0/posture/policy/list", exchanges[2].Path)
	assert.Equal(t, http.StatusNotFound, exchanges[3].Status)
	for _, ex := range exchanges {
		assert.True(t, ex.Complete, ex.Endpoint)
		assert.NotContains(t, strings.ToLower(strings.Join(slices.Collect(maps.Keys(ex.Header)), " ")), "authorization")
	}

	c, replay := replayClient(t, dir)
	assert.Equal(t, hosts, read(t).all(c.HostIDs(t.Context(), HostQuery{}, IDRange{})))
	assert.Equal(t, assets, read(t).all(c.HostAssets(t.Context(), HostAssetQuery{PageSize: 5})))
	assert.Equal(t, policies, read(t).all(c.PCRSPolicies(t.Context(), "5.0")))
	_, err = c.PCRSPolicies(t.Context(), "9.0")
	var qe *Error
	require.ErrorAs(t, err, &qe)
	assert.Equal(t, http.StatusNotFound, qe.StatusCode)
	assert.Empty(t, replay.Misses())
}

// A limit answer is captured like any other, and replayed in its place: the replaying client
// waits as long as Qualys said, then gets the answer that followed.
func TestReplayWaitsWhereTheCaptureWaited(t *testing.T) {
	dir := t.TempDir()
	s, _ := capturingClient(t, dir, 1<<30)
	s.inject(t, simulator.Fault{Kind: simulator.FaultRateLimit, Endpoint: simulator.EndpointHostList, WaitSeconds: 90})
	hosts := read(t).all(s.hostIDs(t))
	exchanges, err := capture.Load(dir)
	require.NoError(t, err)
	require.Len(t, exchanges, 2)
	assert.Equal(t, http.StatusConflict, exchanges[0].Status)

	c, replay := replayClient(t, dir)
	assert.Equal(t, hosts, read(t).all(c.HostIDs(t.Context(), HostQuery{}, IDRange{})))
	assert.Equal(t, 90*time.Second, c.clock.(*fakeClock).totalWait())
	assert.Empty(t, replay.Misses())
}
