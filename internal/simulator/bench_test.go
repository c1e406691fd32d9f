// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func benchServe(b *testing.B, srv *Server, method, url, body string, header map[string]string) {
	w := &discardWriter{header: http.Header{}, next: 1 << 62}
	for b.Loop() {
		req := httptest.NewRequest(method, url, strings.NewReader(body))
		for k, v := range header {
			req.Header.Set(k, v)
		}
		w.n = 0
		srv.ServeHTTP(w, req)
		if w.status != http.StatusOK {
			b.Fatalf("status %d", w.status)
		}
	}
	b.SetBytes(w.n)
}

// BenchmarkHLDStream measures how fast the simulator streams detections (MB/s of XML).
func BenchmarkHLDStream(b *testing.B) {
	srv := New(NewTenant(TenantConfig{Seed: 1, Hosts: 1000, DetectionsPerHost: 10}),
		Options{Username: testUser, Password: testPass, RateLimit: -1})
	benchServe(b, srv, http.MethodGet, "http://q.test"+"/api/5.0/fo/asset/host/vm/detection/?action=list&truncation_limit=0"+
		"&status=New,Active,Re-Opened,Fixed&show_qds=1&show_tags=1", "",
		map[string]string{"Authorization": "Basic " + basic(testUser, testPass), "X-Requested-With": "bench"})
}

// BenchmarkPCRSPostureInfo measures a gzip-compressed posture stream.
func BenchmarkPCRSPostureInfo(b *testing.B) {
	tn := NewTenant(TenantConfig{Seed: 1, Hosts: 500, Policies: 1, ControlsPerPolicy: 20, HostsPerPolicy: 500})
	srv := New(tn, Options{Username: testUser, Password: testPass, PCRSRateLimit: -1})
	token := srv.jwt.issue(testUser, 1, srv.now())
	var ids []string
	for i := range tn.HostCount() {
		ids = append(ids, `"`+formatUint(tn.HostID(i))+`"`)
	}
	body := `[{"policyId":"` + formatUint(tn.Policies()[0].ID) + `","hostIds":[` + strings.Join(ids, ",") + `]}]`
	benchServe(b, srv, http.MethodPost, "http://g.test/pcrs/5.0/posture/postureInfo?evidenceRequired=1", body,
		map[string]string{"Authorization": "Bearer " + token})
}

// BenchmarkHostAssetRangePage measures a page of host assets of 1,000 hosts in the middle of a
// tenant of a million, asked as the assets stream asks (a qwebHostId span): its cost must not grow
// with the hosts before or after the span.
func BenchmarkHostAssetRangePage(b *testing.B) {
	tn := NewTenant(TenantConfig{Seed: 1, Hosts: 1_000_000})
	srv := New(tn, Options{Username: testUser, Password: testPass, RateLimit: -1})
	body := `<ServiceRequest><filters><Criteria field="qwebHostId" operator="GREATER">` + formatUint(tn.HostID(499_999)) +
		`</Criteria><Criteria field="qwebHostId" operator="LESSER">` + formatUint(tn.HostID(501_000)) +
		`</Criteria></filters><preferences><limitResults>1000</limitResults></preferences></ServiceRequest>`
	benchServe(b, srv, http.MethodPost, "http://q.test/qps/rest/2.0/search/am/hostasset", body,
		map[string]string{"Authorization": "Basic " + basic(testUser, testPass), "Content-Type": "text/xml"})
}

// BenchmarkTenantHost measures generating one host with its detections.
func BenchmarkTenantHost(b *testing.B) {
	tn := NewTenant(TenantConfig{Seed: 1, Hosts: 1_000_000})
	var h Host
	var dets []Detection
	i := 0
	for b.Loop() {
		tn.fillHost(&h, i%1_000_000)
		dets = tn.appendDetections(dets[:0], &h)
		i++
	}
}

func basic(user, pass string) string {
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.SetBasicAuth(user, pass)
	return strings.TrimPrefix(req.Header.Get("Authorization"), "Basic ")
}
