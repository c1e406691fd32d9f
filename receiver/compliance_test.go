// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/seed-d80aa3af/qualysreceiver/internal/compliance"
	"github.com/seed-d80aa3af/qualysreceiver/internal/convert"
	"github.com/seed-d80aa3af/qualysreceiver/internal/decode"
	"github.com/seed-d80aa3af/qualysreceiver/internal/metadata"
	"github.com/seed-d80aa3af/qualysreceiver/internal/pull"
	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
	"github.com/seed-d80aa3af/qualysreceiver/internal/simulator"
)

// newComplianceEnv is a simulated tenant behind a gateway that stamps each answer with the
// simulator's clock in the HTTP Date header, as a real gateway stamps it with its own: PCRS answers
// carry no DATETIME, so that header is the server time the stream's cursor comes from.
func newComplianceEnv(t *testing.T, tc simulator.TenantConfig, opts simulator.Options) *simEnv {
	t.Helper()
	e := newSimEnv(t, tc, opts)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", e.clock().UTC().Format(http.TimeFormat))
		e.server.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	retry := configretry.NewDefaultBackOffConfig()
	retry.InitialInterval = 10 * time.Millisecond
	retry.MaxInterval = 50 * time.Millisecond
	retry.MaxElapsedTime = 2 * time.Second
	client, err := qualys.New(srv.Client(), qualys.Settings{
		APIServerURL: srv.URL, GatewayURL: srv.URL, Username: "qualys_user", Password: "qualys_pass",
		MaxConcurrency: 2, Retry: retry, Logger: e.logger, Clock: clientClock{e},
	})
	require.NoError(t, err)
	e.client, e.apiURL, e.gatewayURL = client, srv.URL, srv.URL
	return e
}

func newComplianceStream(t *testing.T, e *simEnv, mutate func(*compliance.Settings)) *compliance.Stream {
	t.Helper()
	cfg := compliance.Settings{
		Settings:         e.pullSettings(),
		FullSyncInterval: compliance.FullSyncInterval,
		Metrics:          newMetricsBuilder(t),
		Counts:           metadata.DefaultMetricsConfig().QualysCompliancePostures,
	}
	if mutate != nil {
		mutate(&cfg)
	}
	return compliance.New(cfg)
}

// postureIDs counts the emitted records by posture id.
func postureIDs(e *simEnv) map[int64]int {
	seen := map[int64]int{}
	eachLog(e.sinks.allLogs(), func(_, rec map[string]any) {
		seen[rec[convert.AttrPostureID].(int64)]++
	})
	return seen
}

// assertEachPostureOnce checks that the emitted records are exactly the postures the simulator
// selects for q, each once.
func assertEachPostureOnce(t *testing.T, e *simEnv, q simulator.Query) {
	t.Helper()
	want := e.tenant.Counts(q)
	require.Positive(t, want.Postures)
	seen := postureIDs(e)
	assert.Len(t, seen, want.Postures)
	for id, n := range seen {
		require.Equal(t, 1, n, "posture %d emitted %d times", id, n)
	}
	byStatus := map[string]int{}
	eachLog(e.sinks.allLogs(), func(_, rec map[string]any) {
		byStatus[rec[convert.AttrPostureStatus].(string)]++
	})
	assert.Equal(t, want.PosturesByStatus, byStatus)
}

func requestsTo(e *simEnv, endpoint string) []simulator.RequestRecord {
	var out []simulator.RequestRecord
	for _, r := range e.server.Requests() {
		if r.Endpoint == endpoint {
			out = append(out, r)
		}
	}
	return out
}

// batchHosts is the number of host ids in a postureInfo request body.
func batchHosts(t *testing.T, r simulator.RequestRecord) int {
	t.Helper()
	var body []qualys.PostureBatch
	require.NoError(t, json.Unmarshal([]byte(r.Body), &body))
	n := 0
	for _, b := range body {
		n += len(b.HostIDs)
	}
	return n
}

// The postures of a small tenant, with evidence, pulled over several postureInfo batches, and the
// metrics of the poll equal the golden files.
func TestComplianceGolden(t *testing.T) {
	e := newComplianceEnv(t, simulator.TenantConfig{Hosts: 6, Policies: 2, ControlsPerPolicy: 3, HostsPerPolicy: 4}, simulator.Options{})
	s := newComplianceStream(t, e, func(c *compliance.Settings) { c.Evidence = true; c.PageSize = 3 })
	require.NoError(t, s.Poll(t.Context(), e.sinks))

	assert.Greater(t, len(requestsTo(e, simulator.EndpointPCRSPostureInfo)), 2, "several postureInfo batches")
	assertGoldenLogs(t, "compliance/logs.yaml", e.sinks.allLogs())
	assertGoldenMetrics(t, "compliance/metrics.yaml", e.sinks.lastMetrics())
}

// With more than 10 policies, host ids are resolved for at most 10 policies per call, every policy
// once, and every posture of every policy arrives once.
func TestComplianceMoreThanTenPolicies(t *testing.T) {
	e := newComplianceEnv(t, simulator.TenantConfig{Hosts: 20, Policies: 23, ControlsPerPolicy: 4}, simulator.Options{})
	s := newComplianceStream(t, e, func(c *compliance.Settings) { c.PageSize = 40 })
	require.NoError(t, s.Poll(t.Context(), e.sinks))

	var asked []string
	calls := requestsTo(e, simulator.EndpointPCRSHostIDs)
	require.Len(t, calls, 3, "23 policies take three Resolve Host IDs calls")
	for _, r := range calls {
		q, err := url.ParseQuery(r.RawQuery)
		require.NoError(t, err)
		ids := strings.Split(q.Get("policyId"), ",")
		assert.LessOrEqual(t, len(ids), 10)
		asked = append(asked, ids...)
	}
	var want []string
	for _, p := range e.tenant.Policies() {
		want = append(want, formatKey(p.ID))
	}
	assert.ElementsMatch(t, want, asked, "every policy resolved once")
	assertEachPostureOnce(t, e, simulator.Query{})
}

// The hosts of the policies arrive over many postureInfo calls, none larger than the batch size,
// and the records still cover every posture once, under a resource per host.
func TestComplianceHostsInBatches(t *testing.T) {
	e := newComplianceEnv(t, simulator.TenantConfig{Hosts: 90, Policies: 3, ControlsPerPolicy: 5}, simulator.Options{})
	s := newComplianceStream(t, e, func(c *compliance.Settings) { c.PageSize = 16; c.BatchRecords = 7 })
	require.NoError(t, s.Poll(t.Context(), e.sinks))

	calls := requestsTo(e, simulator.EndpointPCRSPostureInfo)
	assert.Greater(t, len(calls), 10)
	total := 0
	for _, r := range calls {
		n := batchHosts(t, r)
		assert.LessOrEqual(t, n, 16)
		total += n
		assert.Contains(t, r.RawQuery, "compressionRequired=1", "compressed answers are asked for and decoded")
		assert.Contains(t, r.RawQuery, "evidenceRequired=0")
	}
	pairs := 0
	for k := range e.tenant.Policies() {
		for i := range e.tenant.HostCount() {
			if e.tenant.InPolicy(k, i) {
				pairs++
			}
		}
	}
	assert.Equal(t, pairs, total, "every policy-host pair asked for once")
	assertEachPostureOnce(t, e, simulator.Query{})
	eachLog(e.sinks.allLogs(), func(res, rec map[string]any) {
		assert.Equal(t, res[convert.AttrQualysHostID], hostOfPosture(t, e, rec[convert.AttrPostureID].(int64)))
	})
}

// hostOfPosture finds a posture's host in the simulator.
func hostOfPosture(t *testing.T, e *simEnv, postureID int64) int64 {
	t.Helper()
	for k, p := range e.tenant.Policies() {
		for i := range e.tenant.HostCount() {
			if !e.tenant.InPolicy(k, i) {
				continue
			}
			h := e.tenant.Host(i)
			for j := range p.Controls {
				if ps := e.tenant.Posture(k, &h, j); int64(ps.ID) == postureID {
					return int64(h.ID)
				}
			}
		}
	}
	t.Fatalf("posture %d not in the tenant", postureID)
	return 0
}

// A JWT that expires in the middle of a pull is renewed: the pull completes with every posture once.
func TestComplianceJWTExpiresMidPull(t *testing.T) {
	e := newComplianceEnv(t, simulator.TenantConfig{Hosts: 40, Policies: 3, ControlsPerPolicy: 4}, simulator.Options{})
	_, err := e.server.InjectFault(simulator.Fault{Kind: simulator.FaultJWTExpired, Endpoint: simulator.EndpointPCRSPostureInfo, Nth: 3})
	require.NoError(t, err)
	s := newComplianceStream(t, e, func(c *compliance.Settings) { c.PageSize = 12 })
	require.NoError(t, s.Poll(t.Context(), e.sinks))

	var expired int
	for _, r := range requestsTo(e, simulator.EndpointPCRSPostureInfo) {
		if r.Status == http.StatusUnauthorized {
			expired++
		}
	}
	assert.Equal(t, 1, expired, "one call met the expired token")
	assertEachPostureOnce(t, e, simulator.Query{})

	// Every token issued so far expires between two polls: the next poll logs in again.
	e.server.ExpireTokens()
	e.sinks.reset()
	e.advance(time.Hour)
	require.NoError(t, s.Poll(t.Context(), e.sinks))
}

// A 429 from the gateway is waited out for as long as Retry-After says; nothing is lost or doubled.
func TestComplianceGateway429(t *testing.T) {
	e := newComplianceEnv(t, simulator.TenantConfig{Hosts: 30, Policies: 2, ControlsPerPolicy: 4}, simulator.Options{})
	_, err := e.server.InjectFault(simulator.Fault{Kind: simulator.FaultGateway429, Endpoint: simulator.EndpointPCRSPostureInfo, Nth: 2, WaitSeconds: 1})
	require.NoError(t, err)
	s := newComplianceStream(t, e, nil)
	require.NoError(t, s.Poll(t.Context(), e.sinks))

	calls := requestsTo(e, simulator.EndpointPCRSPostureInfo)
	i := slices.IndexFunc(calls, func(r simulator.RequestRecord) bool { return r.Status == http.StatusTooManyRequests })
	require.GreaterOrEqual(t, i, 0, "the gateway answered 429")
	require.Less(t, i+1, len(calls))
	assert.GreaterOrEqual(t, calls[i+1].Start.Sub(calls[i].End), 900*time.Millisecond, "the next call waited for Retry-After")
	assertEachPostureOnce(t, e, simulator.Query{})
}

// After the first full pull a poll asks only for status changes since the last one: an unchanged
// tenant emits nothing; a changed posture comes on the next poll with its previous status, and the
// gauge follows it.
func TestComplianceIncremental(t *testing.T) {
	e := newComplianceEnv(t, simulator.TenantConfig{Hosts: 40, Policies: 3, ControlsPerPolicy: 6}, simulator.Options{})
	s := newComplianceStream(t, e, nil)
	require.NoError(t, s.Poll(t.Context(), e.sinks))
	require.Positive(t, e.sinks.records())

	e.advance(4 * time.Hour)
	e.sinks.reset()
	e.server.ResetRequests()
	require.NoError(t, s.Poll(t.Context(), e.sinks))
	assert.Zero(t, e.sinks.records(), "an unchanged tenant emits nothing")
	for _, r := range requestsTo(e, simulator.EndpointPCRSPostureInfo) {
		assert.Contains(t, r.RawQuery, "statusChangedSince=2026-01-15T12%3A00%3A00Z", "the cursor is the server time of the last pull")
	}

	// A passing posture fails.
	p := e.tenant.Policies()[1]
	h := e.tenant.Host(7)
	k := slices.IndexFunc(e.tenant.Policies(), func(x simulator.Policy) bool { return x.ID == p.ID })
	require.True(t, e.tenant.InPolicy(k, 7))
	var target simulator.Posture
	for j := range p.Controls {
		if ps := e.tenant.Posture(k, &h, j); ps.Status == simulator.PostureStatusPassed {
			target = ps
			break
		}
	}
	require.NotZero(t, target.ID, "host 7 passes a control of policy %d", p.ID)
	changedAt := e.advance(time.Hour)
	require.NoError(t, e.tenant.SetPostureStatus(p.ID, h.ID, target.ControlID, simulator.PostureStatusFailed, changedAt))

	e.advance(3 * time.Hour)
	e.sinks.reset()
	require.NoError(t, s.Poll(t.Context(), e.sinks))
	require.Equal(t, 1, e.sinks.records(), "only the changed posture comes again")
	eachLog(e.sinks.allLogs(), func(res, rec map[string]any) {
		assert.Equal(t, int64(h.ID), res[convert.AttrQualysHostID])
		assert.Equal(t, int64(target.ID), rec[convert.AttrPostureID])
		assert.Equal(t, "Failed", rec[convert.AttrPostureStatus])
		assert.Equal(t, "Passed", rec[convert.AttrPosturePrevious])
		assert.Equal(t, changedAt.Format(time.RFC3339), rec[convert.AttrPostureModified])
	})
	want := e.tenant.Counts(simulator.Query{})
	got := gaugeByAttrs(e.sinks.lastMetrics(), "qualys.compliance.postures", "qualys.posture.status")
	for status, n := range want.PosturesByStatus {
		assert.Equal(t, int64(n), got[status], "status %s after the change", status)
	}
}

// The postures gauge, with the opt-in policy attribute, equals the simulator's counts by status and
// by policy.
func TestComplianceGaugeEqualsCounts(t *testing.T) {
	e := newComplianceEnv(t, simulator.TenantConfig{Hosts: 50, Policies: 4, ControlsPerPolicy: 5}, simulator.Options{})
	mbc := metadata.NewDefaultMetricsBuilderConfig()
	mbc.Metrics.QualysCompliancePostures.EnabledAttributes = append(mbc.Metrics.QualysCompliancePostures.EnabledAttributes,
		metadata.QualysCompliancePosturesMetricAttributeKeyQualysPolicyID)
	s := newComplianceStream(t, e, func(c *compliance.Settings) {
		c.Metrics = metadata.NewMetricsBuilder(mbc, receivertest.NewNopSettings(metadata.Type))
		c.Counts = mbc.Metrics.QualysCompliancePostures
	})
	require.NoError(t, s.Poll(t.Context(), e.sinks))

	md := e.sinks.lastMetrics()
	want := e.tenant.Counts(simulator.Query{})
	got := gaugeByAttrs(md, "qualys.compliance.postures", "qualys.posture.status")
	for status, n := range want.PosturesByStatus {
		assert.Equal(t, int64(n), got[status], "status %s", status)
	}
	byPolicy := gaugeByAttrs(md, "qualys.compliance.postures", "qualys.policy.id")
	for _, p := range e.tenant.Policies() {
		n := e.tenant.Counts(simulator.Query{PolicyIDs: simulator.NewIDSet(p.ID)}).Postures
		assert.Equal(t, int64(n), byPolicy[formatKey(p.ID)], "policy %d", p.ID)
	}
	emitted := sumByAttrs(md, "qualys.records.emitted", "qualys.stream")
	assert.Equal(t, int64(want.Postures), emitted["compliance"])
}

// sumByAttrs sums the data points of a sum metric by one attribute.
func sumByAttrs(md pmetric.Metrics, name, attr string) map[string]int64 {
	out := map[string]int64{}
	rms := md.ResourceMetrics()
	for i := range rms.Len() {
		sms := rms.At(i).ScopeMetrics()
		for j := range sms.Len() {
			ms := sms.At(j).Metrics()
			for k := range ms.Len() {
				if m := ms.At(k); m.Name() == name {
					dps := m.Sum().DataPoints()
					for l := range dps.Len() {
						v, _ := dps.At(l).Attributes().Get(attr)
						out[v.AsString()] += dps.At(l).IntValue()
					}
				}
			}
		}
	}
	return out
}

// With compliance::status, only postures of those statuses are emitted and counted, and
// configured policy_ids limit the policies.
func TestComplianceFilters(t *testing.T) {
	e := newComplianceEnv(t, simulator.TenantConfig{Hosts: 30, Policies: 4, ControlsPerPolicy: 5}, simulator.Options{})
	policies := e.tenant.Policies()
	s := newComplianceStream(t, e, func(c *compliance.Settings) {
		c.Statuses = []string{"Failed", "Error"}
		c.PolicyIDs = []int64{int64(policies[2].ID), int64(policies[0].ID)}
	})
	require.NoError(t, s.Poll(t.Context(), e.sinks))
	q := simulator.Query{PostureStatuses: []string{"Failed", "Error"}, PolicyIDs: simulator.NewIDSet(policies[0].ID, policies[2].ID)}
	assertEachPostureOnce(t, e, q)
	got := gaugeByAttrs(e.sinks.lastMetrics(), "qualys.compliance.postures", "qualys.posture.status")
	assert.NotContains(t, got, "Passed")
	for status, n := range e.tenant.Counts(q).PosturesByStatus {
		assert.Equal(t, int64(n), got[status])
	}
}

// A pull that fails half-way resumes from the checkpoint: the next stream (a restart) asks only for
// what the consumer had not accepted, and every posture arrives exactly once over both.
func TestComplianceResumesFromCheckpoint(t *testing.T) {
	// 12 policies of 30 hosts in batches of 25 hosts: 15 batches (12 for the first ten policies, 3
	// for the last two); the sixth fails.
	e := newComplianceEnv(t, simulator.TenantConfig{Hosts: 40, Policies: 12, ControlsPerPolicy: 3, HostsPerPolicy: 30}, simulator.Options{})
	_, err := e.server.InjectFault(simulator.Fault{Kind: simulator.FaultHTTPError, Status: http.StatusForbidden,
		Endpoint: simulator.EndpointPCRSPostureInfo, Nth: 6})
	require.NoError(t, err)
	s := newComplianceStream(t, e, func(c *compliance.Settings) { c.PageSize = 25 })
	require.Error(t, s.Poll(t.Context(), e.sinks), "a 403 ends the poll")
	first := e.sinks.records()
	require.Positive(t, first)

	var saved compliance.State
	found, err := e.store.Load(t.Context(), compliance.Name, &saved)
	require.NoError(t, err)
	require.True(t, found)
	require.NotNil(t, saved.Current)
	// Five batches of 25 are the first four policies and five hosts of the fifth.
	require.Len(t, saved.Current.Ranges, 12, "a range per policy")
	for i, r := range saved.Current.Ranges {
		assert.Equal(t, i < 4, r.Done, "policy %d", i)
	}
	assert.Positive(t, saved.Current.Ranges[4].Next, "the checkpoint moved past the hosts of the fifth policy accepted")

	e.server.ResetRequests()
	restarted := newComplianceStream(t, e, func(c *compliance.Settings) { c.PageSize = 25 })
	require.NoError(t, restarted.Poll(t.Context(), e.sinks))
	assertEachPostureOnce(t, e, simulator.Query{})
	assert.Len(t, requestsTo(e, simulator.EndpointPCRSPostureInfo), 10,
		"the restart does not ask again for the five accepted batches")
}

// Without a gateway serving PCRS 5.0 the stream uses the newest version served, found once; older
// versions carry no policy title in postures, which then comes from the policy list.
func TestCompliancePCRSVersionDiscovery(t *testing.T) {
	e := newComplianceEnv(t, simulator.TenantConfig{Hosts: 10, Policies: 2, ControlsPerPolicy: 3}, simulator.Options{PCRSMaxVersion: 3})
	s := newComplianceStream(t, e, nil)
	require.NoError(t, s.Poll(t.Context(), e.sinks))
	e.advance(time.Hour)
	require.NoError(t, s.Poll(t.Context(), e.sinks))

	var paths []string
	for _, r := range e.server.Requests() {
		if strings.HasPrefix(r.Path, "/pcrs/") {
			paths = append(paths, r.Path)
		}
	}
	assert.Equal(t, []string{"/pcrs/5.0/posture/policy/list", "/pcrs/4.0/posture/policy/list", "/pcrs/3.0/posture/policy/list"}, paths[:3])
	for _, p := range paths[3:] {
		assert.True(t, strings.HasPrefix(p, "/pcrs/3.0/"), "%s: the version found is kept", p)
	}
	titles := map[int64]string{}
	for _, p := range e.tenant.Policies() {
		titles[int64(p.ID)] = p.Title
	}
	eachLog(e.sinks.allLogs(), func(_, rec map[string]any) {
		assert.Equal(t, titles[rec[convert.AttrPolicyID].(int64)], rec[convert.AttrPolicyTitle])
		assert.NotContains(t, rec, convert.AttrControlStatement, "PCRS 3.0 has no control statement")
	})
}

// A posture's host carries the same identity as in the vulnerabilities stream: the resource
// attributes equal what HostFromVM makes of the same host in Host List, except that PCRS does not
// give IPv6 addresses or cloud fields.
func TestComplianceHostIdentity(t *testing.T) {
	e := newComplianceEnv(t, simulator.TenantConfig{Hosts: 60, Policies: 2, ControlsPerPolicy: 2}, simulator.Options{})
	s := newComplianceStream(t, e, nil)
	require.NoError(t, s.Poll(t.Context(), e.sinks))

	resp, err := e.client.Hosts(t.Context(), qualys.HostQuery{PageSize: 1000}, qualys.IDRange{})
	require.NoError(t, err)
	defer resp.Body.Close()
	vm := map[int64]convert.HostIdentity{}
	d := decode.NewHostList(resp.Body)
	for {
		kind, err := d.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		if kind == decode.KindHost {
			vm[d.Host().ID] = convert.HostFromVM(d.Host())
		}
	}
	full, partial := 0, 0
	eachLog(e.sinks.allLogs(), func(res, _ map[string]any) {
		id, ok := vm[res[convert.AttrQualysHostID].(int64)]
		require.True(t, ok)
		want := pcommon.NewResource()
		id.FillResource(want)
		e.pullSettings().Source.FillResource(want)
		if id.IPv6 == "" && id.CloudProvider == "" && id.CloudResourceID == "" {
			assert.Equal(t, want.Attributes().AsRaw(), res)
			full++
			return
		}
		for _, k := range []string{convert.AttrQualysHostID, convert.AttrQualysAssetID, convert.AttrHostName, convert.AttrOSType, convert.AttrOSDescription} {
			assert.Equal(t, want.Attributes().AsRaw()[k], res[k], k)
		}
		partial++
	})
	assert.Positive(t, full)
	assert.Positive(t, partial, "some hosts have IPv6 or cloud fields")
}

// The classic posture API: one policy at a time, page by page by host id, postures joined with the
// glossary; the records equal the golden file and cover every posture once; incremental polls ask
// with status_changes_since.
func TestComplianceClassic(t *testing.T) {
	e := newComplianceEnv(t, simulator.TenantConfig{Hosts: 6, Policies: 2, ControlsPerPolicy: 3, HostsPerPolicy: 4}, simulator.Options{})
	s := newComplianceStream(t, e, func(c *compliance.Settings) { c.API = compliance.APIClassic; c.PageSize = 3; c.Evidence = true })
	require.NoError(t, s.Poll(t.Context(), e.sinks))
	assert.Len(t, requestsTo(e, simulator.EndpointPosture), 4, "two pages of each policy")
	assert.Empty(t, requestsTo(e, simulator.EndpointPCRSPostureInfo))
	assertEachPostureOnce(t, e, simulator.Query{})
	assertGoldenLogs(t, "compliance/classic-logs.yaml", e.sinks.allLogs())

	e.advance(time.Hour)
	e.sinks.reset()
	e.server.ResetRequests()
	require.NoError(t, s.Poll(t.Context(), e.sinks))
	assert.Zero(t, e.sinks.records())
	for _, r := range requestsTo(e, simulator.EndpointPosture) {
		assert.Contains(t, r.Body+"&"+r.RawQuery, "status_changes_since=2026-01-15T12%3A00%3A00Z")
	}
}

// A larger tenant over the classic API: every posture once, the gauge equal to the counts.
func TestComplianceClassicComplete(t *testing.T) {
	e := newComplianceEnv(t, simulator.TenantConfig{Hosts: 80, Policies: 3, ControlsPerPolicy: 4}, simulator.Options{})
	s := newComplianceStream(t, e, func(c *compliance.Settings) { c.API = compliance.APIClassic; c.PageSize = 9 })
	require.NoError(t, s.Poll(t.Context(), e.sinks))
	assertEachPostureOnce(t, e, simulator.Query{})
	got := gaugeByAttrs(e.sinks.lastMetrics(), "qualys.compliance.postures", "qualys.posture.status")
	for status, n := range e.tenant.Counts(simulator.Query{}).PosturesByStatus {
		assert.Equal(t, int64(n), got[status])
	}
}

// An unknown policy id on the classic API (HTTP 400, code 1905, as Qualys answers) costs that
// policy, as on the gateway: it is skipped with a warning, the other policies are pulled, the poll
// completes and the gauge appears. Every later poll does the same rather than fail.
func TestComplianceClassicUnknownPolicySkipped(t *testing.T) {
	e := newComplianceEnv(t, simulator.TenantConfig{Hosts: 10, Policies: 2, ControlsPerPolicy: 3}, simulator.Options{})
	known := e.tenant.Policies()[1].ID
	s := newComplianceStream(t, e, func(c *compliance.Settings) {
		c.API = compliance.APIClassic
		c.PolicyIDs = []int64{999, int64(known)}
	})
	require.NoError(t, s.Poll(t.Context(), e.sinks))
	refused := 0
	for _, r := range requestsTo(e, simulator.EndpointPosture) {
		if r.Status == http.StatusBadRequest {
			refused++
		}
	}
	assert.Equal(t, 1, refused, "Qualys refused the unknown policy")
	skipped := e.logs.FilterMessage("Policy skipped").All()
	require.Len(t, skipped, 1)
	assert.Equal(t, int64(999), skipped[0].ContextMap()["policy_id"])
	assert.Contains(t, skipped[0].ContextMap()["error"], "code 1905")
	q := simulator.Query{PolicyIDs: simulator.NewIDSet(known)}
	assertEachPostureOnce(t, e, q)
	got := gaugeByAttrs(e.sinks.lastMetrics(), "qualys.compliance.postures", "qualys.posture.status")
	for status, n := range e.tenant.Counts(q).PosturesByStatus {
		assert.Equal(t, int64(n), got[status], status)
	}

	e.advance(time.Hour)
	require.NoError(t, s.Poll(t.Context(), e.sinks), "the next poll skips it again")
	assert.Len(t, e.logs.FilterMessage("Policy skipped").All(), 2)
}

// A classic policy list that comes in pages (Qualys does not document its default truncation) is
// followed to its last page: every policy is pulled, not only the first page's.
func TestComplianceClassicPolicyListPages(t *testing.T) {
	e := newComplianceEnv(t, simulator.TenantConfig{Hosts: 12, Policies: 5, ControlsPerPolicy: 2, HostsPerPolicy: 6},
		simulator.Options{PolicyListTruncation: 2})
	s := newComplianceStream(t, e, func(c *compliance.Settings) { c.API = compliance.APIClassic })
	require.NoError(t, s.Poll(t.Context(), e.sinks))
	assert.Len(t, requestsTo(e, simulator.EndpointPolicyList), 3, "five policies, two a page")
	assertEachPostureOnce(t, e, simulator.Query{})
	policies := map[any]bool{}
	eachLog(e.sinks.allLogs(), func(_, rec map[string]any) { policies[rec[convert.AttrPolicyID]] = true })
	assert.Len(t, policies, 5, "postures of every policy")
}

// The public PCRS doc samples, served as a gateway would: the policy list sample ends in "....",
// so the poll fails rather than pull part of the policies; the Resolve Host IDs sample has
// placeholder ids, which are skipped without a postureInfo call.
func TestCompliancePublicSamples(t *testing.T) {
	policyList := readSample(t, "qualys-docs_pcrs-policy-list.doc-sample.json.txt")
	hostIDs := readSample(t, "qualys-docs_pcrs-resolve-hostids.doc-sample.json")
	served := policyList
	postureCalls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/auth":
			w.WriteHeader(http.StatusCreated)
			_, _ = io.WriteString(w, "token")
		case strings.HasSuffix(r.URL.Path, "/posture/policy/list"):
			_, _ = w.Write(served)
		case strings.HasSuffix(r.URL.Path, "/posture/hostids"):
			_, _ = w.Write(hostIDs)
		case strings.HasSuffix(r.URL.Path, "/posture/postureInfo"):
			postureCalls++
			w.WriteHeader(http.StatusNoContent)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	client, err := qualys.New(srv.Client(), qualys.Settings{APIServerURL: srv.URL, GatewayURL: srv.URL, Username: "u", Password: "p", MaxConcurrency: 1})
	require.NoError(t, err)
	sinks := &testSinks{}
	s := compliance.New(compliance.Settings{
		Settings: pull.Settings{Client: client, Clock: pinnedClock()},
		Metrics:  newMetricsBuilder(t),
	})
	err = s.Poll(t.Context(), sinks)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "pcrs_policies")
	assert.Zero(t, sinks.records())

	// The first policies of the sample, with a numeric id, and the hostids sample as it is.
	served = bytes.Replace(policyList[:bytes.Index(policyList, []byte("},"))+1], []byte(`"<POLICY ID>"`), []byte(`"42"`), 1)
	served = append(served, []byte("]}")...)
	require.NoError(t, s.Poll(t.Context(), sinks))
	assert.Zero(t, sinks.records())
	assert.Zero(t, postureCalls, "no host to ask postures for")
}

// The start-up checks log in to the API the stream uses and call the Policy Compliance module, so a
// user without it gets the operator's message before the first poll.
func TestComplianceChecks(t *testing.T) {
	for _, api := range []compliance.API{compliance.APIGateway, compliance.APIClassic} {
		t.Run(string(api), func(t *testing.T) {
			e := newComplianceEnv(t, simulator.TenantConfig{Hosts: 5}, simulator.Options{MissingPermissions: []simulator.Permission{simulator.PermPC}})
			s := newComplianceStream(t, e, func(c *compliance.Settings) { c.API = api })
			checks := s.Checks()
			require.Len(t, checks, 2)
			require.NoError(t, checks[0].Run(t.Context()), "%s login", checks[0].What)
			err := checks[1].Run(t.Context())
			require.Error(t, err)
			msg := qualys.OperatorMessage(compliance.Name, checks[1].What, err)
			assert.Contains(t, msg, "compliance: Policy Compliance")
			assert.Contains(t, msg, "access denied")

			e.server.SetPermission(simulator.PermPC, true)
			require.NoError(t, checks[1].Run(t.Context()))
		})
	}
}
