// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

func (s *Server) basicAuthOK(r *http.Request) bool {
	u, p, ok := r.BasicAuth()
	return ok && subtle.ConstantTimeCompare([]byte(u), []byte(s.opts.Username)) == 1 &&
		subtle.ConstantTimeCompare([]byte(p), []byte(s.opts.Password)) == 1
}

// unauthorized answers bad credentials: HTTP 401 with SIMPLE_RETURN "Bad Login/Password" (no
// CODE, as in Qualys' troubleshooting article) on the VM/PC API, and a ServiceResponse with
// responseCode INVALID_CREDENTIALS on QPS.
func (s *Server) unauthorized(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if rc.route.endpoint == EndpointHostAsset {
		s.qpsError(w, r, http.StatusUnauthorized, "INVALID_CREDENTIALS", "Authentication failed: invalid username or password.")
		return
	}
	s.simpleReturn(w, r, http.StatusUnauthorized, 0, textBadLogin)
}

// missingPermission answers a user who lacks the endpoint's module. The references do not give
// Qualys' exact answer; the simulator uses HTTP 409 with SIMPLE_RETURN code 2000 on the VM/PC API
// (a non-retryable 409, as connectors report 401/409 for permission problems), UNAUTHORIZED on
// QPS, and 403 on PCRS.
func (s *Server) missingPermission(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	module := map[Permission]string{PermVM: "Vulnerability Management (VM)", PermKB: "KnowledgeBase (KB)",
		PermPC: "Policy Compliance (PC)", PermAM: "Asset Management (AM)"}[rc.route.perm]
	switch {
	case rc.route.endpoint == EndpointHostAsset:
		s.qpsError(w, r, http.StatusForbidden, "UNAUTHORIZED", "Not Authorized to access this API: the user has no "+module+" permission.")
	case rc.route.gateway:
		gatewayError(w, http.StatusForbidden, "Forbidden", "Access denied: the user has no "+module+" permission.")
	default:
		s.simpleReturn(w, r, http.StatusConflict, codePermission,
			"You do not have permission to use this API: the user has no "+module+" permission.")
	}
}

// answerFault writes the answer of a response-level fault.
func (s *Server) answerFault(w http.ResponseWriter, r *http.Request, rc *reqCtx, f *Fault) {
	lim := s.limiters[rc.route.endpoint]
	switch f.Kind {
	case FaultHTTPError:
		status := f.Status
		if status == 0 {
			status = defaultFaultHTTPStatus
		}
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status)
		text := http.StatusText(status)
		_, _ = fmt.Fprintf(w, "<html><head><title>%d %s</title></head><body><h1>%s</h1></body></html>\n", status, text, text)
	case FaultConcurrencyLimit:
		st := lim.snapshot(s.now())
		st.running = max(st.running+1, st.lim.Concurrency)
		s.setLimitHeaders(w.Header(), st)
		s.limitAnswer(w, r, codeConcurrency, 1)
	case FaultRateLimit:
		st := lim.snapshot(s.now())
		st.remaining, st.toWait = 0, f.waitSeconds()
		s.setLimitHeaders(w.Header(), st)
		s.limitAnswer(w, r, codeRateLimit, f.waitSeconds())
	case FaultAccountExpired:
		s.setLimitHeaders(w.Header(), lim.snapshot(s.now()))
		s.simpleReturn(w, r, http.StatusOK, codeExpired, textExpired)
	case FaultRegistration:
		s.setLimitHeaders(w.Header(), lim.snapshot(s.now()))
		s.simpleReturn(w, r, http.StatusConflict, codeRegistration, textRegistration)
	case FaultBadLogin:
		if rc.route.endpoint == EndpointAuth {
			gatewayError(w, http.StatusUnauthorized, "Unauthorized", "authentication_exceptions: InvalidCredentialsException")
			return
		}
		s.setLimitHeaders(w.Header(), lim.snapshot(s.now()))
		s.unauthorized(w, r, rc)
	case FaultGateway429:
		tooManyRequests(w, f.waitSeconds())
	case FaultJWTExpired:
		s.jwt.revoke(bearer(r), s.now())
		gatewayError(w, http.StatusUnauthorized, "Unauthorized", "JWT expired")
	}
}

// serveGateway runs the gateway checks: JWT, permission, the per-API PCRS rate limit (429).
func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if rc.route.endpoint == EndpointAuth {
		s.handleAuth(w, r)
		return
	}
	if problem := s.jwt.check(bearer(r), s.now()); problem != "" {
		rc.rec.AuthFailed = true
		gatewayError(w, http.StatusUnauthorized, "Unauthorized", problem)
		return
	}
	if s.lacks(rc.route.perm) {
		s.missingPermission(w, r, rc)
		return
	}
	lim := s.limiters[rc.route.endpoint]
	st, code := lim.admit(s.now())
	if code != 0 {
		tooManyRequests(w, max(1, st.toWait))
		return
	}
	defer lim.release()
	rc.route.handle(s, w, r, rc)
}

// handleAuth is POST /auth: form username, password, token=true → 201 with the raw JWT.
func (s *Server) handleAuth(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		gatewayError(w, http.StatusMethodNotAllowed, "Method Not Allowed", "Use POST")
		return
	}
	if err := r.ParseForm(); err != nil || !strings.EqualFold(r.PostForm.Get("token"), "true") {
		gatewayError(w, http.StatusBadRequest, "Bad Request", "token=true is required")
		return
	}
	u, p := r.PostForm.Get("username"), r.PostForm.Get("password")
	if subtle.ConstantTimeCompare([]byte(u), []byte(s.opts.Username)) != 1 ||
		subtle.ConstantTimeCompare([]byte(p), []byte(s.opts.Password)) != 1 {
		gatewayError(w, http.StatusUnauthorized, "Unauthorized", "authentication_exceptions: InvalidCredentialsException")
		return
	}
	w.Header().Set("Content-Type", "text/plain;charset=UTF-8")
	w.WriteHeader(http.StatusCreated)
	_, _ = w.Write([]byte(s.jwt.issue(u, s.tenant.SubscriptionID(), s.now())))
}

// ExpireTokens makes every token issued so far expired: the next PCRS call with one gets 401
// "JWT expired".
func (s *Server) ExpireTokens() { s.jwt.revokeAll(s.now()) }

func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "Bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// gatewayError writes the gateway's JSON error body {"status","error","message"}.
func gatewayError(w http.ResponseWriter, status int, errText, message string) {
	w.Header().Set("Content-Type", contentTypeJSON)
	w.WriteHeader(status)
	b, _ := json.Marshal(struct {
		Status  int    `json:"status"`
		Error   string `json:"error"`
		Message string `json:"message"`
	}{status, errText, message})
	_, _ = w.Write(b)
}

// tooManyRequests is the gateway's 429; Retry-After carries the wait (a simulator choice: the
// references only say "429").
func tooManyRequests(w http.ResponseWriter, seconds int) {
	w.Header().Set("Retry-After", strconv.Itoa(seconds))
	gatewayError(w, http.StatusTooManyRequests, "Too Many Requests",
		fmt.Sprintf("API rate limit exceeded; retry after %d seconds.", seconds))
}
