// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"encoding/xml"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type postureDoc struct {
	XMLName  xml.Name `xml:"POSTURE_INFO_LIST_OUTPUT"`
	Response struct {
		Infos []struct {
			ID        uint64   `xml:"ID"`
			HostID    uint64   `xml:"HOST_ID"`
			ControlID uint64   `xml:"CONTROL_ID"`
			PolicyID  uint64   `xml:"POLICY_ID"`
			Status    string   `xml:"STATUS"`
			Expected  []string `xml:"EVIDENCE>EXPECTED>V"`
		} `xml:"INFO_LIST>INFO"`
		GlossaryHosts    []uint64 `xml:"GLOSSARY>HOST_LIST>HOST>ID"`
		GlossaryControls []uint64 `xml:"GLOSSARY>CONTROL_LIST>CONTROL>ID"`
		Warning          *warning `xml:"WARNING"`
	} `xml:"RESPONSE"`
}

func postureURL(base, query string) string {
	return base + "/api/2.0/fo/compliance/posture/info/?action=list" + prefixAmp(query)
}

func TestPostureClassicPagesByHost(t *testing.T) {
	srv, base := startServer(t, TenantConfig{Seed: 4, Hosts: 50, Policies: 2, ControlsPerPolicy: 5}, Options{})
	tn := srv.Tenant()
	p := tn.Policies()[1]
	want := tn.Counts(Query{PolicyIDs: NewIDSet(p.ID)})
	var infos int
	var prevHost uint64
	pages := 0
	for next := postureURL(base, "policy_id="+formatUint(p.ID)+"&truncation_limit=8&details=All"); next != ""; pages++ {
		resp, body := apiGet(t, next)
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
		var doc postureDoc
		decodeXML(t, body, &doc)
		hosts := map[uint64]bool{}
		for _, in := range doc.Response.Infos {
			assert.Equal(t, p.ID, in.PolicyID)
			assert.GreaterOrEqual(t, in.HostID, prevHost, "hosts ascend")
			prevHost = in.HostID
			hosts[in.HostID] = true
			assert.NotEmpty(t, in.Expected, "details=All carries evidence")
		}
		assert.LessOrEqual(t, len(hosts), 8)
		assert.Len(t, doc.Response.GlossaryHosts, len(hosts), "the glossary lists the page's hosts")
		assert.NotEmpty(t, doc.Response.GlossaryControls)
		infos += len(doc.Response.Infos)
		next = ""
		if doc.Response.Warning != nil {
			next = doc.Response.Warning.URL
		}
	}
	assert.Equal(t, want.Postures, infos)
	assert.Equal(t, (tn.Config().HostsPerPolicy+7)/8, pages)
}

func TestPostureClassicFilters(t *testing.T) {
	srv, base := startServer(t, TenantConfig{Seed: 4, Hosts: 30, Policies: 3}, Options{})
	tn := srv.Tenant()
	ps := tn.Policies()
	ids := formatUint(ps[0].ID) + "," + formatUint(ps[2].ID)
	resp, body := apiGet(t, postureURL(base, "policy_ids="+ids+"&status=Failed"))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var doc postureDoc
	decodeXML(t, body, &doc)
	want := tn.Counts(Query{PolicyIDs: NewIDSet(ps[0].ID, ps[2].ID), PostureStatuses: []string{PostureStatusFailed}})
	assert.Equal(t, want.Postures, len(doc.Response.Infos))
	assert.Nil(t, doc.Response.Warning)
	for _, in := range doc.Response.Infos {
		assert.Equal(t, PostureStatusFailed, in.Status)
	}

	for query, code := range map[string]int{
		"":                         1903,
		"policy_id=1&policy_ids=1": 1904,
		"policy_ids=" + ids + "&truncation_limit=5": 1907,
		"policy_id=12":                                         1905,
		"policy_ids=1,2,3,4,5,6,7,8,9,10,11":                   1905,
		"policy_id=" + formatUint(ps[0].ID) + "&status=passed": 1905,
	} {
		resp, body := apiGet(t, postureURL(base, query))
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode, query)
		assert.Equal(t, code, simpleReturn(t, body).Response.Code, query)
	}
}

// The policy list pages like the other list APIs when truncated: a 1980 WARNING whose URL repeats
// the request with id_min at the next policy; the pages together hold every policy once.
func TestPolicyListPages(t *testing.T) {
	srv, base := startServer(t, TenantConfig{Seed: 4, Policies: 5}, Options{PolicyListTruncation: 2})
	type page struct {
		Policies []struct {
			ID uint64 `xml:"ID"`
		} `xml:"RESPONSE>POLICY_LIST>POLICY"`
		Warning struct {
			Code int    `xml:"CODE"`
			URL  string `xml:"URL"`
		} `xml:"RESPONSE>WARNING"`
	}
	var got []uint64
	next := base + "/api/2.0/fo/compliance/policy/?action=list&details=Basic"
	for pages := 0; next != ""; pages++ {
		require.Less(t, pages, 3, "five policies, two a page")
		resp, body := apiGet(t, next)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		var doc page
		decodeXML(t, body, &doc)
		for _, p := range doc.Policies {
			got = append(got, p.ID)
		}
		next = doc.Warning.URL
		if next != "" {
			assert.Equal(t, 1980, doc.Warning.Code)
			assert.Len(t, doc.Policies, 2)
			assert.Contains(t, next, "details=Basic")
		}
	}
	var want []uint64
	for _, p := range srv.Tenant().Policies() {
		want = append(want, p.ID)
	}
	assert.Equal(t, want, got)

	// A truncation_limit in the request wins over the default; 0 lists every policy.
	_, body := apiGet(t, base+"/api/2.0/fo/compliance/policy/?action=list&truncation_limit=0")
	var all page
	decodeXML(t, body, &all)
	assert.Len(t, all.Policies, 5)
	assert.Empty(t, all.Warning.URL)
}

func TestPolicyList(t *testing.T) {
	srv, base := startServer(t, TenantConfig{Seed: 4, Policies: 4}, Options{})
	resp, body := apiGet(t, base+"/api/2.0/fo/compliance/policy/?action=list&details=Basic")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var doc struct {
		Policies []struct {
			ID    uint64 `xml:"ID"`
			Title string `xml:"TITLE"`
		} `xml:"RESPONSE>POLICY_LIST>POLICY"`
	}
	decodeXML(t, body, &doc)
	require.Len(t, doc.Policies, 4)
	for k, p := range srv.Tenant().Policies() {
		assert.Equal(t, p.ID, doc.Policies[k].ID)
		assert.Equal(t, p.Title, doc.Policies[k].Title)
	}
}
