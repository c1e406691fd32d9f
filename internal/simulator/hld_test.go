// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHLDSameSeedSameBytes(t *testing.T) {
	render := func(seed uint64) string {
		srv := New(NewTenant(TenantConfig{Seed: seed, Hosts: 30}), Options{Username: testUser, Password: testPass,
			Clock: func() time.Time { return fixedNow }})
		req := httptest.NewRequest(http.MethodGet, "http://qualysapi.test"+
			"/api/5.0/fo/asset/host/vm/detection/?action=list&truncation_limit=7&show_tags=1&show_qds=1&show_qds_factors=1&show_igs=1", nil)
		req.SetBasicAuth(testUser, testPass)
		req.Header.Set("X-Requested-With", "test")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		require.Equal(t, http.StatusOK, rec.Code)
		return rec.Body.String()
	}
	a, b := render(42), render(42)
	assert.Equal(t, a, b)
	assert.NotEqual(t, a, render(43))
	assert.Contains(t, a, "<WARNING>")
}

func TestHLDPagingVisitsEveryHostOnce(t *testing.T) {
	srv, base := startServer(t, TenantConfig{Seed: 7, Hosts: 57, DetectionsPerHost: 4}, Options{})
	want := srv.Tenant().Counts(Query{Statuses: allStatuses})
	hosts, pages := fetchHLD(t, hldURL(base, "5.0", "truncation_limit=10&status=New,Active,Re-Opened,Fixed"))
	assert.Equal(t, (want.HostsWithDetections+9)/10, pages)
	ids := make([]uint64, len(hosts))
	for i, h := range hosts {
		ids[i] = h.ID
	}
	assert.True(t, slices.IsSorted(ids), "hosts ascend by id across pages")
	assert.Len(t, slices.Compact(slices.Clone(ids)), len(ids), "no host twice")
	assert.Equal(t, want.HostsWithDetections, len(hosts))
	assert.Equal(t, want.Detections, detectionCount(hosts))

	// truncation_limit=0 returns everything at once, and the same hosts.
	all, pages := fetchHLD(t, hldURL(base, "2.0", "truncation_limit=0&status=New,Active,Re-Opened,Fixed"))
	assert.Equal(t, 1, pages)
	assert.Equal(t, len(hosts), len(all))
}

func TestHLDWarningURLKeepsTheRequest(t *testing.T) {
	_, base := startServer(t, TenantConfig{Seed: 3, Hosts: 20}, Options{})
	resp, body := apiRequest(t, http.MethodPost, base+"/api/5.0/fo/asset/host/vm/detection/?action=list&truncation_limit=2",
		strings.NewReader("show_tags=1&status=Active"))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var doc hldDoc
	decodeXML(t, body, &doc)
	require.NotNil(t, doc.Response.Warning)
	u := doc.Response.Warning.URL
	assert.True(t, strings.HasPrefix(u, base+"/api/5.0/fo/asset/host/vm/detection/?action=list&truncation_limit=2&"), u)
	assert.Contains(t, u, "show_tags=1")
	assert.Contains(t, u, "status=Active")
	assert.Contains(t, u, "&id_min=")
	assert.Contains(t, string(body), "<URL><![CDATA["+u+"]]></URL>")
}

func TestHLDDefaultStatusOmitsFixed(t *testing.T) {
	srv, base := startServer(t, TenantConfig{Seed: 11, Hosts: 40}, Options{})
	hosts, _ := fetchHLD(t, hldURL(base, "5.0", "truncation_limit=0"))
	statuses := map[string]int{}
	for _, h := range hosts {
		for _, d := range h.Detections {
			statuses[d.Status]++
		}
	}
	assert.Zero(t, statuses[StatusFixed])
	assert.Positive(t, statuses[StatusNew]+statuses[StatusActive]+statuses[StatusReopened])
	assert.Equal(t, srv.Tenant().Counts(Query{}).Detections, detectionCount(hosts))

	fixed, _ := fetchHLD(t, hldURL(base, "5.0", "truncation_limit=0&status=Fixed"))
	require.NotEmpty(t, fixed)
	for _, h := range fixed {
		for _, d := range h.Detections {
			assert.Equal(t, StatusFixed, d.Status)
			assert.NotEmpty(t, d.LastFixed, "Fixed detections carry LAST_FIXED_DATETIME")
		}
	}
}

// TestHLDFilters checks each filter two ways: every returned detection satisfies it, and the
// totals equal what Counts computes for the same Query.
func TestHLDFilters(t *testing.T) {
	srv, base := startServer(t, TenantConfig{Seed: 5, Hosts: 60, DetectionsPerHost: 10, QIDs: 200}, Options{})
	tn := srv.Tenant()
	h0, h1 := tn.HostID(3), tn.HostID(20)
	qids := []uint64{tn.qidAt(1), tn.qidAt(7), tn.qidAt(8), tn.qidAt(9)}
	after := tn.Config().BaseTime.Add(-20 * 24 * time.Hour)
	tagByName := func(name string) Tag {
		for _, tag := range tn.Tags() {
			if tag.Name == name {
				return tag
			}
		}
		t.Fatalf("no tag %s", name)
		return Tag{}
	}
	prod, pci := tagByName("Production"), tagByName("PCI")
	hasTag := func(h hldHost, id uint64) bool {
		return slices.ContainsFunc(h.Tags, func(x xmlTag) bool { return x.ID == id })
	}
	tests := []struct {
		name  string
		query string
		q     Query
		host  func(hldHost) bool
		det   func(hldDetection) bool
	}{
		{name: "confirmed", query: "include_vuln_type=confirmed", q: Query{VulnType: "confirmed"},
			det: func(d hldDetection) bool { return d.Type == TypeConfirmed }},
		{name: "potential", query: "include_vuln_type=potential", q: Query{VulnType: "potential"},
			det: func(d hldDetection) bool { return d.Type == TypePotential }},
		{name: "igs", query: "show_igs=1", q: Query{ShowIGs: true}},
		{name: "severities range", query: "severities=2-4", q: Query{Severities: IDSet{{2, 4}}},
			det: func(d hldDetection) bool { return d.Severity >= 2 && d.Severity <= 4 }},
		{name: "severities list", query: "severities=1,5", q: Query{Severities: NewIDSet(1, 5)},
			det: func(d hldDetection) bool { return d.Severity == 1 || d.Severity == 5 }},
		{name: "qids", query: "qids=" + formatUint(qids[0]) + "," + formatUint(qids[1]) + "-" + formatUint(qids[3]),
			q:   Query{QIDs: IDSet{{qids[0], qids[0]}, {qids[1], qids[3]}}},
			det: func(d hldDetection) bool { return d.QID == qids[0] || d.QID >= qids[1] && d.QID <= qids[3] }},
		{name: "ids range", query: "ids=" + formatUint(h0) + "-" + formatUint(h1), q: Query{IDs: IDSet{{h0, h1}}},
			host: func(h hldHost) bool { return h.ID >= h0 && h.ID <= h1 }},
		{name: "id_min id_max", query: "id_min=" + formatUint(h0) + "&id_max=" + formatUint(h1), q: Query{IDMin: h0, IDMax: h1},
			host: func(h hldHost) bool { return h.ID >= h0 && h.ID <= h1 }},
		{name: "vm_processed_after", query: "vm_processed_after=" + qualysTime(after), q: Query{VMProcessedAfter: after}},
		{name: "tags any", query: "use_tags=1&tag_set_by=name&tag_set_include=Production,PCI&show_tags=1",
			q:    Query{Tags: TagQuery{ByName: true, Include: []string{"Production", "PCI"}}},
			host: func(h hldHost) bool { return hasTag(h, prod.ID) || hasTag(h, pci.ID) }},
		{name: "tags all", query: "use_tags=1&tag_set_by=name&tag_set_include=Production,PCI&tag_include_selector=all&show_tags=1",
			q:    Query{Tags: TagQuery{ByName: true, Include: []string{"Production", "PCI"}, IncludeAll: true}},
			host: func(h hldHost) bool { return hasTag(h, prod.ID) && hasTag(h, pci.ID) }},
		{name: "tags exclude any by id", query: "use_tags=1&tag_set_exclude=" + formatUint(prod.ID) + "," + formatUint(pci.ID) + "&show_tags=1",
			q:    Query{Tags: TagQuery{Exclude: []string{formatUint(prod.ID), formatUint(pci.ID)}}},
			host: func(h hldHost) bool { return !hasTag(h, prod.ID) && !hasTag(h, pci.ID) }},
		{name: "tags exclude all", query: "use_tags=1&tag_set_by=name&tag_set_exclude=Production,PCI&tag_exclude_selector=all&show_tags=1",
			q:    Query{Tags: TagQuery{ByName: true, Exclude: []string{"Production", "PCI"}, ExcludeAll: true}},
			host: func(h hldHost) bool { return !(hasTag(h, prod.ID) && hasTag(h, pci.ID)) }},
		{name: "tags ignored without use_tags", query: "tag_set_by=name&tag_set_include=PCI", q: Query{}},
		{name: "arf 1", query: "arf_kernel_filter=1", q: Query{ARFKernel: 1},
			det: func(d hldDetection) bool { return d.ARK == nil || *d.ARK == 1 }},
		{name: "arf 2", query: "arf_kernel_filter=2", q: Query{ARFKernel: 2},
			det: func(d hldDetection) bool { return d.ARK != nil && *d.ARK == 0 }},
		{name: "arf 3", query: "arf_kernel_filter=3", q: Query{ARFKernel: 3},
			det: func(d hldDetection) bool { return d.ARK != nil && *d.ARK == 1 }},
		{name: "arf 4", query: "arf_kernel_filter=4", q: Query{ARFKernel: 4},
			det: func(d hldDetection) bool { return d.ARK != nil }},
		{name: "status list", query: "status=New,Re-Opened", q: Query{Statuses: []string{StatusNew, StatusReopened}},
			det: func(d hldDetection) bool { return d.Status == StatusNew || d.Status == StatusReopened }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hosts, _ := fetchHLD(t, hldURL(base, "5.0", "truncation_limit=25&"+tc.query))
			want := tn.Counts(tc.q)
			assert.Equal(t, want.HostsWithDetections, len(hosts))
			assert.Equal(t, want.Detections, detectionCount(hosts))
			require.Positive(t, want.Detections, "the filter should select something in this tenant")
			for _, h := range hosts {
				if tc.host != nil {
					assert.True(t, tc.host(h), "host %d", h.ID)
				}
				for _, d := range h.Detections {
					if tc.det != nil {
						assert.True(t, tc.det(d), "host %d qid %d", h.ID, d.QID)
					}
				}
			}
		})
	}
}

func TestHLDFiltersNarrow(t *testing.T) {
	// A sanity check of the Counts oracle itself: each filter selects strictly less than no filter.
	tn := NewTenant(TenantConfig{Seed: 5, Hosts: 60, DetectionsPerHost: 10})
	all := tn.Counts(Query{Statuses: allStatuses, ShowIGs: true}).Detections
	for _, q := range []Query{{}, {VulnType: "confirmed"}, {Severities: IDSet{{5, 5}}}, {ARFKernel: 3},
		{Tags: TagQuery{ByName: true, Include: []string{"PCI"}}}} {
		assert.Less(t, tn.Counts(q).Detections, all)
	}
}

func TestHLDParameterErrors(t *testing.T) {
	_, base := startServer(t, TenantConfig{Hosts: 3}, Options{})
	tests := []struct {
		query string
		code  int
		text  string
	}{
		{"status=Open", 1905, "parameter status has invalid value: Open"},
		{"status=active", 1905, "status"},
		{"include_vuln_type=both", 1905, "include_vuln_type"},
		{"severities=0-3", 1905, "severities"},
		{"arf_kernel_filter=5", 1905, "arf_kernel_filter"},
		{"show_tags=yes", 1905, "show_tags"},
		{"vm_processed_after=yesterday", 1905, "vm_processed_after"},
		{"output_format=CSV", 1905, "output_format"},
		{"ids=1-", 1905, "ids"},
		{"colour=red", 1901, "Unrecognized parameter(s): colour"},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			resp, body := apiGet(t, hldURL(base, "5.0", tc.query))
			assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
			sr := simpleReturn(t, body)
			assert.Equal(t, tc.code, sr.Response.Code)
			assert.Contains(t, sr.Response.Text, tc.text)
		})
	}
	resp, body := apiGet(t, base+"/api/5.0/fo/asset/host/vm/detection/")
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Equal(t, 1903, simpleReturn(t, body).Response.Code)
}

func TestHLDVersionsAndOptionalElements(t *testing.T) {
	_, base := startServer(t, TenantConfig{Seed: 9, Hosts: 30}, Options{})
	_, v2 := apiGet(t, hldURL(base, "2.0", "truncation_limit=0"))
	_, v5 := apiGet(t, hldURL(base, "5.0", "truncation_limit=0&show_results=0&show_reopened_info=1&show_qds=1&show_qds_factors=1&show_asset_id=1"))
	assert.NotContains(t, string(v2), "<UNIQUE_VULN_ID>", "API 2.0 predates UNIQUE_VULN_ID")
	assert.NotContains(t, string(v2), "<QDS ")
	assert.NotContains(t, string(v2), "<ASSET_ID>")
	assert.Contains(t, string(v2), "<RESULTS><![CDATA[", "show_results defaults to 1")
	assert.NotContains(t, string(v5), "<RESULTS>")
	var doc hldDoc
	decodeXML(t, v5, &doc)
	reopened := 0
	for _, h := range doc.Response.Hosts {
		assert.NotZero(t, h.AssetID)
		for _, d := range h.Detections {
			assert.Equal(t, h.ID*uniqueVulnMult+d.QID, d.UniqueVulnID)
			require.NotNil(t, d.QDS)
			assert.Contains(t, []string{"LOW", "MEDIUM", "HIGH", "CRITICAL"}, d.QDS.Severity)
			assert.Len(t, d.Factors, 6)
			if d.TimesReopened != nil {
				reopened++
			}
		}
	}
	assert.Positive(t, reopened)
	resp, _ := apiGet(t, hldURL(base, "1.0", ""))
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}

// TestHLDTextRoundTrips decodes every RESULTS, OS and DNS and compares them with the generators:
// CDATA splitting ("]]>"), raw markup and pre-escaped entities must all survive an XML parser.
func TestHLDTextRoundTrips(t *testing.T) {
	srv, base := startServer(t, TenantConfig{Seed: 17, Hosts: 400, ResultsBytes: 300}, Options{})
	tn := srv.Tenant()
	hosts, _ := fetchHLD(t, hldURL(base, "5.0", "truncation_limit=0&status=New,Active,Re-Opened,Fixed&show_igs=1&include_ignored=1&include_disabled=1"))
	checked, split := 0, 0
	for _, got := range hosts {
		h, ok := tn.HostByID(got.ID)
		require.True(t, ok)
		assert.Equal(t, h.OS, got.OS)
		assert.Equal(t, h.DNS, got.DNS)
		dets := tn.Detections(&h)
		require.Len(t, got.Detections, len(dets))
		for k, d := range dets {
			want := tn.Results(&d)
			if !d.HasResults {
				assert.Nil(t, got.Detections[k].Results)
				continue
			}
			require.NotNil(t, got.Detections[k].Results)
			require.Equal(t, want, *got.Detections[k].Results)
			checked++
			if strings.Contains(want, "]]>") {
				split++
			}
		}
	}
	assert.Greater(t, checked, 2000)
	assert.Positive(t, split, "some RESULTS needed a split CDATA section")
}
