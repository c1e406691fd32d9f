// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualys

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A server whose certificate is not trusted fails the same way on every attempt, so the client
// reports it at once with what to fix instead of retrying for retry_on_failure::max_elapsed_time.
func TestUntrustedCertificateIsNotRetried(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		t.Error("no request may reach a server whose certificate is not trusted")
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.StartTLS()
	defer srv.Close()

	c := newTestClient(t, srv.URL, srv.URL)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()

	_, err := c.Do(ctx, hostList())
	var qe *Error
	require.True(t, errors.As(err, &qe), "an *Error, got %v", err)
	assert.Equal(t, KindTLS, qe.Kind)
	assert.True(t, qe.Fatal())
	assert.Contains(t, qe.Error(), "x509: certificate signed by unknown authority")
	assert.Contains(t, qe.Error(), "set tls::ca_file to its CA certificate")
	assert.Equal(t, int32(1), conns.Load(), "one attempt, no retries")
	assert.Empty(t, c.clock.waits, "no back-off")

	err = c.GatewayLogin(ctx)
	require.True(t, errors.As(err, &qe), "an *Error, got %v", err)
	assert.Equal(t, KindTLS, qe.Kind)
	assert.Equal(t, []string{"host_list:tls_error", "gateway_auth:tls_error"}, c.observer.outcomes)
}
