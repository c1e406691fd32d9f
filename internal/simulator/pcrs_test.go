// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeClock is a settable clock for token and limit tests.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func authToken(t *testing.T, gateway string) string {
	resp, body := postForm(t, gateway+"/auth", url.Values{"username": {testUser}, "password": {testPass}, "token": {"true"}})
	require.Equal(t, http.StatusCreated, resp.StatusCode, "%s", body)
	return string(body)
}

func postForm(t *testing.T, u string, form url.Values) (*http.Response, []byte) {
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return send(t, req)
}

func gatewayCall(t *testing.T, method, u, token, body string) (*http.Response, []byte) {
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return send(t, req)
}

func TestAuthIssuesRealLookingJWT(t *testing.T) {
	_, base := startServer(t, TenantConfig{}, Options{})
	tok := authToken(t, base)
	parts := strings.Split(tok, ".")
	require.Len(t, parts, 3)
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	var claims struct {
		Sub string `json:"sub"`
		Exp int64  `json:"exp"`
		Iat int64  `json:"iat"`
	}
	require.NoError(t, json.Unmarshal(payload, &claims))
	assert.Equal(t, testUser, claims.Sub)
	assert.Equal(t, int64(4*3600), claims.Exp-claims.Iat, "default lifetime 4h")

	resp, body := postForm(t, base+"/auth", url.Values{"username": {testUser}, "password": {"nope"}, "token": {"true"}})
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Contains(t, string(body), "InvalidCredentialsException")
	resp, _ = postForm(t, base+"/auth", url.Values{"username": {testUser}, "password": {testPass}})
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	resp, _ = postForm(t, base+"/auth", url.Values{"username": {testUser}, "password": {testPass}, "token": {"True"}})
	assert.Equal(t, http.StatusCreated, resp.StatusCode)
}

func TestJWTExpires(t *testing.T) {
	clock := &fakeClock{now: fixedNow}
	_, base := startServer(t, TenantConfig{}, Options{JWTLifetime: time.Hour, Clock: clock.Now})
	tok := authToken(t, base)
	resp, _ := gatewayCall(t, http.MethodGet, base+"/pcrs/1.0/posture/policy/list", tok, "")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	clock.Add(time.Hour)
	resp, body := gatewayCall(t, http.MethodGet, base+"/pcrs/1.0/posture/policy/list", tok, "")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.JSONEq(t, `{"status":401,"error":"Unauthorized","message":"JWT expired"}`, string(body))
	resp, body = gatewayCall(t, http.MethodGet, base+"/pcrs/1.0/posture/policy/list", "forged."+tok, "")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Contains(t, string(body), "Not authenticated")
	resp, _ = gatewayCall(t, http.MethodGet, base+"/pcrs/1.0/posture/policy/list", authToken(t, base), "")
	assert.Equal(t, http.StatusOK, resp.StatusCode, "a new token works")
}

func TestPCRSRateLimit(t *testing.T) {
	clock := &fakeClock{now: fixedNow}
	_, base := startServer(t, TenantConfig{}, Options{PCRSRateLimit: 3, Clock: clock.Now})
	tok := authToken(t, base)
	for range 3 {
		resp, _ := gatewayCall(t, http.MethodGet, base+"/pcrs/2.0/posture/policy/list", tok, "")
		require.Equal(t, http.StatusOK, resp.StatusCode)
	}
	resp, body := gatewayCall(t, http.MethodGet, base+"/pcrs/2.0/posture/policy/list", tok, "")
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	assert.Equal(t, "60", resp.Header.Get("Retry-After"))
	assert.Contains(t, string(body), `"status":429`)
	resp, _ = gatewayCall(t, http.MethodGet, base+"/pcrs/2.0/posture/hostids?policyId=1", tok, "")
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the limit is per PCRS API")
	authToken(t, base) // /auth is exempt
	clock.Add(time.Minute)
	resp, _ = gatewayCall(t, http.MethodGet, base+"/pcrs/2.0/posture/policy/list", tok, "")
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the window rolls")
}

type pcrsHostIDs struct {
	PolicyID       string   `json:"policyId"`
	SubscriptionID string   `json:"subscriptionId"`
	HostIDs        []string `json:"hostIds"`
	Error          string   `json:"error"`
}

func TestPCRSFlow(t *testing.T) {
	srv, base := startServer(t, TenantConfig{Seed: 21, Hosts: 40, Policies: 2, ControlsPerPolicy: 4}, Options{})
	tn := srv.Tenant()
	tok := authToken(t, base)

	resp, body := gatewayCall(t, http.MethodGet, base+"/pcrs/5.0/posture/policy/list", tok, "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var list struct {
		SubscriptionID string `json:"subscriptionId"`
		PolicyList     []struct {
			ID     string `json:"id"`
			Title  string `json:"title"`
			Locked int    `json:"locked"`
		} `json:"policyList"`
	}
	require.NoError(t, json.Unmarshal(body, &list))
	require.Len(t, list.PolicyList, 2)
	ids := list.PolicyList[0].ID + "," + list.PolicyList[1].ID + ",12345"

	resp, body = gatewayCall(t, http.MethodGet, base+"/pcrs/5.0/posture/hostids?policyId="+ids, tok, "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var resolved []pcrsHostIDs
	require.NoError(t, json.Unmarshal(body, &resolved))
	require.Len(t, resolved, 3)
	assert.Len(t, resolved[0].HostIDs, tn.Config().HostsPerPolicy)
	assert.Equal(t, "Error: Compliance Policy does not exist.", resolved[2].Error)
	assert.Empty(t, resolved[2].HostIDs)

	// postureInfo with the default compression: one gzip stream holding one JSON array.
	resp, body = gatewayCall(t, http.MethodPost, base+"/pcrs/5.0/posture/postureInfo?evidenceRequired=1", tok, string(body))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Empty(t, resp.Header.Get("Content-Encoding"), "gzip bytes are the entity")
	require.Equal(t, []byte{0x1f, 0x8b}, body[:2])
	zr, err := gzip.NewReader(bytes.NewReader(body))
	require.NoError(t, err)
	plain, err := io.ReadAll(zr)
	require.NoError(t, err)
	var postures []map[string]any
	require.NoError(t, json.Unmarshal(plain, &postures))
	want := tn.Counts(Query{})
	assert.Len(t, postures, want.Postures)
	byStatus := map[string]int{}
	for _, p := range postures {
		byStatus[p["status"].(string)]++
		for _, k := range []string{"id", "policyId", "policyTitle", "netBios", "controlId", "controlStatement",
			"hostId", "technology", "criticality", "evidence", "postureModifiedDate", "lastEvaluatedDate"} {
			assert.Contains(t, p, k)
		}
		if p["status"] == PostureStatusFailed {
			assert.Contains(t, p, "causeOfFailure")
		}
	}
	assert.Equal(t, want.PosturesByStatus, byStatus)
}

func TestPCRSPostureInfoVariants(t *testing.T) {
	srv, base := startServer(t, TenantConfig{Seed: 21, Hosts: 20, Policies: 1, ControlsPerPolicy: 3}, Options{})
	tn := srv.Tenant()
	tok := authToken(t, base)
	p := tn.Policies()[0]
	h := tn.Host(0)
	require.True(t, tn.InPolicy(0, 0))
	body := `[{"policyId":"` + formatUint(p.ID) + `","subscriptionId":"1","hostIds":["` + formatUint(h.ID) + `"]}]`

	resp, plain := gatewayCall(t, http.MethodPost, base+"/pcrs/1.0/posture/postureInfo?compressionRequired=0", tok, body)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, byte('['), plain[0])
	var postures []map[string]any
	require.NoError(t, json.Unmarshal(plain, &postures))
	require.Len(t, postures, 3)
	assert.NotContains(t, postures[0], "policyTitle", "v5 fields only on 5.0")
	assert.NotContains(t, postures[0], "evidence", "evidenceRequired defaults to 0")

	since := tn.Config().BaseTime.Add(time.Hour)
	resp, _ = gatewayCall(t, http.MethodPost, base+"/pcrs/1.0/posture/postureInfo?statusChangedSince="+qualysTime(since), tok, body)
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	require.NoError(t, tn.SetPostureStatus(p.ID, h.ID, p.Controls[1].ID, PostureStatusError, since.Add(time.Hour)))
	resp, plain = gatewayCall(t, http.MethodPost, base+"/pcrs/1.0/posture/postureInfo?compressionRequired=0&statusChangedSince="+qualysTime(since), tok, body)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NoError(t, json.Unmarshal(plain, &postures))
	require.Len(t, postures, 1)
	assert.Equal(t, PostureStatusError, postures[0]["status"])

	for _, q := range []string{"evidenceRequired=2", "compressionRequired=yes"} {
		resp, plain = gatewayCall(t, http.MethodPost, base+"/pcrs/1.0/posture/postureInfo?"+q, tok, body)
		assert.Equal(t, http.StatusNotFound, resp.StatusCode)
		assert.JSONEq(t, `{"message":"Invalid input Parameter."}`, string(plain))
	}
	resp, plain = gatewayCall(t, http.MethodGet, base+"/pcrs/1.0/posture/hostids?policyId=1,2,3,4,5,6,7,8,9,10,11", tok, "")
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, string(plain), `"code":1905`)
	resp, plain = gatewayCall(t, http.MethodGet, base+"/pcrs/1.0/posture/hostids?policyId=12a", tok, "")
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, string(plain), "parameter policy_ids has invalid value")
}

func TestPCRSVersionDiscovery(t *testing.T) {
	_, base := startServer(t, TenantConfig{}, Options{PCRSMaxVersion: 3})
	tok := authToken(t, base)
	newest := 0
	for v := 6; v >= 1; v-- {
		resp, _ := gatewayCall(t, http.MethodGet, base+"/pcrs/"+formatUint(uint64(v))+".0/posture/policy/list", tok, "")
		if resp.StatusCode == http.StatusOK {
			newest = v
			break
		}
		assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	}
	assert.Equal(t, 3, newest)
}

func TestSeparateGateway(t *testing.T) {
	srv := New(NewTenant(TenantConfig{Hosts: 3}), Options{Username: testUser, Password: testPass, SeparateGateway: true})
	api, gw := srv.Start()
	t.Cleanup(srv.Close)
	require.NotEqual(t, api, gw)
	resp, _ := postForm(t, api+"/auth", url.Values{"username": {testUser}, "password": {testPass}, "token": {"true"}})
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "the API server has no /auth")
	tok := authToken(t, gw)
	resp, _ = gatewayCall(t, http.MethodGet, gw+"/pcrs/1.0/posture/policy/list", tok, "")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	resp, _ = apiGet(t, gw+"/msp/about.php")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	resp, _ = apiGet(t, api+"/msp/about.php")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}
