// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestXRequestedWithRequired(t *testing.T) {
	_, base := startServer(t, TenantConfig{Hosts: 2}, Options{})
	req, _ := http.NewRequest(http.MethodGet, hldURL(base, "5.0", ""), nil)
	req.SetBasicAuth(testUser, testPass)
	resp, body := send(t, req)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, simpleReturn(t, body).Response.Text, "X-Requested-With")
	assert.NotEmpty(t, resp.Header.Get("X-RateLimit-Limit"))

	req, _ = http.NewRequest(http.MethodGet, base+"/msp/about.php", nil)
	req.SetBasicAuth(testUser, testPass)
	resp, _ = send(t, req)
	assert.Equal(t, http.StatusOK, resp.StatusCode, "only the VM/PC API (/api/x.0/fo/) requires the header")
}

func TestCredentialsRequired(t *testing.T) {
	_, base := startServer(t, TenantConfig{Hosts: 2}, Options{})
	for _, set := range []func(*http.Request){
		func(*http.Request) {},
		func(r *http.Request) { r.SetBasicAuth(testUser, "wrong") },
		func(r *http.Request) { r.SetBasicAuth("other", testPass) },
	} {
		req, _ := http.NewRequest(http.MethodGet, hldURL(base, "5.0", ""), nil)
		req.Header.Set("X-Requested-With", "t")
		set(req)
		resp, body := send(t, req)
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
		sr := simpleReturn(t, body)
		assert.Equal(t, "Bad Login/Password", sr.Response.Text)
		assert.Zero(t, sr.Response.Code)
	}
}

func TestMissingPermissions(t *testing.T) {
	srv, base := startServer(t, TenantConfig{Hosts: 2}, Options{MissingPermissions: []Permission{PermVM, PermPC}})
	resp, body := apiGet(t, hldURL(base, "5.0", ""))
	assert.Equal(t, http.StatusConflict, resp.StatusCode)
	assert.Equal(t, codePermission, simpleReturn(t, body).Response.Code)
	resp, _ = apiGet(t, postureURL(base, "policy_id=1"))
	assert.Equal(t, http.StatusConflict, resp.StatusCode)
	tok := authToken(t, base)
	resp, body = gatewayCall(t, http.MethodGet, base+"/pcrs/1.0/posture/policy/list", tok, "")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Contains(t, string(body), "Policy Compliance")
	srv.SetPermission(PermVM, true)
	resp, _ = apiGet(t, hldURL(base, "5.0", ""))
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

func TestRequestLog(t *testing.T) {
	srv, base := startServer(t, TenantConfig{Hosts: 4}, Options{MaxRequestLog: 3})
	apiGet(t, hldURL(base, "5.0", "show_tags=1"))
	apiRequest(t, http.MethodPost, base+"/api/2.0/fo/asset/host/", strings.NewReader("action=list&details=None"))
	apiGet(t, base+"/no/such/path")
	apiGet(t, kbURL(base, "ids=1"))
	recs := srv.Requests()
	require.Len(t, recs, 3, "the log is bounded")
	assert.Equal(t, EndpointHostList, recs[0].Endpoint)
	assert.Equal(t, "action=list&details=None", recs[0].Body)
	assert.Equal(t, http.MethodPost, recs[0].Method)
	assert.Equal(t, endpointUnknown, recs[1].Endpoint)
	assert.Equal(t, http.StatusNotFound, recs[1].Status)
	assert.Equal(t, EndpointKB, recs[2].Endpoint)
	for _, r := range recs {
		assert.Empty(t, r.Header.Get("Authorization"), "credentials are never logged")
		assert.Equal(t, "simulator-test", r.Header.Get("X-Requested-With"))
		assert.False(t, r.End.Before(r.Start))
	}
	assert.Positive(t, recs[2].Bytes)
	srv.ResetRequests()
	assert.Empty(t, srv.Requests())

	// The admin endpoint serves the same log as JSON.
	apiGet(t, base+"/msp/about.php")
	resp, body := send(t, mustRequest(t, http.MethodGet, base+"/sim/requests", ""))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var viaHTTP []RequestRecord
	require.NoError(t, json.Unmarshal(body, &viaHTTP))
	require.Len(t, viaHTTP, 1)
	assert.Equal(t, EndpointAbout, viaHTTP[0].Endpoint)
}

func mustRequest(t *testing.T, method, url, body string) *http.Request {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	return req
}
