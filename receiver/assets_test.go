// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/seed-d80aa3af/qualysreceiver/internal/assets"
	"github.com/seed-d80aa3af/qualysreceiver/internal/convert"
	"github.com/seed-d80aa3af/qualysreceiver/internal/decode"
	"github.com/seed-d80aa3af/qualysreceiver/internal/pull"
	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
	"github.com/seed-d80aa3af/qualysreceiver/internal/simulator"
)

// ninetyDays is the default modified_within, the window Microsoft's connector uses.
const ninetyDays = 90 * 24 * time.Hour

func newAssetsStream(t *testing.T, e *simEnv, mutate func(*assets.Settings)) *assets.Stream {
	t.Helper()
	cfg := assets.Settings{
		Settings:       e.pullSettings(),
		ModifiedWithin: ninetyDays,
		Metrics:        newMetricsBuilder(t),
	}
	if mutate != nil {
		mutate(&cfg)
	}
	return assets.New(cfg)
}

// assetHostIDs counts the emitted asset records by host id, checking each is one qualys.asset
// record under its own resource.
func assetHostIDs(t *testing.T, ld plog.Logs) map[int64]int {
	t.Helper()
	seen := map[int64]int{}
	rls := ld.ResourceLogs()
	for i := range rls.Len() {
		rl := rls.At(i)
		id, ok := rl.Resource().Attributes().Get(convert.AttrQualysHostID)
		require.True(t, ok)
		require.Equal(t, 1, rl.ScopeLogs().Len())
		lrs := rl.ScopeLogs().At(0).LogRecords()
		require.Equal(t, 1, lrs.Len(), "one record per asset resource")
		require.Equal(t, convert.EventAsset, lrs.At(0).EventName())
		seen[id.Int()]++
	}
	return seen
}

// tenantHosts returns the ids of the tenant's hosts that keep says to expect.
func tenantHosts(tn *simulator.Tenant, keep func(h *simulator.Host) bool) map[int64]bool {
	out := map[int64]bool{}
	for i := range tn.HostCount() {
		h := tn.Host(i)
		if keep == nil || keep(&h) {
			out[int64(h.ID)] = true
		}
	}
	return out
}

func modifiedAfter(cutoff time.Time) func(h *simulator.Host) bool {
	return func(h *simulator.Host) bool { return h.Modified.After(cutoff) }
}

// The emitted assets and metrics of a small simulated tenant, pulled over several pages and ranges
// in parallel, equal the golden files.
func TestAssetsGolden(t *testing.T) {
	e := newSimEnv(t, simulator.TenantConfig{Hosts: 16, DetectionsPerHost: 1}, simulator.Options{})
	s := newAssetsStream(t, e, func(c *assets.Settings) { c.PageSize = 5 })
	require.NoError(t, s.Poll(t.Context(), e.sinks))

	assertGoldenLogs(t, "assets/logs.yaml", e.sinks.allLogs())
	assertGoldenMetrics(t, "assets/metrics.yaml", e.sinks.lastMetrics())
}

// A pull over three pages yields each asset exactly once, with one Host List page and one host
// asset search per page, the search limited to the page's host id span.
func TestAssetsThreePagesEachOnce(t *testing.T) {
	e := newSimEnv(t, simulator.TenantConfig{Hosts: 30, DetectionsPerHost: 1}, simulator.Options{})
	s := newAssetsStream(t, e, func(c *assets.Settings) { c.PageSize = 10; c.ModifiedWithin = 0; c.Workers = 1 })
	require.NoError(t, s.Poll(t.Context(), e.sinks))

	seen := assetHostIDs(t, e.sinks.allLogs())
	want := tenantHosts(e.tenant, nil)
	assert.Len(t, seen, len(want))
	for id, n := range seen {
		assert.True(t, want[id], "host %d is in the tenant", id)
		assert.Equal(t, 1, n, "host %d emitted %d times", id, n)
	}

	var pages []simulator.RequestRecord
	for _, r := range requestsTo(e, simulator.EndpointHostList) {
		if strings.Contains(r.Body, "details=All") {
			pages = append(pages, r)
		}
	}
	require.Len(t, pages, 3, "30 hosts in pages of 10")
	searches := requestsTo(e, simulator.EndpointHostAsset)
	require.Len(t, searches, 3, "one host asset search per page")
	for k, r := range searches {
		lo, hi := e.tenant.HostID(10*k), e.tenant.HostID(10*k+9)
		assert.Contains(t, r.Body, fmt.Sprintf(`<Criteria field="qwebHostId" operator="GREATER">%d</Criteria>`, lo-1))
		assert.Contains(t, r.Body, fmt.Sprintf(`<Criteria field="qwebHostId" operator="LESSER">%d</Criteria>`, hi+1))
		assert.Contains(t, r.Body, "<limitResults>10</limitResults>")
		assert.NotContains(t, r.Body, `field="updated"`, "no window, no updated criterion")
	}
	assert.Nil(t, s.Rec.State.Current, "the pull completed")
	assert.EqualValues(t, 30, e.sinks.records(), "records emitted")
}

// An asset whose host asset was last modified before modified_within is not emitted; touched, it
// comes on the next poll. The window is measured from the Qualys server time of the pull.
func TestAssetsModifiedWithin(t *testing.T) {
	e := newSimEnv(t, simulator.TenantConfig{Hosts: 60, DetectionsPerHost: 1}, simulator.Options{})
	s := newAssetsStream(t, e, nil)
	require.NoError(t, s.Poll(t.Context(), e.sinks))

	cutoff := simTime.Add(-ninetyDays)
	want := tenantHosts(e.tenant, modifiedAfter(cutoff))
	all := tenantHosts(e.tenant, nil)
	require.Less(t, len(want), len(all), "some hosts of the tenant were modified before the window")
	seen := assetHostIDs(t, e.sinks.allLogs())
	assert.Len(t, seen, len(want))
	for id := range seen {
		assert.True(t, want[id], "host %d was modified within the window", id)
	}
	for _, r := range requestsTo(e, simulator.EndpointHostAsset) {
		assert.Contains(t, r.Body, `<Criteria field="updated" operator="GREATER">`+cutoff.Format("2006-01-02T15:04:05Z")+`</Criteria>`)
	}

	var stale uint64
	for id := range all {
		if !want[id] {
			stale = uint64(id)
			break
		}
	}
	at := e.advance(time.Hour)
	require.NoError(t, e.tenant.TouchHost(stale, at))
	e.sinks.reset()
	require.NoError(t, s.Poll(t.Context(), e.sinks))
	seen = assetHostIDs(t, e.sinks.allLogs())
	assert.Len(t, seen, len(tenantHosts(e.tenant, modifiedAfter(at.Add(-ninetyDays)))))
	assert.Equal(t, 1, seen[int64(stale)], "the touched asset is now within the window")
	eachLog(e.sinks.allLogs(), func(res, rec map[string]any) {
		if res[convert.AttrQualysHostID] == int64(stale) {
			assert.Equal(t, at.Format(time.RFC3339), rec[convert.AttrAssetModified])
		}
	})
}

// Each tag filter reaches Host List as use_tags with tag names, and the output holds exactly the
// hosts the simulator selects for it; the host asset search is paged when the span of a page holds
// more assets than a page (hosts the filter left out).
func TestAssetsTagFilters(t *testing.T) {
	tests := []struct {
		name   string
		filter func(tags []simulator.Tag) qualys.TagFilter
		params []string
		oracle func(tags []simulator.Tag) simulator.TagQuery
	}{
		{
			name: "include any",
			filter: func(tags []simulator.Tag) qualys.TagFilter {
				return qualys.TagFilter{Include: []string{tags[0].Name, tags[1].Name}}
			},
			params: []string{"use_tags=1", "tag_set_by=name", "tag_include_selector=any", "tag_set_include="},
			oracle: func(tags []simulator.Tag) simulator.TagQuery {
				return simulator.TagQuery{ByName: true, Include: []string{tags[0].Name, tags[1].Name}}
			},
		},
		{
			name: "include all",
			filter: func(tags []simulator.Tag) qualys.TagFilter {
				return qualys.TagFilter{Include: []string{tags[0].Name, tags[1].Name}, IncludeSelector: "all"}
			},
			params: []string{"use_tags=1", "tag_set_by=name", "tag_include_selector=all"},
			oracle: func(tags []simulator.Tag) simulator.TagQuery {
				return simulator.TagQuery{ByName: true, Include: []string{tags[0].Name, tags[1].Name}, IncludeAll: true}
			},
		},
		{
			name: "exclude any",
			filter: func(tags []simulator.Tag) qualys.TagFilter {
				return qualys.TagFilter{Exclude: []string{tags[2].Name}}
			},
			params: []string{"use_tags=1", "tag_set_by=name", "tag_exclude_selector=any", "tag_set_exclude="},
			oracle: func(tags []simulator.Tag) simulator.TagQuery {
				return simulator.TagQuery{ByName: true, Exclude: []string{tags[2].Name}}
			},
		},
		{
			name: "include and exclude",
			filter: func(tags []simulator.Tag) qualys.TagFilter {
				return qualys.TagFilter{Include: []string{tags[0].Name}, Exclude: []string{tags[2].Name, tags[3].Name}, ExcludeSelector: "all"}
			},
			params: []string{"use_tags=1", "tag_set_by=name", "tag_set_include=", "tag_set_exclude=", "tag_exclude_selector=all"},
			oracle: func(tags []simulator.Tag) simulator.TagQuery {
				return simulator.TagQuery{ByName: true, Include: []string{tags[0].Name}, Exclude: []string{tags[2].Name, tags[3].Name}, ExcludeAll: true}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newSimEnv(t, simulator.TenantConfig{Hosts: 80, DetectionsPerHost: 1}, simulator.Options{})
			tags := e.tenant.Tags()
			s := newAssetsStream(t, e, func(c *assets.Settings) {
				c.Tags = tt.filter(tags)
				c.ModifiedWithin = 0
				c.PageSize = 4
			})
			require.NoError(t, s.Poll(t.Context(), e.sinks))

			hostLists := requestsTo(e, simulator.EndpointHostList)
			require.NotEmpty(t, hostLists)
			for _, r := range hostLists {
				for _, p := range tt.params {
					assert.Contains(t, r.Body, p, "Host List %s", r.Body)
				}
				f := tt.filter(tags)
				form, err := url.ParseQuery(r.Body)
				require.NoError(t, err)
				if len(f.Include) > 0 {
					assert.Equal(t, strings.Join(f.Include, ","), form.Get("tag_set_include"))
				}
				if len(f.Exclude) > 0 {
					assert.Equal(t, strings.Join(f.Exclude, ","), form.Get("tag_set_exclude"))
				}
			}

			want := e.tenant.Counts(simulator.Query{Tags: tt.oracle(tags)})
			require.Positive(t, want.Hosts, "the filter selects something")
			require.Less(t, want.Hosts, e.tenant.HostCount(), "the filter leaves something out")
			seen := assetHostIDs(t, e.sinks.allLogs())
			assert.Len(t, seen, want.Hosts)
			for id, n := range seen {
				assert.Equal(t, 1, n, "host %d", id)
			}
			assert.Equal(t, int64(want.Hosts), sumValues(gaugeByAttrs(e.sinks.lastMetrics(), "qualys.assets", "os.type")))
		})
	}
}

// With only a few hosts per page selected by tags, the span of a page holds more host assets than
// limitResults: the stream follows hasMoreRecords with id GREATER lastId, and still emits each
// selected asset once.
func TestAssetsHostAssetPaging(t *testing.T) {
	e := newSimEnv(t, simulator.TenantConfig{Hosts: 80, DetectionsPerHost: 1}, simulator.Options{})
	tags := e.tenant.Tags()
	tq := simulator.TagQuery{ByName: true, Include: []string{tags[0].Name}}
	s := newAssetsStream(t, e, func(c *assets.Settings) {
		c.Tags = qualys.TagFilter{Include: tq.Include}
		c.ModifiedWithin = 0
		c.PageSize = 3
	})
	require.NoError(t, s.Poll(t.Context(), e.sinks))

	paged := 0
	for _, r := range requestsTo(e, simulator.EndpointHostAsset) {
		if strings.Contains(r.Body, `<Criteria field="id" operator="GREATER">`) {
			paged++
		}
	}
	assert.Positive(t, paged, "some host asset searches went on to a next page")
	want := e.tenant.Counts(simulator.Query{Tags: tq})
	seen := assetHostIDs(t, e.sinks.allLogs())
	assert.Len(t, seen, want.Hosts)
	for id, n := range seen {
		assert.Equal(t, 1, n, "host %d", id)
	}
}

func sumValues(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

// The qualys.assets gauge equals the simulator's own counts, by tracking method and by OS type,
// for the assets within the window; qualys.records.emitted adds up over polls.
func TestAssetsGaugeEqualsCounts(t *testing.T) {
	e := newSimEnv(t, simulator.TenantConfig{Hosts: 150, DetectionsPerHost: 1}, simulator.Options{})
	s := newAssetsStream(t, e, func(c *assets.Settings) { c.PageSize = 20 })
	require.NoError(t, s.Poll(t.Context(), e.sinks))

	cutoff := simTime.Add(-ninetyDays)
	byMethod, byOS := map[string]int64{}, map[string]int64{}
	for i := range e.tenant.HostCount() {
		h := e.tenant.Host(i)
		if !h.Modified.After(cutoff) {
			continue
		}
		byMethod[h.TrackingMethod]++
		osType := convert.OSType(h.OS)
		if osType == "" {
			osType = assets.UnknownOSType
		}
		byOS[osType]++
	}
	md := e.sinks.lastMetrics()
	assert.Equal(t, byMethod, gaugeByAttrs(md, "qualys.assets", "qualys.asset.tracking_method"))
	assert.Equal(t, byOS, gaugeByAttrs(md, "qualys.assets", "os.type"))
	assert.Equal(t, map[string]int64{"assets": sumValues(byMethod)}, sumByAttr(md, "qualys.records.emitted", "qualys.stream"))

	e.advance(time.Hour)
	require.NoError(t, s.Poll(t.Context(), e.sinks))
	md = e.sinks.lastMetrics()
	assert.Equal(t, byMethod, gaugeByAttrs(md, "qualys.assets", "qualys.asset.tracking_method"), "a snapshot, not a sum of polls")
	assert.Equal(t, map[string]int64{"assets": 2 * sumValues(byMethod)}, sumByAttr(md, "qualys.records.emitted", "qualys.stream"),
		"records emitted since start")
}

// sumByAttr sums a sum metric's data points by the value of one attribute.
func sumByAttr(md pmetric.Metrics, name, attr string) map[string]int64 {
	out := map[string]int64{}
	rms := md.ResourceMetrics()
	for i := range rms.Len() {
		sms := rms.At(i).ScopeMetrics()
		for j := range sms.Len() {
			ms := sms.At(j).Metrics()
			for k := range ms.Len() {
				if ms.At(k).Name() != name {
					continue
				}
				dps := ms.At(k).Sum().DataPoints()
				for l := range dps.Len() {
					v, _ := dps.At(l).Attributes().Get(attr)
					out[v.AsString()] += dps.At(l).IntValue()
				}
			}
		}
	}
	return out
}

// assetOnlyResource are the resource attributes only the assets stream knows: the host asset's MAC
// addresses and cloud source.
var assetOnlyResource = []string{
	convert.AttrHostMAC, convert.AttrCloudRegion, convert.AttrCloudZone, convert.AttrCloudAccountID,
	convert.AttrHostID, convert.AttrHostType, convert.AttrHostImageID,
}

// An asset's resource carries exactly the host identity its detections carry (the asset-only
// attributes aside, and the detections' tag names, which the asset has on its record), and the
// identity its postures carry where PCRS has the fields: the host asset's FQDN or name never
// changes host.name.
func TestAssetsHostIdentityEqualsDetectionsAndPostures(t *testing.T) {
	e := newComplianceEnv(t, simulator.TenantConfig{Hosts: 80, DetectionsPerHost: 2, Policies: 1, ControlsPerPolicy: 1}, simulator.Options{})
	collect := func(poll func() error) map[int64]map[string]any {
		e.sinks.reset()
		require.NoError(t, poll())
		out := map[int64]map[string]any{}
		eachLog(e.sinks.allLogs(), func(res, _ map[string]any) {
			out[res[convert.AttrQualysHostID].(int64)] = res
		})
		return out
	}
	assets := collect(func() error {
		return newAssetsStream(t, e, func(c *assets.Settings) { c.ModifiedWithin = 0 }).Poll(t.Context(), e.sinks)
	})
	detections := collect(func() error { return newVulnStream(t, e, nil).Poll(t.Context(), e.sinks) })
	postures := collect(func() error { return newComplianceStream(t, e, nil).Poll(t.Context(), e.sinks) })

	require.Len(t, assets, e.tenant.HostCount())
	compared := 0
	for id, det := range detections {
		a, ok := assets[id]
		require.True(t, ok, "host %d has detections and an asset", id)
		require.Contains(t, a, convert.AttrHostMAC, "host %d", id)
		assert.Equal(t, without(det, convert.AttrAssetTags), without(a, assetOnlyResource...), "host %d", id)
		compared++
	}
	assert.Positive(t, compared)
	// A posture's resource is the asset's but for what the README says the posture APIs lack:
	// host.mac (assets only), cloud.* and the IPv6 address in host.ip.
	withIPv6, withCloud := 0, 0
	for id, p := range postures {
		a, ok := assets[id]
		require.True(t, ok, "host %d has postures and an asset", id)
		want := without(a, append(assetOnlyResource, convert.AttrCloudProvider, convert.AttrCloudResourceID)...)
		if _, ok := a[convert.AttrCloudProvider]; ok {
			withCloud++
		}
		ips, _ := want[convert.AttrHostIP].([]any)
		var ipv4 []any
		for _, ip := range ips {
			if strings.Contains(ip.(string), ":") {
				withIPv6++
			} else {
				ipv4 = append(ipv4, ip)
			}
		}
		if len(ipv4) > 0 {
			want[convert.AttrHostIP] = ipv4
		} else {
			delete(want, convert.AttrHostIP)
		}
		require.Contains(t, p, convert.AttrHostIP, "host %d: PCRS gives the IPv4 address", id)
		assert.Equal(t, want, p, "host %d", id)
	}
	assert.NotEmpty(t, postures)
	assert.Positive(t, withIPv6, "some hosts with postures have an IPv6 address only the assets carry")
	assert.Positive(t, withCloud, "some hosts with postures have cloud fields only the assets carry")
}

// without returns a copy of m without the keys.
func without(m map[string]any, drop ...string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if !slices.Contains(drop, k) {
			out[k] = v
		}
	}
	return out
}

// A pull stopped by a failed page resumes after a restart from the checkpoint: the accepted page
// is not asked for again, and every asset arrives once over both runs. The gauge waits for a pull
// that began in the running process.
func TestAssetsResumesFromCheckpoint(t *testing.T) {
	e := newSimEnv(t, simulator.TenantConfig{Hosts: 30, DetectionsPerHost: 1}, simulator.Options{})
	_, err := e.server.InjectFault(simulator.Fault{Kind: simulator.FaultHTTPError, Status: http.StatusForbidden,
		Endpoint: simulator.EndpointHostAsset, Nth: 2})
	require.NoError(t, err)
	settings := func(c *assets.Settings) { c.PageSize = 10; c.ModifiedWithin = 0; c.Workers = 1 }
	s := newAssetsStream(t, e, settings)
	require.Error(t, s.Poll(t.Context(), e.sinks), "a 403 ends the poll")
	require.Equal(t, 10, e.sinks.records(), "the first page was accepted")

	e.server.ResetRequests()
	restarted := newAssetsStream(t, e, settings)
	require.NoError(t, restarted.Poll(t.Context(), e.sinks))
	seen := assetHostIDs(t, e.sinks.allLogs())
	assert.Len(t, seen, 30)
	for id, n := range seen {
		assert.Equal(t, 1, n, "host %d", id)
	}
	for _, r := range requestsTo(e, simulator.EndpointHostList) {
		assert.NotContains(t, r.Body, "details=None", "a resumed pull is not planned again")
		form, err := url.ParseQuery(r.Body)
		require.NoError(t, err)
		assert.NotEqual(t, fmt.Sprint(e.tenant.HostID(0)), form.Get("id_min"), "the accepted page is not pulled again")
	}
	assert.Len(t, requestsTo(e, simulator.EndpointHostAsset), 2)
	assert.Empty(t, gaugeByAttrs(e.sinks.lastMetrics(), "qualys.assets", "os.type"),
		"the resumed pull began in another process: no gauge yet")

	require.NoError(t, restarted.Poll(t.Context(), e.sinks))
	assert.Equal(t, int64(30), sumValues(gaugeByAttrs(e.sinks.lastMetrics(), "qualys.assets", "os.type")))
}

// A QPS refusal answered under HTTP 200 (responseCode UNAUTHORIZED) ends the poll as a permission
// error, so the start-up checks run again, and emits nothing.
func TestAssetsHostAssetsRefusedInBody(t *testing.T) {
	e := newSimEnv(t, simulator.TenantConfig{Hosts: 10, DetectionsPerHost: 1},
		simulator.Options{QPSErrorsInBody: true, MissingPermissions: []simulator.Permission{simulator.PermAM}})
	s := newAssetsStream(t, e, nil)
	err := s.Poll(t.Context(), e.sinks)
	var qe *qualys.Error
	require.ErrorAs(t, err, &qe)
	assert.Equal(t, qualys.KindPermission, qe.Kind)
	assert.True(t, needsCheckAgain(err))
	assert.Zero(t, e.sinks.records())
	assert.Contains(t, qualys.OperatorMessage(assets.Name, "asset inventory", err), "Read Asset")
}

// The merge, on hand-made records: Host List names the host and the host asset's FQDN goes on the
// record only; MACs and gateways are deduplicated into IEEE and RFC 5952 form; Host List wins
// where both APIs speak and the host asset fills the gaps.
func TestAssetRecordMerge(t *testing.T) {
	modified := time.Date(2026, 1, 10, 8, 0, 0, 0, time.UTC)
	h := &decode.Host{ID: 7, AssetID: 70, IP: "10.0.0.7", NetBIOS: "WIN07", OS: "Windows Server 2022",
		TrackingMethod: "NETBIOS", NetworkID: 12, TruRiskScore: 612, AssetCriticalityScore: 3, SerialNumber: "SN7",
		Tags: []decode.Tag{{ID: 1, Name: "Prod"}, {ID: 2, Name: "Prod"}, {ID: 3, Name: "DC"}}}
	ha := &decode.HostAsset{ID: 70, QWebHostID: 7, FQDN: "win07.corp.example", Modified: modified, TrackingMethod: "IP",
		Agent: &decode.AgentInfo{Status: "STATUS_ACTIVE"}, Criticality: 5,
		Interfaces: []decode.HostAssetInterface{
			{InterfaceName: "eth0", MACAddress: "00:50:56:aa:bb:cc", Address: "10.0.0.7", GatewayAddress: "10.0.0.1"},
			{InterfaceName: "eth0", MACAddress: "00-50-56-AA-BB-CC", Address: "FD00:0:0::7", GatewayAddress: "10.0.0.1"},
			{InterfaceName: "eth1", MACAddress: "not a mac", Address: "192.168.1.7", GatewayAddress: "192.168.1.1"},
		}}
	a := convert.Asset{Host: h, HostAsset: ha}
	res := plog.NewResourceLogs().Resource()
	a.FillResource(res)
	assert.Equal(t, map[string]any{
		convert.AttrQualysHostID: int64(7), convert.AttrQualysAssetID: int64(70), convert.AttrHostName: "WIN07",
		convert.AttrHostIP: []any{"10.0.0.7"}, convert.AttrHostMAC: []any{"00-50-56-AA-BB-CC"},
		convert.AttrOSType: "windows", convert.AttrOSDescription: "Windows Server 2022",
	}, res.Attributes().AsRaw())

	lr := plog.NewLogRecord()
	observed := simTime
	convert.AssetRecord(lr, a, observed)
	assert.Equal(t, convert.EventAsset, lr.EventName())
	assert.Equal(t, modified, lr.Timestamp().AsTime())
	assert.Equal(t, observed, lr.ObservedTimestamp().AsTime())
	rec := lr.Attributes().AsRaw()
	assert.Equal(t, []any{"Prod", "DC"}, rec[convert.AttrAssetTags])
	assert.Equal(t, "NETBIOS", rec[convert.AttrAssetTrackingMethod], "Host List wins")
	assert.Equal(t, int64(3), rec[convert.AttrAssetCriticality], "Host List wins")
	assert.Equal(t, int64(612), rec[convert.AttrAssetTruRisk])
	assert.Equal(t, int64(12), rec[convert.AttrAssetNetworkID])
	assert.Equal(t, "win07.corp.example", rec[convert.AttrAssetFQDN])
	assert.Equal(t, "WIN07", rec[convert.AttrAssetNetBIOS])
	assert.Equal(t, "STATUS_ACTIVE", rec[convert.AttrAssetAgentStatus], "from the host asset when Host List has none")
	assert.Equal(t, []any{"10.0.0.1", "192.168.1.1"}, rec[convert.AttrAssetGateways])
	assert.Equal(t, modified.Format(time.RFC3339), rec[convert.AttrAssetModified])
	nics := rec[convert.AttrAssetInterfaces].([]any)
	require.Len(t, nics, 3)
	assert.Equal(t, map[string]any{"name": "eth0", "mac": "00-50-56-AA-BB-CC", "address": "fd00::7", "gateway": "10.0.0.1"}, nics[1])
	assert.NotContains(t, nics[2], "mac", "text that is no MAC address is left out")

	// Without a host asset (no window) the record has what Host List says, timed by last activity.
	h.LastActivity = modified.Add(-time.Hour)
	lr = plog.NewLogRecord()
	convert.AssetRecord(lr, convert.Asset{Host: h}, observed)
	assert.Equal(t, h.LastActivity, lr.Timestamp().AsTime())
	assert.NotContains(t, lr.Attributes().AsRaw(), convert.AttrAssetFQDN)
	res = plog.NewResourceLogs().Resource()
	convert.Asset{Host: h}.FillResource(res)
	assert.NotContains(t, res.Attributes().AsRaw(), convert.AttrHostMAC)
}

// The real Host List answer in shared/qualys-samples (an EC2 host), with each real host asset answer
// beside it, becomes one asset record carrying what Qualys sent; the samples are read from there,
// never copied here. Their host assets belong to other hosts, so they join nothing.
func TestAssetsFromPublicSample(t *testing.T) {
	hostList := readSampleFile(t, "demisto-content_host_list_ec2_raw.xml")
	for _, name := range []string{"jupiterone-graph-qualys_list-host-assets.xml", "jupiterone-graph-qualys_azure-host-assets.xml"} {
		t.Run(name, func(t *testing.T) {
			sinks := pollAssetsFrom(t, hostList, readSampleFile(t, name))
			require.Equal(t, map[int64]int{69291564: 1}, assetHostIDs(t, sinks.allLogs()))
			rl := sinks.allLogs().ResourceLogs().At(0)
			res := rl.Resource().Attributes().AsRaw()
			assert.Equal(t, []any{"172.31.11.229"}, res[convert.AttrHostIP])
			assert.Equal(t, "i-055ef1b4734491575", res[convert.AttrHostName], "DNS, whose CDATA is kept as sent")
			assert.Equal(t, "aws", res[convert.AttrCloudProvider])
			assert.Equal(t, "i-055ef1b4734491575", res[convert.AttrCloudResourceID])
			assert.Equal(t, "i-055ef1b4734491575", res[convert.AttrHostID], "EC2_INSTANCE_ID without a host asset's sourceInfo")
			assert.Equal(t, "Windows 2003 R2 Service Pack 2", res[convert.AttrOSDescription])
			assert.Equal(t, "windows", res[convert.AttrOSType])
		})
	}
}

func readSampleFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(samplesDir, name))
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("sample %s not found: %s is absent, so the real-sample tests are skipped", name, samplesDir)
	}
	require.NoError(t, err)
	return b
}

// pollAssetsFrom runs one assets poll against a server answering Host List with hostList and the
// host asset search with hostAsset.
func pollAssetsFrom(t *testing.T, hostList, hostAsset []byte) *testSinks {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		switch {
		case r.URL.Path == qualys.HostListPath && r.Form.Get("details") == "None":
			// The plan comes from an open id range: the sample's hosts are pulled in one page.
			_, _ = w.Write([]byte(`<HOST_LIST_OUTPUT><RESPONSE><DATETIME>2024-01-01T00:00:00Z</DATETIME><ID_SET><ID_RANGE>1-1</ID_RANGE></ID_SET></RESPONSE></HOST_LIST_OUTPUT>`))
		case r.URL.Path == qualys.HostListPath:
			_, _ = w.Write(hostList)
		case r.URL.Path == qualys.HostAssetsPath:
			_, _ = w.Write(hostAsset)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	client, err := qualys.New(srv.Client(), qualys.Settings{APIServerURL: srv.URL, Username: "u", Password: "p", MaxConcurrency: 1})
	require.NoError(t, err)
	sinks := &testSinks{}
	s := assets.New(assets.Settings{
		Settings: pull.Settings{Client: client, Workers: 1, PageSize: 1000, Clock: pinnedClock()},
		Metrics:  newMetricsBuilder(t),
	})
	require.NoError(t, s.Poll(t.Context(), sinks))
	return sinks
}

// A host asset answer cut off mid-page, or a Host List page reset mid-body, is pulled again: the
// poll completes and each asset arrives once, none emitted from the broken page.
func TestAssetsBrokenPagesPulledAgain(t *testing.T) {
	for _, f := range []simulator.Fault{
		{Kind: simulator.FaultTruncate, Endpoint: simulator.EndpointHostAsset, Nth: 2, AfterBytes: 2048},
		{Kind: simulator.FaultReset, Endpoint: simulator.EndpointHostList, Nth: 3, AfterBytes: 2048},
	} {
		t.Run(string(f.Kind), func(t *testing.T) {
			e := newSimEnv(t, simulator.TenantConfig{Hosts: 30, DetectionsPerHost: 1}, simulator.Options{})
			_, err := e.server.InjectFault(f)
			require.NoError(t, err)
			s := newAssetsStream(t, e, func(c *assets.Settings) { c.PageSize = 10; c.ModifiedWithin = 0 })
			require.NoError(t, s.Poll(t.Context(), e.sinks))
			seen := assetHostIDs(t, e.sinks.allLogs())
			assert.Len(t, seen, 30)
			for id, n := range seen {
				assert.Equal(t, 1, n, "host %d", id)
			}
			faulted := false
			for _, r := range e.server.Requests() {
				faulted = faulted || r.Fault == f.Kind
			}
			assert.True(t, faulted, "the fault fired")
		})
	}
}
