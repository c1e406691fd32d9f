// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualys

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A call made under SingleAttempt is sent once: its transient failure comes back at once instead
// of after the whole back-off, so the search for a failing host costs one timeout per span.
func TestSingleAttemptIsNotRetried(t *testing.T) {
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls++
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL, srv.URL)

	_, err := c.Do(SingleAttempt(t.Context()), hostList())

	require.Error(t, err)
	assert.False(t, IsFatal(err))
	assert.Equal(t, 1, calls)
	assert.Zero(t, c.clock.totalWait())
	assert.Zero(t, c.logs.FilterMessage("Qualys call failed; retrying").Len())

	_, err = c.Do(t.Context(), hostList())
	require.Error(t, err)
	assert.Greater(t, calls, 2, "other calls keep their retries")
}
