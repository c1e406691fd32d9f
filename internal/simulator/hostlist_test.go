// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type hostListDoc struct {
	XMLName  xml.Name `xml:"HOST_LIST_OUTPUT"`
	Response struct {
		Hosts []struct {
			ID           uint64   `xml:"ID"`
			AssetID      uint64   `xml:"ASSET_ID"`
			TruRisk      *int     `xml:"TRURISK_SCORE"`
			ARS          *int     `xml:"ASSET_RISK_SCORE"`
			Criticality  *int     `xml:"ASSET_CRITICALITY_SCORE"`
			SerialNumber string   `xml:"SERIAL_NUMBER"`
			Tags         []xmlTag `xml:"TAGS>TAG"`
			AGs          string   `xml:"ASSET_GROUP_IDS"`
			LastVulnScan string   `xml:"LAST_VULN_SCAN_DATETIME"`
		} `xml:"HOST_LIST>HOST"`
		IDs      []string `xml:"ID_SET>ID"`
		IDRanges []string `xml:"ID_SET>ID_RANGE"`
		Warning  *warning `xml:"WARNING"`
	} `xml:"RESPONSE"`
}

func hostListURL(base, query string) string {
	return base + "/api/2.0/fo/asset/host/?action=list" + prefixAmp(query)
}

func fetchHostList(t *testing.T, first string) []hostListDoc {
	var docs []hostListDoc
	for next := first; next != ""; {
		resp, body := apiGet(t, next)
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
		var doc hostListDoc
		decodeXML(t, body, &doc)
		docs = append(docs, doc)
		next = ""
		if doc.Response.Warning != nil {
			next = doc.Response.Warning.URL
		}
	}
	return docs
}

func TestHostListIDSetCompressesRanges(t *testing.T) {
	srv, base := startServer(t, TenantConfig{Seed: 4, Hosts: 2000}, Options{})
	tn := srv.Tenant()
	docs := fetchHostList(t, hostListURL(base, "details=None&truncation_limit=700"))
	require.Len(t, docs, 3)
	var got []uint64
	ranges := 0
	for _, d := range docs {
		for _, id := range d.Response.IDs {
			n, _ := strconv.ParseUint(id, 10, 64)
			got = append(got, n)
		}
		for _, r := range d.Response.IDRanges {
			lo, hi, ok := strings.Cut(r, "-")
			require.True(t, ok)
			a, _ := strconv.ParseUint(lo, 10, 64)
			b, _ := strconv.ParseUint(hi, 10, 64)
			require.Less(t, a, b)
			for n := a; n <= b; n++ {
				got = append(got, n)
			}
			ranges++
		}
	}
	assert.Positive(t, ranges, "consecutive ids fold into ID_RANGE")
	require.Len(t, got, tn.HostCount())
	seen := map[uint64]bool{}
	for _, id := range got {
		_, ok := tn.HostIndex(id)
		assert.True(t, ok)
		assert.False(t, seen[id])
		seen[id] = true
	}
}

func TestHostListDetails(t *testing.T) {
	srv, base := startServer(t, TenantConfig{Seed: 2, Hosts: 30}, Options{})
	docs := fetchHostList(t, hostListURL(base, "truncation_limit=0"))
	require.Len(t, docs, 1)
	h := docs[0].Response.Hosts[0]
	assert.Zero(t, h.AssetID)
	assert.Nil(t, h.TruRisk)
	assert.Empty(t, h.SerialNumber, "Basic has no hardware")
	assert.Empty(t, h.LastVulnScan)

	docs = fetchHostList(t, hostListURL(base, "details=All/AGs&show_asset_id=1&show_trurisk=1&show_ars=1&show_tags=1&truncation_limit=0"))
	tagged := 0
	for k, h := range docs[0].Response.Hosts {
		want := srv.Tenant().Host(k)
		assert.Equal(t, want.ID, h.ID)
		assert.Equal(t, want.AssetID, h.AssetID)
		require.NotNil(t, h.TruRisk)
		assert.Equal(t, want.TruRisk, *h.TruRisk)
		assert.Equal(t, want.TruRisk, *h.ARS)
		assert.Equal(t, want.Criticality, *h.Criticality)
		assert.Equal(t, want.SerialNumber, h.SerialNumber)
		assert.NotEmpty(t, h.LastVulnScan)
		assert.NotEmpty(t, h.AGs)
		assert.Len(t, h.Tags, len(want.Tags))
		tagged += len(h.Tags)
	}
	assert.Positive(t, tagged)
	_, body := apiGet(t, hostListURL(base, "show_trurisk=1&show_trurisk_factors=1&truncation_limit=1"))
	assert.Equal(t, 5, strings.Count(string(body), "<VULN_COUNT qds_severity="))
	resp, body := apiGet(t, hostListURL(base, "details=Everything"))
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Equal(t, 1905, simpleReturn(t, body).Response.Code)
}

func TestHostListFiltersAndPaging(t *testing.T) {
	srv, base := startServer(t, TenantConfig{Seed: 2, Hosts: 90}, Options{})
	q := Query{Tags: TagQuery{ByName: true, Include: []string{"Production", "Cloud Agent"}}}
	docs := fetchHostList(t, hostListURL(base, "use_tags=1&tag_set_by=name&tag_set_include=Production,Cloud+Agent&truncation_limit=7"))
	n := 0
	var prev uint64
	for _, d := range docs {
		for _, h := range d.Response.Hosts {
			assert.Greater(t, h.ID, prev)
			prev = h.ID
			n++
		}
	}
	assert.Equal(t, srv.Tenant().Counts(q).Hosts, n)
	assert.Greater(t, len(docs), 2)
}
