// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/seed-d80aa3af/qualysreceiver/internal/convert"
	"github.com/seed-d80aa3af/qualysreceiver/internal/decode"
	"github.com/seed-d80aa3af/qualysreceiver/internal/kb"
	"github.com/seed-d80aa3af/qualysreceiver/internal/pull"
	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
	"github.com/seed-d80aa3af/qualysreceiver/internal/simulator"
	"github.com/seed-d80aa3af/qualysreceiver/internal/vulnerabilities"
)

var allStatuses = []string{"New", "Active", "Re-Opened", "Fixed"}

func newVulnStream(t *testing.T, e *simEnv, mutate func(*vulnerabilities.Settings)) *vulnerabilities.Stream {
	t.Helper()
	cfg := vulnerabilities.Settings{
		Settings:         e.pullSettings(),
		Query:            qualys.DetectionQuery{Status: allStatuses, ShowResults: true},
		FullSyncInterval: 7 * 24 * time.Hour,
		MaxResultsBytes:  64,
		KnowledgeBase:    kb.NewCache(vulnerabilities.KnowledgeBaseFetcher{Client: e.client}, 24*time.Hour, kb.Limits{}),
		Metrics:          newMetricsBuilder(t),
		CountsEnabled:    true,
	}
	if mutate != nil {
		mutate(&cfg)
	}
	return vulnerabilities.New(cfg)
}

// The emitted detections and metrics of a small simulated tenant, pulled over several pages and
// ranges in parallel, equal the golden files.
func TestVulnerabilitiesGolden(t *testing.T) {
	e := newSimEnv(t, simulator.TenantConfig{Hosts: 12, DetectionsPerHost: 3, QIDs: 20, ResultsBytes: 100}, simulator.Options{})
	s := newVulnStream(t, e, nil)
	require.NoError(t, s.Poll(t.Context(), e.sinks))

	assertGoldenLogs(t, "vulnerabilities/logs.yaml", e.sinks.allLogs())
	assertGoldenMetrics(t, "vulnerabilities/metrics.yaml", e.sinks.lastMetrics())
}

// Every matching detection of a larger tenant arrives exactly once, and the gauge equals the
// simulator's own counts.
func TestVulnerabilitiesCompleteAndCounted(t *testing.T) {
	e := newSimEnv(t, simulator.TenantConfig{Hosts: 300, DetectionsPerHost: 6}, simulator.Options{})
	s := newVulnStream(t, e, func(c *vulnerabilities.Settings) { c.PageSize = 37 })
	require.NoError(t, s.Poll(t.Context(), e.sinks))

	want := e.tenant.Counts(simulator.Query{Statuses: allStatuses})
	seen := map[string]int{}
	eachLog(e.sinks.allLogs(), func(res, rec map[string]any) {
		seen[detectionKey(res, rec)]++
	})
	assert.Len(t, seen, want.Detections)
	for k, n := range seen {
		require.Equal(t, 1, n, "detection %s emitted %d times", k, n)
	}

	// The KnowledgeBase is read in batches, never one call per QID.
	qids := map[any]bool{}
	eachLog(e.sinks.allLogs(), func(_, rec map[string]any) {
		qids[rec[convert.AttrQID]] = true
		assert.Contains(t, rec, convert.AttrVulnDescription, "every QID of the tenant is in its KnowledgeBase")
	})
	kbCalls := 0
	for _, r := range e.server.Requests() {
		if r.Endpoint == simulator.EndpointKB {
			kbCalls++
		}
	}
	assert.Less(t, kbCalls, len(qids)/10, "%d KnowledgeBase calls for %d QIDs", kbCalls, len(qids))

	got := gaugeByAttrs(e.sinks.lastMetrics(), "qualys.vulnerability.detections", "qualys.detection.status")
	for status, n := range want.ByStatus {
		assert.Equal(t, int64(n), got[status], "status %s", status)
	}
}

// The second poll of an unchanged tenant emits nothing and costs under 1% of the first poll's
// bytes; a detection fixed after it comes on the next poll with status Fixed.
func TestVulnerabilitiesIncremental(t *testing.T) {
	e := newSimEnv(t, simulator.TenantConfig{Hosts: 200, DetectionsPerHost: 8}, simulator.Options{})
	s := newVulnStream(t, e, nil)
	require.NoError(t, s.Poll(t.Context(), e.sinks))
	first := e.bytesSince(0)
	firstRecords := e.sinks.records()
	require.Positive(t, firstRecords)

	e.advance(4 * time.Hour)
	e.sinks.reset()
	before := len(e.server.Requests())
	require.NoError(t, s.Poll(t.Context(), e.sinks))
	assert.Zero(t, e.sinks.records(), "an unchanged tenant emits nothing")
	second := e.bytesSince(before)
	assert.Less(t, float64(second), 0.01*float64(first), "second poll: %d bytes, first %d", second, first)

	// Fix an Active detection.
	h := e.tenant.Host(5)
	var qid uint64
	for _, d := range e.tenant.Detections(&h) {
		if d.Status == "Active" {
			qid = d.QID
			break
		}
	}
	require.NotZero(t, qid, "host 5 has an Active detection")
	fixedAt := e.advance(time.Hour)
	require.NoError(t, e.tenant.SetDetectionStatus(h.ID, qid, "Fixed", fixedAt))

	e.advance(3 * time.Hour)
	e.sinks.reset()
	require.NoError(t, s.Poll(t.Context(), e.sinks))
	found := false
	eachLog(e.sinks.allLogs(), func(res, rec map[string]any) {
		assert.Equal(t, int64(h.ID), res[convert.AttrQualysHostID], "only the changed host comes again")
		if rec[convert.AttrQID] == int64(qid) {
			found = true
			assert.Equal(t, "Fixed", rec[convert.AttrDetectionStatus])
		}
	})
	assert.True(t, found, "the fixed detection arrives on the next poll")
}

// eachLog calls fn with the resource and record attributes of every record.
func eachLog(ld plog.Logs, fn func(res, rec map[string]any)) {
	rls := ld.ResourceLogs()
	for i := range rls.Len() {
		res := rls.At(i).Resource().Attributes().AsRaw()
		sls := rls.At(i).ScopeLogs()
		for j := range sls.Len() {
			lrs := sls.At(j).LogRecords()
			for k := range lrs.Len() {
				fn(res, lrs.At(k).Attributes().AsRaw())
			}
		}
	}
}

func detectionKey(res, rec map[string]any) string {
	return formatKey(res[convert.AttrQualysHostID], rec[convert.AttrQID], rec[convert.AttrServerPort],
		rec[convert.AttrNetworkTransport], rec[convert.AttrDetectionInstance], rec[convert.AttrDetectionUniqueID])
}

// samplesDir holds real public Qualys answers; they are read from there, never copied here.
const samplesDir = "../../shared/qualys-samples"

func readSample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(samplesDir, name))
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("real Qualys samples not found in %s: skipping", samplesDir)
	}
	require.NoError(t, err)
	return b
}

// The public Host List Detection and KnowledgeBase responses, served as Qualys would, become the
// detection records in the golden file.
func TestVulnerabilitiesFromPublicSample(t *testing.T) {
	hld := readSample(t, "demisto-content_host_list_detections_raw.xml")
	kbXML := readSample(t, "demisto-content_knowledge_base_vulnerabilities_raw.xml")

	// The host id list comes from the sample itself.
	var ids []string
	d := decode.NewHostDetections(bytes.NewReader(hld))
	for {
		kind, err := d.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		if kind == decode.KindHostStart {
			ids = append(ids, "<ID>"+strconv.FormatInt(d.Host().ID, 10)+"</ID>")
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case qualys.HostListPath:
			fmt.Fprintf(w, `<HOST_LIST_OUTPUT><RESPONSE><DATETIME>2023-05-24T10:00:00Z</DATETIME><ID_SET>%s</ID_SET></RESPONSE></HOST_LIST_OUTPUT>`, strings.Join(ids, ""))
		case qualys.HostDetectionsPath:
			_, _ = w.Write(hld)
		case qualys.KnowledgeBasePath:
			_, _ = w.Write(kbXML)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	client, err := qualys.New(srv.Client(), qualys.Settings{APIServerURL: srv.URL, Username: "u", Password: "p", MaxConcurrency: 1})
	require.NoError(t, err)
	sinks := &testSinks{}
	ps := pull.Settings{Client: client, Workers: 1, PageSize: 1000, Clock: pinnedClock(),
		Source: convert.Source{APIServer: "127.0.0.1", ReceiverID: testReceiverID}}
	s := vulnerabilities.New(vulnerabilities.Settings{
		Settings:        ps,
		Query:           qualys.DetectionQuery{Status: allStatuses, ShowResults: true},
		MaxResultsBytes: 256,
		KnowledgeBase:   kb.NewCache(vulnerabilities.KnowledgeBaseFetcher{Client: client}, time.Hour, kb.Limits{}),
		Metrics:         newMetricsBuilder(t),
		CountsEnabled:   true,
	})
	require.NoError(t, s.Poll(t.Context(), sinks))
	require.Positive(t, sinks.records())
	assertGoldenLogs(t, "vulnerabilities/sample-logs.yaml", sinks.allLogs())
	assertGoldenMetrics(t, "vulnerabilities/sample-metrics.yaml", sinks.lastMetrics())
}

// Each filter reaches Host List Detection as its Qualys parameter, and the output holds exactly
// the detections the simulator selects for it.
func TestVulnerabilitiesFilters(t *testing.T) {
	kernel := 1
	tests := []struct {
		name   string
		query  func(*qualys.DetectionQuery, filterFixture)
		param  string // a parameter the HLD request must carry
		oracle func(*simulator.Query, filterFixture)
	}{
		{
			name:   "status",
			query:  func(q *qualys.DetectionQuery, _ filterFixture) { q.Status = []string{"Active", "Fixed"} },
			param:  "status=Active%2CFixed",
			oracle: func(q *simulator.Query, _ filterFixture) { q.Statuses = []string{"Active", "Fixed"} },
		},
		{
			name:   "include_vuln_type",
			query:  func(q *qualys.DetectionQuery, _ filterFixture) { q.IncludeVulnType = []string{"potential"} },
			param:  "include_vuln_type=potential",
			oracle: func(q *simulator.Query, _ filterFixture) { q.VulnType = "potential" },
		},
		{
			name:   "arf_kernel_filter",
			query:  func(q *qualys.DetectionQuery, _ filterFixture) { q.ArfKernelFilter = &kernel },
			param:  "arf_kernel_filter=1",
			oracle: func(q *simulator.Query, _ filterFixture) { q.ARFKernel = 1 },
		},
		{
			name:   "severities",
			query:  func(q *qualys.DetectionQuery, _ filterFixture) { q.Severities = []int{4, 5} },
			param:  "severities=4%2C5",
			oracle: func(q *simulator.Query, _ filterFixture) { q.Severities = simulator.NewIDSet(4, 5) },
		},
		{
			name: "qids",
			query: func(q *qualys.DetectionQuery, fx filterFixture) {
				q.QIDs = []int64{int64(fx.qids[0]), int64(fx.qids[1]), int64(fx.qids[2])}
			},
			param:  "qids=",
			oracle: func(q *simulator.Query, fx filterFixture) { q.QIDs = simulator.NewIDSet(fx.qids[:3]...) },
		},
		{
			name: "tags include",
			query: func(q *qualys.DetectionQuery, fx filterFixture) {
				q.Tags = qualys.TagFilter{Include: []string{fx.tags[0].Name, fx.tags[1].Name}, IncludeSelector: "any"}
			},
			param: "tag_set_by=name",
			oracle: func(q *simulator.Query, fx filterFixture) {
				q.Tags = simulator.TagQuery{ByName: true, Include: []string{fx.tags[0].Name, fx.tags[1].Name}}
			},
		},
		{
			name: "tags exclude all",
			query: func(q *qualys.DetectionQuery, fx filterFixture) {
				q.Tags = qualys.TagFilter{Exclude: []string{fx.tags[2].Name, fx.tags[3].Name}, ExcludeSelector: "all"}
			},
			param: "tag_exclude_selector=all",
			oracle: func(q *simulator.Query, fx filterFixture) {
				q.Tags = simulator.TagQuery{ByName: true, Exclude: []string{fx.tags[2].Name, fx.tags[3].Name}, ExcludeAll: true}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newSimEnv(t, simulator.TenantConfig{Hosts: 80, DetectionsPerHost: 6, QIDs: 30}, simulator.Options{})
			fx := filterFixture{tags: e.tenant.Tags()}
			for i := 0; len(fx.qids) < 3; i++ {
				h := e.tenant.Host(i)
				for _, d := range e.tenant.Detections(&h) {
					if !slices.Contains(fx.qids, d.QID) {
						fx.qids = append(fx.qids, d.QID)
					}
				}
			}
			s := newVulnStream(t, e, func(c *vulnerabilities.Settings) { tt.query(&c.Query, fx) })
			require.NoError(t, s.Poll(t.Context(), e.sinks))

			carried := false
			for _, r := range e.server.Requests() {
				if r.Endpoint == simulator.EndpointHLD {
					require.Contains(t, r.Body+"&"+r.RawQuery, tt.param)
					carried = true
				}
			}
			require.True(t, carried, "Host List Detection was called")

			oracle := simulator.Query{Statuses: allStatuses}
			tt.oracle(&oracle, fx)
			want := e.tenant.Counts(oracle)
			require.Positive(t, want.Detections, "the filter selects something")
			assert.Equal(t, want.Detections, e.sinks.records())
		})
	}
}

type filterFixture struct {
	tags []simulator.Tag
	qids []uint64
}

// Without show_results no RESULTS are requested or emitted.
func TestVulnerabilitiesWithoutResults(t *testing.T) {
	e := newSimEnv(t, simulator.TenantConfig{Hosts: 10, DetectionsPerHost: 4}, simulator.Options{})
	s := newVulnStream(t, e, func(c *vulnerabilities.Settings) { c.Query.ShowResults = false; c.MaxResultsBytes = -1 })
	require.NoError(t, s.Poll(t.Context(), e.sinks))
	require.Positive(t, e.sinks.records())
	eachLog(e.sinks.allLogs(), func(_, rec map[string]any) {
		assert.NotContains(t, rec, convert.AttrDetectionResults)
	})
	for _, r := range e.server.Requests() {
		if r.Endpoint == simulator.EndpointHLD {
			assert.Contains(t, r.Body, "show_results=0")
		}
	}
}

// A KnowledgeBase that cannot be read holds no detection back: they go out without its fields.
func TestVulnerabilitiesKnowledgeBaseDown(t *testing.T) {
	e := newSimEnv(t, simulator.TenantConfig{Hosts: 20, DetectionsPerHost: 4}, simulator.Options{MissingPermissions: []simulator.Permission{simulator.PermKB}})
	s := newVulnStream(t, e, nil)
	require.NoError(t, s.Poll(t.Context(), e.sinks))
	want := e.tenant.Counts(simulator.Query{Statuses: allStatuses})
	assert.Equal(t, want.Detections, e.sinks.records())
	eachLog(e.sinks.allLogs(), func(_, rec map[string]any) {
		assert.NotContains(t, rec, convert.AttrVulnDescription)
	})
	assert.Equal(t, 1, e.logs.FilterMessageSnippet("KnowledgeBase not readable").Len(), "reported once per poll")
}
