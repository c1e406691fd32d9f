// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Server serves a Tenant as the Qualys API server and gateway. It is an http.Handler serving
// both; APIHandler and GatewayHandler serve one side each.
type Server struct {
	tenant    *Tenant
	opts      Options
	limiters  map[string]*limiter
	faults    faultSet
	log       requestLog
	jwt       *jwtIssuer
	permMu    sync.RWMutex
	missing   map[Permission]bool
	sem       chan struct{}
	closing   chan struct{}
	closeOnce sync.Once
	started   []*httptest.Server
}

// New returns a Server for the tenant.
func New(t *Tenant, opts Options) *Server {
	opts = opts.withDefaults()
	s := &Server{tenant: t, opts: opts, limiters: map[string]*limiter{}, missing: map[Permission]bool{},
		closing: make(chan struct{}), jwt: newJWTIssuer(opts.JWTLifetime)}
	s.log.max = opts.MaxRequestLog
	for _, p := range opts.MissingPermissions {
		s.missing[p] = true
	}
	if opts.MaxInFlight > 0 {
		s.sem = make(chan struct{}, opts.MaxInFlight)
	}
	for _, rt := range routes {
		s.limiters[rt.endpoint] = newLimiter(s.limitFor(rt))
	}
	return s
}

func (s *Server) limitFor(rt route) Limit {
	l := Limit{Concurrency: s.opts.ConcurrencyLimit, Calls: s.opts.RateLimit, Window: s.opts.RateWindow}
	switch {
	case rt.endpoint == EndpointAuth:
		return Limit{Concurrency: -1, Calls: -1}
	case rt.gateway:
		l = Limit{Concurrency: -1, Calls: s.opts.PCRSRateLimit, Window: s.opts.PCRSRateWindow}
	}
	if o, ok := s.opts.Limits[rt.endpoint]; ok {
		if o.Concurrency != 0 {
			l.Concurrency = o.Concurrency
		}
		if o.Calls != 0 {
			l.Calls = o.Calls
		}
		if o.Window > 0 {
			l.Window = o.Window
		}
	}
	return l
}

// Tenant returns the tenant the server serves.
func (s *Server) Tenant() *Tenant { return s.tenant }

// SetPermission grants or withdraws a module permission at run time.
func (s *Server) SetPermission(p Permission, granted bool) {
	s.permMu.Lock()
	defer s.permMu.Unlock()
	s.missing[p] = !granted
}

func (s *Server) lacks(p Permission) bool {
	s.permMu.RLock()
	defer s.permMu.RUnlock()
	return p != "" && s.missing[p]
}

func (s *Server) now() time.Time { return s.opts.Clock().UTC() }

// ServeHTTP serves the API server and gateway endpoints together (the default layout).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.serve(w, r, true, true) }

// APIHandler serves only the API server endpoints (and /sim/).
func (s *Server) APIHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.serve(w, r, true, false) })
}

// GatewayHandler serves only the gateway endpoints (/auth, /pcrs/..., and /sim/).
func (s *Server) GatewayHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.serve(w, r, false, true) })
}

// reqCtx is what the pipeline knows about one request.
type reqCtx struct {
	route route
	rec   *RequestRecord
	fault *Fault
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, api, gateway bool) {
	if strings.HasPrefix(r.URL.Path, "/sim/") && !s.opts.DisableAdmin {
		s.serveAdmin(w, r)
		return
	}
	// Every answer is dated by the simulator's clock, not by net/http's: a client that takes the
	// server's time from Date (PCRS answers have no DATETIME) must read the simulated time.
	w.Header().Set("Date", s.now().Format(http.TimeFormat))
	sw := &statusWriter{ResponseWriter: w}
	rec := newRecord(r)
	defer func() { s.log.add(rec.finish(sw)) }()
	rt, ok := matchRoute(r.URL.Path, s.opts.PCRSMaxVersion)
	if !ok || rt.gateway && !gateway || !rt.gateway && !api {
		rec.Endpoint = endpointUnknown
		if strings.HasPrefix(r.URL.Path, "/pcrs/") || r.URL.Path == "/auth" {
			// The gateway answers in JSON; a client discovering the newest PCRS version sees this.
			gatewayError(sw, http.StatusNotFound, "Not Found", "No endpoint "+r.URL.Path)
			return
		}
		http.NotFound(sw, r)
		return
	}
	rec.Endpoint = rt.endpoint
	if !s.acquireSlot(r) {
		return
	}
	defer s.releaseSlot()
	if r.Method == http.MethodPost {
		body, _ := io.ReadAll(io.LimitReader(r.Body, maxRequestBody))
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec.Body = string(body[:min(len(body), maxLoggedBody)])
	}
	rc := &reqCtx{route: rt, rec: rec}
	if f := s.faults.take(rt.endpoint); f != nil {
		rec.Fault = f.Kind
		if f.Kind.responseLevel() {
			s.answerFault(sw, r, rc, f)
			return
		}
		rc.fault = f
	}
	if rt.gateway {
		s.serveGateway(sw, r, rc)
	} else {
		s.serveAPI(sw, r, rc)
	}
}

const (
	maxRequestBody = 64 << 20
	maxLoggedBody  = 64 << 10
)

func (s *Server) acquireSlot(r *http.Request) bool {
	if s.sem == nil {
		return true
	}
	select {
	case s.sem <- struct{}{}:
		return true
	case <-r.Context().Done():
	case <-s.closing:
	}
	return false
}

func (s *Server) releaseSlot() {
	if s.sem != nil {
		<-s.sem
	}
}

// serveAPI runs the API server checks in Qualys' order of concern: request shape
// (X-Requested-With), credentials, permission, then limits (concurrency before rate).
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	lim := s.limiters[rc.route.endpoint]
	s.setLimitHeaders(w.Header(), lim.snapshot(s.now()))
	if rc.route.fo && r.Header.Get("X-Requested-With") == "" {
		s.simpleReturn(w, r, http.StatusBadRequest, codeMissingParam, "Missing required header: X-Requested-With")
		return
	}
	if !s.basicAuthOK(r) {
		rc.rec.AuthFailed = true
		s.unauthorized(w, r, rc)
		return
	}
	if s.lacks(rc.route.perm) {
		s.missingPermission(w, r, rc)
		return
	}
	st, code := lim.admit(s.now())
	s.setLimitHeaders(w.Header(), st)
	switch code {
	case codeConcurrency:
		s.limitAnswer(w, r, code, st.running-st.lim.Concurrency+1)
		return
	case codeRateLimit:
		s.limitAnswer(w, r, code, st.toWait)
		return
	}
	defer lim.release()
	rc.route.handle(s, w, r, rc)
}

// Start serves s on loopback ports chosen by the system (httptest servers) and returns the API
// server and gateway base URLs; they are equal unless Options.SeparateGateway. Close stops them.
func (s *Server) Start() (apiURL, gatewayURL string) {
	if !s.opts.SeparateGateway {
		ts := httptest.NewServer(s)
		s.started = append(s.started, ts)
		return ts.URL, ts.URL
	}
	api, gw := httptest.NewServer(s.APIHandler()), httptest.NewServer(s.GatewayHandler())
	s.started = append(s.started, api, gw)
	return api.URL, gw.URL
}

// Close releases stalled and paced responses and stops what Start started.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.closing) })
	for _, ts := range s.started {
		ts.Close()
	}
}

// Serve serves the API server on apiLn and, when gatewayLn is not nil, the gateway on gatewayLn
// (otherwise both on apiLn) until ctx ends; then it shuts down gracefully.
func (s *Server) Serve(ctx context.Context, apiLn, gatewayLn net.Listener) error {
	handlers := map[net.Listener]http.Handler{apiLn: s}
	if gatewayLn != nil {
		handlers = map[net.Listener]http.Handler{apiLn: s.APIHandler(), gatewayLn: s.GatewayHandler()}
	}
	errc := make(chan error, len(handlers))
	var servers []*http.Server
	for ln, h := range handlers {
		hs := &http.Server{Handler: h, ReadHeaderTimeout: 30 * time.Second}
		servers = append(servers, hs)
		go func() { errc <- hs.Serve(ln) }()
	}
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	s.closeOnce.Do(func() { close(s.closing) })
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, hs := range servers {
		_ = hs.Shutdown(shutdownCtx)
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}
