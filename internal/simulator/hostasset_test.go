// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type serviceResponseDoc struct {
	XMLName        xml.Name `xml:"ServiceResponse"`
	ResponseCode   string   `xml:"responseCode"`
	Count          int      `xml:"count"`
	HasMoreRecords bool     `xml:"hasMoreRecords"`
	LastID         uint64   `xml:"lastId"`
	ErrorMessage   string   `xml:"responseErrorDetails>errorMessage"`
	Assets         []struct {
		ID         uint64 `xml:"id"`
		QwebHostID uint64 `xml:"qwebHostId"`
		Modified   string `xml:"modified"`
		Tags       []struct {
			ID   uint64 `xml:"id"`
			Name string `xml:"name"`
		} `xml:"tags>list>TagSimple"`
		Interfaces []struct {
			MAC     string `xml:"macAddress"`
			Address string `xml:"address"`
			Gateway string `xml:"gatewayAddress"`
			Name    string `xml:"interfaceName"`
		} `xml:"networkInterface>list>HostAssetInterface"`
		Agent *struct {
			Status string `xml:"status"`
		} `xml:"agentInfo"`
	} `xml:"data>HostAsset"`
}

func qpsSearch(t *testing.T, base, criteria string, limit int, user, pass string) (*http.Response, serviceResponseDoc) {
	body := "<ServiceRequest><filters>" + criteria + "</filters>"
	if limit > 0 {
		body += fmt.Sprintf("<preferences><limitResults>%d</limitResults></preferences>", limit)
	}
	body += "</ServiceRequest>"
	req, err := http.NewRequest(http.MethodPost, base+"/qps/rest/2.0/search/am/hostasset", strings.NewReader(body))
	require.NoError(t, err)
	req.SetBasicAuth(user, pass)
	req.Header.Set("Content-Type", "text/xml")
	resp, b := send(t, req)
	var doc serviceResponseDoc
	decodeXML(t, b, &doc)
	return resp, doc
}

func TestHostAssetPagingByIDGreater(t *testing.T) {
	srv, base := startServer(t, TenantConfig{Seed: 5, Hosts: 250}, Options{})
	var ids []uint64
	criteria := ""
	for pages := 0; ; pages++ {
		resp, doc := qpsSearch(t, base, criteria, 0, testUser, testPass)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Equal(t, "SUCCESS", doc.ResponseCode)
		assert.Equal(t, len(doc.Assets), doc.Count)
		for _, a := range doc.Assets {
			ids = append(ids, a.ID)
			h, ok := srv.Tenant().HostByID(a.QwebHostID)
			require.True(t, ok)
			assert.Equal(t, h.AssetID, a.ID)
			require.Len(t, a.Tags, len(h.Tags))
			assert.GreaterOrEqual(t, len(a.Interfaces), len(h.Interfaces))
			for _, nic := range a.Interfaces {
				assert.NotEmpty(t, nic.MAC)
				assert.NotEmpty(t, nic.Gateway)
			}
			assert.Equal(t, h.TrackingMethod == "QAGENT", a.Agent != nil)
		}
		if !doc.HasMoreRecords {
			assert.Equal(t, 2, pages, "100 + 100 + 50")
			break
		}
		assert.Equal(t, doc.Assets[len(doc.Assets)-1].ID, doc.LastID)
		criteria = fmt.Sprintf(`<Criteria field="id" operator="GREATER">%d</Criteria>`, doc.LastID)
	}
	require.Len(t, ids, 250)
	for i := 1; i < len(ids); i++ {
		require.Greater(t, ids[i], ids[i-1])
	}
}

func TestHostAssetCriteria(t *testing.T) {
	srv, base := startServer(t, TenantConfig{Seed: 5, Hosts: 120}, Options{})
	tn := srv.Tenant()
	since := tn.Config().BaseTime.Add(-30 * 24 * time.Hour)
	_, doc := qpsSearch(t, base, `<Criteria field="updated" operator="GREATER">`+qualysTime(since)+`</Criteria>`, 1000, testUser, testPass)
	want := 0
	for i := range tn.HostCount() {
		if tn.Host(i).Modified.After(since) {
			want++
		}
	}
	assert.Equal(t, want, doc.Count)
	assert.Less(t, want, tn.HostCount())

	_, doc = qpsSearch(t, base, `<Criteria field="tagName" operator="EQUALS">PCI</Criteria>`, 1000, testUser, testPass)
	assert.Equal(t, tn.Counts(Query{Tags: TagQuery{ByName: true, Include: []string{"PCI"}}}).Hosts, doc.Count)
	for _, a := range doc.Assets {
		assert.Contains(t, fmt.Sprint(a.Tags), "PCI")
	}
	id := tn.HostID(17)
	_, doc = qpsSearch(t, base, fmt.Sprintf(`<Criteria field="qwebHostId" operator="EQUALS">%d</Criteria>`, id), 0, testUser, testPass)
	require.Equal(t, 1, doc.Count)
	assert.Equal(t, id, doc.Assets[0].QwebHostID)

	resp, doc := qpsSearch(t, base, `<Criteria field="colour" operator="EQUALS">red</Criteria>`, 0, testUser, testPass)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Equal(t, "INVALID_REQUEST", doc.ResponseCode)
	resp, doc = qpsSearch(t, base, "", 1001, testUser, testPass)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, doc.ErrorMessage, "limitResults")
}

// A qwebHostId span, as the assets stream asks for a range of hosts, holds the assets of exactly
// the hosts in it, whatever ids its bounds name, and says no more records exist past it.
func TestHostAssetQwebHostIDSpan(t *testing.T) {
	srv, base := startServer(t, TenantConfig{Seed: 5, Hosts: 120}, Options{})
	tn := srv.Tenant()
	span := func(greater, lesser uint64) []uint64 {
		_, doc := qpsSearch(t, base, fmt.Sprintf(`<Criteria field="qwebHostId" operator="GREATER">%d</Criteria>`+
			`<Criteria field="qwebHostId" operator="LESSER">%d</Criteria>`, greater, lesser), 1000, testUser, testPass)
		assert.False(t, doc.HasMoreRecords)
		var ids []uint64
		for _, a := range doc.Assets {
			ids = append(ids, a.QwebHostID)
		}
		return ids
	}
	hosts := func(from, to int) []uint64 {
		var ids []uint64
		for i := from; i < to; i++ {
			ids = append(ids, tn.HostID(i))
		}
		return ids
	}
	assert.Equal(t, hosts(10, 30), span(tn.HostID(9), tn.HostID(30)))
	assert.Equal(t, hosts(10, 31), span(tn.HostID(10)-1, tn.HostID(30)+1))
	assert.Equal(t, hosts(0, 120), span(0, tn.HostID(119)+1))
	assert.Empty(t, span(tn.HostID(119), tn.HostID(119)+100))
}

func TestHostAssetAuthFailures(t *testing.T) {
	_, base := startServer(t, TenantConfig{Hosts: 3}, Options{})
	resp, doc := qpsSearch(t, base, "", 0, testUser, "wrong")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Equal(t, "INVALID_CREDENTIALS", doc.ResponseCode)

	srv, base := startServer(t, TenantConfig{Hosts: 3}, Options{QPSErrorsInBody: true, MissingPermissions: []Permission{PermAM}})
	resp, doc = qpsSearch(t, base, "", 0, testUser, "wrong")
	assert.Equal(t, http.StatusOK, resp.StatusCode, "QPS may answer auth failures under HTTP 200")
	assert.Equal(t, "INVALID_CREDENTIALS", doc.ResponseCode)
	resp, doc = qpsSearch(t, base, "", 0, testUser, testPass)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "UNAUTHORIZED", doc.ResponseCode)
	srv.SetPermission(PermAM, true)
	_, doc = qpsSearch(t, base, "", 0, testUser, testPass)
	assert.Equal(t, "SUCCESS", doc.ResponseCode)
}
