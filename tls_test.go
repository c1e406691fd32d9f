// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualysreceiver

import (
	"crypto/tls"
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/seed-d80aa3af/qualysreceiver/internal/metadata"
)

// selfSignedServer is an HTTPS server whose certificate no system trusts; it counts the requests
// that reached it.
func selfSignedServer(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	served := &atomic.Int32{}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		served.Add(1)
		w.WriteHeader(http.StatusOK)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are expected
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, served
}

// The HTTP client the receiver builds from its default configuration verifies the server's
// certificate: a self-signed server is refused before any request reaches it, and is reached once
// its certificate is trusted through tls::ca_file.
func TestTLSVerifiedByDefault(t *testing.T) {
	srv, served := selfSignedServer(t)
	cfg := createDefaultConfig().(*Config)
	assert.False(t, cfg.HTTP.TLS.InsecureSkipVerify)

	client, err := cfg.HTTP.ToClient(t.Context(), nil, componenttest.NewNopTelemetrySettings())
	require.NoError(t, err)
	_, err = client.Get(srv.URL)
	var verr *tls.CertificateVerificationError
	require.ErrorAs(t, err, &verr, "the self-signed certificate is refused")
	assert.Zero(t, served.Load(), "no request reached the server")

	caFile := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600))
	cfg.HTTP.TLS.CAFile = caFile
	client, err = cfg.HTTP.ToClient(t.Context(), nil, componenttest.NewNopTelemetrySettings())
	require.NoError(t, err)
	resp, err := client.Get(srv.URL)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, int32(1), served.Load(), "trusted through ca_file, the server is reached")
}

// The receiver built by the factory, pointed at a self-signed server, refuses it and says why.
func TestReceiverRefusesUntrustedCertificate(t *testing.T) {
	srv, served := selfSignedServer(t)
	cfg := createDefaultConfig().(*Config)
	cfg.APIURL, cfg.GatewayURL = srv.URL, srv.URL
	cfg.Username, cfg.Password = "tls_user", "tls_password"
	cfg.Assets.Enabled, cfg.Compliance.Enabled = false, false
	require.NoError(t, confmap.Validate(cfg))

	core, logs := observer.New(zap.DebugLevel)
	set := receivertest.NewNopSettings(metadata.Type)
	set.Logger = zap.New(core)
	r, err := NewFactory().CreateLogs(t.Context(), set, cfg, consumertest.NewNop())
	require.NoError(t, err)
	require.NoError(t, r.Start(t.Context(), componenttest.NewNopHost()))
	defer func() { require.NoError(t, r.Shutdown(t.Context())) }()

	const want = "vulnerabilities: API server certificate not trusted: the server's TLS certificate is not trusted: check api_url and gateway_url, and if a proxy inspects TLS, set tls::ca_file to its CA certificate"
	require.Eventually(t, func() bool {
		for _, e := range logs.All() {
			if e.Message == want {
				return true
			}
		}
		return false
	}, 5*time.Second, 5*time.Millisecond, "the start-up check says what to fix")
	assert.Zero(t, served.Load(), "no request reached the server")
}

// Plain http is accepted only for loopback hosts; names that merely look like loopback are not.
func TestHTTPOnlyForLoopback(t *testing.T) {
	for raw, ok := range map[string]bool{
		"http://127.0.0.1:18080":          true,
		"http://127.9.9.9":                true,
		"http://[::1]:18080":              true,
		"http://localhost:18080":          true,
		"http://LOCALHOST":                true,
		"https://qualysapi.qualys.com":    true,
		"http://localhost.example.com":    false,
		"http://127.0.0.1.nip.io":         false,
		"http://0.0.0.0:18080":            false,
		"http://10.0.0.1":                 false,
		"http://[::ffff:10.0.0.1]":        false,
		"http://qualysapi.qualys.com:443": false,
	} {
		err := validateURL("api_url", raw)
		if ok {
			assert.NoError(t, err, raw)
		} else {
			assert.ErrorContains(t, err, "plain http is allowed only for loopback hosts", raw)
		}
	}
}
