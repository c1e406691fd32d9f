// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// discardWriter is a ResponseWriter that counts the body and samples the heap as it grows: a
// response that is built in memory instead of streamed would show up as heap growth.
type discardWriter struct {
	header   http.Header
	status   int
	n        int64
	next     int64
	maxHeap  uint64
	detCount int
}

func (w *discardWriter) Header() http.Header { return w.header }
func (w *discardWriter) WriteHeader(code int) {
	w.status = code
}
func (w *discardWriter) Flush() {}

func (w *discardWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	w.detCount += countBytes(p, "<DETECTION>")
	if w.n >= w.next {
		w.next += 8 << 20
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		w.maxHeap = max(w.maxHeap, ms.HeapAlloc)
	}
	return len(p), nil
}

func countBytes(p []byte, sub string) int {
	n := 0
	for i := 0; i+len(sub) <= len(p); i++ {
		if string(p[i:i+len(sub)]) == sub {
			n++
		}
	}
	return n
}

func TestLargeResponseIsStreamed(t *testing.T) {
	hosts := 20000
	if raceEnabled || testing.Short() {
		hosts = 5000 // the race detector makes generation ~10x slower; the property is the same
	}
	tn := NewTenant(TenantConfig{Seed: 1, Hosts: hosts, DetectionsPerHost: 10, ResultsBytes: 200})
	srv := New(tn, Options{Username: testUser, Password: testPass})
	req := httptest.NewRequest(http.MethodGet, "http://qualysapi.test/api/5.0/fo/asset/host/vm/detection/?action=list"+
		"&truncation_limit=0&status=New,Active,Re-Opened,Fixed&show_igs=1&include_ignored=1&include_disabled=1", nil)
	req.SetBasicAuth(testUser, testPass)
	req.Header.Set("X-Requested-With", "test")

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	w := &discardWriter{header: http.Header{}}
	srv.ServeHTTP(w, req)
	require.Equal(t, http.StatusOK, w.status)

	// Each splitmix-generated detection is written on the fly; about 10 per host.
	assert.InDelta(t, hosts*10, w.detCount, float64(hosts))
	t.Logf("%d detections, %d MiB body, heap peak %d MiB (%d MiB before)", w.detCount, w.n>>20,
		w.maxHeap>>20, before.HeapAlloc>>20)
	assert.Greater(t, w.n, int64(hosts)*4000, "the body is large")
	assert.Less(t, w.maxHeap, before.HeapAlloc+48<<20, "heap stays small while %d MiB stream out", w.n>>20)
}
