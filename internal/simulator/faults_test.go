// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func inject(t *testing.T, srv *Server, f Fault) {
	t.Helper()
	_, err := srv.InjectFault(f)
	require.NoError(t, err)
}

func TestFaultNthAndCount(t *testing.T) {
	srv, base := startServer(t, TenantConfig{Hosts: 3}, Options{})
	inject(t, srv, Fault{Kind: FaultHTTPError, Endpoint: EndpointHLD, Status: 502, Nth: 2, Count: 2})
	var got []int
	for range 5 {
		apiGet(t, base+"/msp/about.php") // another endpoint: neither affected nor counted
		resp, _ := apiGet(t, hldURL(base, "5.0", ""))
		got = append(got, resp.StatusCode)
	}
	assert.Equal(t, []int{200, 502, 502, 200, 200}, got)
	st := srv.Faults()
	require.Len(t, st, 1)
	assert.Equal(t, 5, st[0].Matched)
	assert.Equal(t, 2, st[0].Fired)
	srv.ClearFaults()
	assert.Empty(t, srv.Faults())

	inject(t, srv, Fault{Kind: FaultHTTPError, Count: -1})
	for range 3 {
		resp, _ := apiGet(t, kbURL(base, ""))
		assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "default status 503, until cleared")
	}
}

func TestFaultValidation(t *testing.T) {
	srv, _ := startServer(t, TenantConfig{Hosts: 1}, Options{})
	for _, f := range []Fault{{Kind: "meltdown"}, {Kind: FaultGateway429, Endpoint: EndpointHLD},
		{Kind: FaultHugeResults, Endpoint: EndpointKB}, {Kind: FaultTruncate, Endpoint: "nowhere"}} {
		_, err := srv.InjectFault(f)
		assert.Error(t, err, "%+v", f)
	}
}

func TestFaultLimitAndAccountAnswers(t *testing.T) {
	srv, base := startServer(t, TenantConfig{Hosts: 3}, Options{})
	tests := []struct {
		fault  Fault
		status int
		code   int
		text   string
	}{
		{Fault{Kind: FaultConcurrencyLimit}, 409, 1960, "until 1 currently running API instance has finished"},
		{Fault{Kind: FaultRateLimit, WaitSeconds: 125}, 409, 1965, "for another 2 minutes and 5 seconds."},
		{Fault{Kind: FaultAccountExpired}, 200, 2001, "This account has expired."},
		{Fault{Kind: FaultRegistration}, 409, 2003, "Registration must be completed before API requests will be served for this account"},
		{Fault{Kind: FaultBadLogin}, 401, 0, "Bad Login/Password"},
	}
	for _, tc := range tests {
		t.Run(string(tc.fault.Kind), func(t *testing.T) {
			inject(t, srv, tc.fault)
			resp, body := apiGet(t, hldURL(base, "5.0", ""))
			assert.Equal(t, tc.status, resp.StatusCode)
			sr := simpleReturn(t, body)
			assert.Equal(t, tc.code, sr.Response.Code)
			assert.Contains(t, sr.Response.Text, tc.text)
			assert.NotEmpty(t, resp.Header.Get("X-RateLimit-Limit"))
			if tc.code == 1965 {
				assert.Equal(t, "125", sr.item("SECONDS_TO_WAIT"))
				assert.Equal(t, "125", resp.Header.Get("X-RateLimit-ToWait-Sec"))
			}
			if tc.code == 1960 {
				assert.Equal(t, "1", sr.item("CALLS_TO_FINISH"))
			}
			resp, _ = apiGet(t, hldURL(base, "5.0", ""))
			assert.Equal(t, http.StatusOK, resp.StatusCode, "one request only")
		})
	}
}

func TestFaultGatewayAnswers(t *testing.T) {
	srv, base := startServer(t, TenantConfig{Hosts: 3}, Options{})
	tok := authToken(t, base)
	inject(t, srv, Fault{Kind: FaultGateway429, WaitSeconds: 7})
	resp, _ := gatewayCall(t, http.MethodGet, base+"/pcrs/1.0/posture/policy/list", tok, "")
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	assert.Equal(t, "7", resp.Header.Get("Retry-After"))

	inject(t, srv, Fault{Kind: FaultJWTExpired})
	resp, body := gatewayCall(t, http.MethodGet, base+"/pcrs/1.0/posture/policy/list", tok, "")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.JSONEq(t, `{"status":401,"error":"Unauthorized","message":"JWT expired"}`, string(body))
	resp, _ = gatewayCall(t, http.MethodGet, base+"/pcrs/1.0/posture/policy/list", tok, "")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "the token stays invalid")
	tok = authToken(t, base)
	resp, _ = gatewayCall(t, http.MethodGet, base+"/pcrs/1.0/posture/policy/list", tok, "")
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	inject(t, srv, Fault{Kind: FaultBadLogin, Endpoint: EndpointAuth})
	resp, _ = postForm(t, base+"/auth", map[string][]string{"username": {testUser}, "password": {testPass}, "token": {"true"}})
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	srv.ExpireTokens()
	resp, _ = gatewayCall(t, http.MethodGet, base+"/pcrs/1.0/posture/policy/list", tok, "")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}

func TestFaultSlowBody(t *testing.T) {
	srv, base := startServer(t, TenantConfig{Hosts: 10}, Options{})
	_, whole := apiGet(t, hldURL(base, "5.0", ""))
	inject(t, srv, Fault{Kind: FaultSlowBody, ChunkBytes: len(whole)/4 + 1, Delay: 40 * time.Millisecond})
	start := time.Now()
	resp, body := apiGet(t, hldURL(base, "5.0", ""))
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.GreaterOrEqual(t, time.Since(start), 120*time.Millisecond)
	var doc hldDoc
	decodeXML(t, body, &doc)
	assert.NotEmpty(t, doc.Response.Hosts, "a slow body is still a whole body")
}

func TestFaultStallBody(t *testing.T) {
	srv, base := startServer(t, TenantConfig{Hosts: 10}, Options{})
	inject(t, srv, Fault{Kind: FaultStallBody, AfterBytes: 300})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, hldURL(base, "5.0", ""), nil)
	req.SetBasicAuth(testUser, testPass)
	req.Header.Set("X-Requested-With", "t")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err, "headers and the first bytes arrive")
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Len(t, got, 300)
	require.Eventually(t, func() bool { return srv.limiters[EndpointHLD].snapshot(time.Now()).running == 0 },
		5*time.Second, 5*time.Millisecond, "the stalled handler ends when the client gives up")
}

func TestFaultConnectionReset(t *testing.T) {
	srv, base := startServer(t, TenantConfig{Hosts: 30}, Options{})
	inject(t, srv, Fault{Kind: FaultReset, AfterBytes: 2000})
	req, _ := http.NewRequest(http.MethodGet, hldURL(base, "5.0", ""), nil)
	req.SetBasicAuth(testUser, testPass)
	req.Header.Set("X-Requested-With", "t")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Error(t, err)
	assert.True(t, errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "reset"), "%v", err)
	assert.Len(t, got, 2000)
	resp, _ = apiGet(t, hldURL(base, "5.0", ""))
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

func TestFaultTruncate(t *testing.T) {
	srv, base := startServer(t, TenantConfig{Hosts: 30}, Options{})
	inject(t, srv, Fault{Kind: FaultTruncate, AfterBytes: 5000})
	resp, body := apiGet(t, hldURL(base, "5.0", ""))
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Len(t, body, 5000, "the body ends cleanly at the offset")
	var doc hldDoc
	assert.Error(t, xml.Unmarshal(body, &doc))
}

func TestFaultMalformed(t *testing.T) {
	srv, base := startServer(t, TenantConfig{Hosts: 10, Policies: 1}, Options{})
	inject(t, srv, Fault{Kind: FaultMalformed, Endpoint: EndpointHLD, Record: 2})
	_, body := apiGet(t, hldURL(base, "5.0", ""))
	var doc hldDoc
	assert.Error(t, xml.Unmarshal(body, &doc))
	assert.Equal(t, 1, strings.Count(string(body), "<BROKEN_TAG"))
	assert.Greater(t, strings.Index(string(body), "<BROKEN_TAG"), strings.Index(string(body), "<HOST>"), "before the second HOST")

	tok := authToken(t, base)
	p := srv.Tenant().Policies()[0]
	inject(t, srv, Fault{Kind: FaultMalformed, Endpoint: EndpointPCRSPostureInfo})
	hosts := `["` + formatUint(srv.Tenant().HostID(0)) + `"]`
	resp, body := gatewayCall(t, http.MethodPost, base+"/pcrs/1.0/posture/postureInfo?compressionRequired=0", tok,
		`[{"policyId":"`+formatUint(p.ID)+`","hostIds":`+hosts+`}]`)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var v any
	assert.Error(t, json.Unmarshal(body, &v))
}

func TestFaultBadChars(t *testing.T) {
	srv, base := startServer(t, TenantConfig{Hosts: 10, QIDs: 20}, Options{})
	_, clean := apiGet(t, hldURL(base, "5.0", ""))
	require.True(t, utf8.Valid(clean))
	inject(t, srv, Fault{Kind: FaultBadChars, Endpoint: EndpointHLD, Record: 3})
	_, body := apiGet(t, hldURL(base, "5.0", "show_results=0"))
	assert.False(t, utf8.Valid(body))
	assert.True(t, bytes.Contains(body, []byte{0x01, 0x07, 0x1b}))
	assert.Equal(t, 1, strings.Count(string(body), "<RESULTS>"), "only the third detection, even with show_results=0")
	var doc hldDoc
	assert.Error(t, xml.Unmarshal(body, &doc))

	inject(t, srv, Fault{Kind: FaultBadChars, Endpoint: EndpointKB})
	_, body = apiGet(t, kbURL(base, ""))
	assert.False(t, utf8.Valid(body))
}

func TestFaultHugeResults(t *testing.T) {
	srv, base := startServer(t, TenantConfig{Hosts: 3}, Options{})
	const size = 3 << 20
	inject(t, srv, Fault{Kind: FaultHugeResults, Size: size})
	resp, body := apiGet(t, hldURL(base, "5.0", ""))
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	var doc hldDoc
	decodeXML(t, body, &doc)
	first := doc.Response.Hosts[0].Detections[0]
	require.NotNil(t, first.Results)
	assert.Len(t, *first.Results, size)
}

func TestFaultEmpty(t *testing.T) {
	srv, base := startServer(t, TenantConfig{Hosts: 10, Policies: 1}, Options{})
	inject(t, srv, Fault{Kind: FaultEmpty, Endpoint: EndpointHLD})
	_, body := apiGet(t, hldURL(base, "5.0", "truncation_limit=2"))
	var doc hldDoc
	decodeXML(t, body, &doc)
	assert.Empty(t, doc.Response.Hosts)
	assert.Nil(t, doc.Response.Warning)
	assert.NotEmpty(t, doc.Response.Datetime)
	assert.NotContains(t, string(body), "<HOST_LIST>")

	inject(t, srv, Fault{Kind: FaultEmpty, Endpoint: EndpointHostAsset})
	_, qps := qpsSearch(t, base, "", 0, testUser, testPass)
	assert.Equal(t, "SUCCESS", qps.ResponseCode)
	assert.Zero(t, qps.Count)
	assert.False(t, qps.HasMoreRecords)

	tok := authToken(t, base)
	p := srv.Tenant().Policies()[0]
	inject(t, srv, Fault{Kind: FaultEmpty, Endpoint: EndpointPCRSPostureInfo})
	resp, _ := gatewayCall(t, http.MethodPost, base+"/pcrs/1.0/posture/postureInfo", tok,
		`[{"policyId":"`+formatUint(p.ID)+`","hostIds":["`+formatUint(srv.Tenant().HostID(0))+`"]}]`)
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
}

func TestAdminFaults(t *testing.T) {
	srv, base := startServer(t, TenantConfig{Hosts: 3}, Options{})
	resp, body := send(t, mustRequest(t, http.MethodPost, base+"/sim/faults",
		`[{"kind":"slow_body","endpoint":"hld","delay":"10ms","chunk_bytes":4096},{"kind":"http_error","status":500,"nth":3}]`))
	require.Equal(t, http.StatusCreated, resp.StatusCode, "%s", body)
	assert.JSONEq(t, `{"ids":[1,2]}`, string(body))
	st := srv.Faults()
	require.Len(t, st, 2)
	assert.Equal(t, 10*time.Millisecond, st[0].Fault.Delay)

	resp, body = send(t, mustRequest(t, http.MethodGet, base+"/sim/faults", ""))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(body), `"delay":"10ms"`)

	resp, _ = send(t, mustRequest(t, http.MethodDelete, base+"/sim/faults?id=1", ""))
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	assert.Len(t, srv.Faults(), 1)
	resp, body = send(t, mustRequest(t, http.MethodPost, base+"/sim/faults", `{"kind":"nope"}`))
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, string(body), "unknown fault kind")
	resp, _ = send(t, mustRequest(t, http.MethodDelete, base+"/sim/faults", ""))
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	assert.Empty(t, srv.Faults())
}

// A fault for a host strikes the Host List Detection pages that would list that host, and only
// them, for Count pages: a page of other hosts, or a span (id_min/id_max) without it, is answered.
func TestFaultForHost(t *testing.T) {
	srv, base := startServer(t, TenantConfig{Hosts: 30, DetectionsPerHost: 2}, Options{})
	tn := srv.Tenant()
	bad := tn.HostID(12)
	page := func(from, to int) int {
		q := "truncation_limit=10&id_min=" + formatUint(tn.HostID(from))
		if to >= 0 {
			q += "&id_max=" + formatUint(tn.HostID(to))
		}
		resp, _ := apiGet(t, hldURL(base, "5.0", q))
		return resp.StatusCode
	}
	inject(t, srv, Fault{Kind: FaultHTTPError, Status: 504, HostID: bad, Count: -1})
	assert.Equal(t, http.StatusOK, page(0, -1), "hosts 0 to 9")
	assert.Equal(t, http.StatusGatewayTimeout, page(10, -1), "hosts 10 to 19")
	assert.Equal(t, http.StatusOK, page(13, -1), "hosts 13 to 22")
	assert.Equal(t, http.StatusOK, page(10, 11), "hosts 10 and 11")
	assert.Equal(t, http.StatusGatewayTimeout, page(12, 12), "the host alone")
	resp, _ := apiGet(t, kbURL(base, ""))
	assert.Equal(t, http.StatusOK, resp.StatusCode, "another endpoint")
	st := srv.Faults()
	require.Len(t, st, 1)
	assert.Equal(t, 2, st[0].Matched, "only the pages that hold the host count")
	srv.ClearFaults()

	inject(t, srv, Fault{Kind: FaultMalformed, HostID: bad, Count: 2})
	for _, want := range []bool{false, false, true} {
		_, body := apiGet(t, hldURL(base, "5.0", "id_min="+formatUint(bad)))
		var doc hldDoc
		assert.Equal(t, want, xml.Unmarshal(body, &doc) == nil, "a host that recovers after two pages")
	}

	for _, f := range []Fault{{Kind: FaultHTTPError, Endpoint: EndpointKB, HostID: bad},
		{Kind: FaultHTTPError, Endpoint: EndpointPCRSHostIDs, HostID: bad}, {Kind: FaultGateway429, Endpoint: EndpointHLD, HostID: bad},
		{Kind: FaultHugeResults, Endpoint: EndpointPosture, HostID: bad}} {
		_, err := srv.InjectFault(f)
		assert.Error(t, err, "%+v", f)
	}
	resp, body := send(t, mustRequest(t, http.MethodPost, base+"/sim/faults",
		`{"kind":"truncate","host_id":`+formatUint(bad)+`,"count":-1}`))
	require.Equal(t, http.StatusCreated, resp.StatusCode, "%s", body)
	installed := srv.Faults()
	assert.Equal(t, Fault{Kind: FaultTruncate, HostID: bad, Count: -1}, installed[len(installed)-1].Fault)
}

// A fault for a host strikes the classic posture pages and the postureInfo calls whose answer would
// hold that host's postures, and only them: a page of other hosts, a host_ids span without it, or
// a batch of other host ids is answered.
func TestFaultForHostOnPostures(t *testing.T) {
	srv, base := startServer(t, TenantConfig{Hosts: 40, Policies: 1, ControlsPerPolicy: 2, HostsPerPolicy: 40}, Options{})
	tn := srv.Tenant()
	p := tn.Policies()[0]
	bad := tn.HostID(12)
	classic := func(query string) int {
		resp, _ := apiGet(t, postureURL(base, "policy_id="+formatUint(p.ID)+"&"+query))
		return resp.StatusCode
	}
	tok := authToken(t, base)
	postureInfo := func(hosts ...int) int {
		ids := make([]string, len(hosts))
		for i, h := range hosts {
			ids[i] = `"` + formatUint(tn.HostID(h)) + `"`
		}
		body := `[{"policyId":"` + formatUint(p.ID) + `","subscriptionId":"1","hostIds":[` + strings.Join(ids, ",") + `]}]`
		resp, _ := gatewayCall(t, http.MethodPost, base+"/pcrs/1.0/posture/postureInfo", tok, body)
		return resp.StatusCode
	}
	_, err := srv.InjectFault(Fault{Kind: FaultHTTPError, Status: 504, HostID: bad, Count: -1})
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, classic("truncation_limit=10"), "hosts 0 to 9")
	assert.Equal(t, http.StatusGatewayTimeout, classic("truncation_limit=10&id_min="+formatUint(tn.HostID(10))), "hosts 10 to 19")
	assert.Equal(t, http.StatusOK, classic("host_ids="+formatUint(tn.HostID(10))+"-"+formatUint(tn.HostID(11))), "hosts 10 and 11")
	assert.Equal(t, http.StatusGatewayTimeout, classic("host_ids="+formatUint(bad)+"-"+formatUint(bad)), "the host alone")
	assert.Equal(t, http.StatusOK, postureInfo(0, 1, 2))
	assert.Equal(t, http.StatusGatewayTimeout, postureInfo(11, 12, 13))
	assert.Equal(t, 3, srv.Faults()[0].Matched, "only the pages that hold the host count")
	srv.ClearFaults()

	_, err = srv.InjectFault(Fault{Kind: FaultHTTPError, Endpoint: EndpointPCRSPostureInfo, HostID: bad, Count: -1})
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, classic("host_ids="+formatUint(bad)), "a fault for one endpoint spares the others")
	assert.Equal(t, http.StatusServiceUnavailable, postureInfo(12))
}
