// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

// Package qualys is the one Qualys API client all streams share: authentication (basic auth on the
// API server, JWT on the gateway), the per-API limiter, waits on 409/429 answers, retries with
// back-off, and SIMPLE_RETURN errors read even under HTTP 200. It returns open bodies; the decode
// package reads them.
package qualys // import "github.com/seed-d80aa3af/qualysreceiver/internal/qualys"

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/config/configretry"
	"go.uber.org/zap"

	"github.com/seed-d80aa3af/qualysreceiver/internal/capture"
)

// API is a Qualys API with a limit budget of its own.
type API int

const (
	// APIServer is the VM/PC API on the API server (detections, host list, KnowledgeBase, posture).
	APIServer API = iota
	// APIAssetManagement is the QPS asset-management API on the API server (hostasset).
	APIAssetManagement
	// APIGateway is the API gateway (PCRS), with JWT authentication.
	APIGateway
	apiCount
)

func (a API) String() string {
	switch a {
	case APIAssetManagement:
		return "asset_management"
	case APIGateway:
		return "gateway"
	default:
		return "api_server"
	}
}

// Settings configure the client.
type Settings struct {
	APIServerURL string
	GatewayURL   string
	Username     string
	Password     string
	// MaxConcurrency bounds the calls in flight per API; Qualys' headers can only lower it.
	MaxConcurrency int
	// Retry is the back-off for transient failures (5xx, network errors, timeouts).
	Retry configretry.BackOffConfig
	// Version goes into the User-Agent.
	Version  string
	Logger   *zap.Logger
	Observer Observer
	// UnauthorizedHint is added to the hint of a 401: which platform the username or URL points
	// at, when that is not the configured one.
	UnauthorizedHint string
	// Clock replaces the wall clock (tests); nil is the wall clock.
	Clock Clock
	// Capture, when set, keeps a copy of every answer (capture::directory).
	Capture *capture.Writer
}

func (s Settings) userAgent() string {
	v := s.Version
	if v == "" {
		v = "dev"
	}
	return "qualysreceiver/" + v
}

// Client calls Qualys. It is safe for concurrent use; all streams share one.
type Client struct {
	http     *http.Client
	settings Settings
	logger   *zap.Logger
	observer Observer
	clock    clock
	// limiters holds one limiter per Qualys API (request path; endpoint on the gateway): Qualys
	// counts concurrency and rate per API, so Host List Detection and the KnowledgeBase never wait
	// on each other.
	limitersMu sync.Mutex
	limiters   map[string]*limiter
	tokens     *tokenSource
	apiBase    *url.URL
}

// New returns a client that sends its calls through httpClient (built from confighttp settings).
func New(httpClient *http.Client, s Settings) (*Client, error) {
	apiBase, err := url.Parse(s.APIServerURL)
	if err != nil {
		return nil, fmt.Errorf("api_url: %w", err)
	}
	c := &Client{http: httpClient, settings: s, logger: s.Logger, observer: s.Observer, clock: realClock{}, apiBase: apiBase}
	if s.Clock != nil {
		c.clock = s.Clock
	}
	if c.logger == nil {
		c.logger = zap.NewNop()
	}
	if c.observer == nil {
		c.observer = nopObserver{}
	}
	c.limiters = map[string]*limiter{}
	c.tokens = &tokenSource{client: c}
	return c, nil
}

// Request is one Qualys call.
type Request struct {
	API API
	// Endpoint is a short name for logs, errors and telemetry, e.g. "host_detections".
	Endpoint string
	Method   string
	// Path is appended to the API's base URL; Query is its query string.
	Path  string
	Query url.Values
	// Body, when set, is sent with ContentType; it is replayed on retries.
	Body        []byte
	ContentType string
}

// Response is an answer that passed every error check. Its body must be closed; closing it ends the
// call for the concurrency limit, which Qualys counts until the answer is complete.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       io.ReadCloser
}

// Unreadable says the body arrived but could not be read as the answer it should be (cut off,
// malformed): when it is closed, the call counts as response_error instead of ok.
func (r *Response) Unreadable() {
	if b, ok := r.Body.(*trackedBody); ok {
		b.unreadable.Store(true)
	}
}

// Do sends req, waiting out Qualys' limit answers and retrying transient failures within the
// configured back-off. A returned error is an *Error.
func (c *Client) Do(ctx context.Context, req Request) (*Response, error) {
	bo := NewBackOff(c.settings.Retry, c.clock)
	limitWaits := 0
	renewedToken := false
	for {
		resp, err := c.try(ctx, req)
		if err == nil {
			return resp, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var lw *limitWait
		var expired *tokenExpired
		var qe *Error
		switch {
		case errors.As(err, &lw):
			limitWaits++
			c.waitOutLimit(req, lw, limitWaits)
		case errors.As(err, &expired) && !renewedToken:
			// A JWT can lapse between our expiry check and the gateway's: renew it once.
			renewedToken = true
			c.tokens.invalidate(expired.token)
			c.logger.Warn("The API gateway rejected its token; logging in again", zap.String("endpoint", req.Endpoint),
				zap.Error(expired.err))
		case errors.As(err, &qe) && qe.Fatal():
			return nil, qe
		default:
			if err := c.backOffAfter(ctx, bo, req.Endpoint, err); err != nil {
				return nil, err
			}
		}
	}
}

// backOffAfter waits before the next attempt of a call that failed transiently with err, or
// returns err once the back-off is spent (or disabled); a shutdown while waiting ends the wait.
func (c *Client) backOffAfter(ctx context.Context, bo *BackOff, endpoint string, err error) error {
	if singleAttempt(ctx) {
		return err
	}
	wait, ok := bo.NextWait()
	if !ok || !c.settings.Retry.Enabled {
		return err
	}
	c.logger.Warn("Qualys call failed; retrying", zap.String("endpoint", endpoint),
		zap.Error(err), zap.Duration("retry_in", wait))
	return sleep(ctx, c.clock, wait)
}

// waitOutLimit holds the API back for as long as Qualys said (1965, 429) or, for the concurrency
// limit (1960), until our own calls finish or a growing pause passes. The wait itself happens,
// and is reported, when the next call of the API acquires the limiter.
func (c *Client) waitOutLimit(req Request, lw *limitWait, attempt int) {
	wait := lw.wait
	if wait <= 0 {
		wait = min(time.Duration(1<<min(attempt, 6))*time.Second, time.Minute)
	}
	// Held before it is logged: a call that starts once the line is out must already wait.
	c.limiterFor(req).holdUntil(c.clock.Now().Add(wait), lw.reason)
	c.logger.Info("Qualys limit reached; waiting as Qualys asks", zap.String("endpoint", req.Endpoint),
		zap.String("limit", lw.reason), zap.Int("code", lw.code), zap.Duration("wait", wait))
}

// limiterFor returns the limiter of req's Qualys API, shared by every stream.
func (c *Client) limiterFor(req Request) *limiter {
	c.limitersMu.Lock()
	defer c.limitersMu.Unlock()
	key := req.API.String() + " " + req.Path
	if req.API == APIGateway {
		// A PCRS API has one budget whatever the version in its path.
		key = req.API.String() + " " + req.Endpoint
	}
	l, ok := c.limiters[key]
	if !ok {
		l = newLimiter(c.settings.MaxConcurrency, c.clock)
		if req.API == APIGateway {
			// The gateway refuses PCRS calls past their budget with 429; pacing keeps within it.
			l.pace = &callWindow{calls: pcrsCalls, window: pcrsWindow}
		}
		c.limiters[key] = l
	}
	return l
}

// PCRS accepts 25 calls per API in any 60 s by default; a gateway answer's
// X-RateLimit-Limit and X-RateLimit-Window-Sec replace these.
const (
	pcrsCalls  = 25
	pcrsWindow = time.Minute
)

// try sends one attempt.
func (c *Client) try(ctx context.Context, req Request) (*Response, error) {
	lim := c.limiterFor(req)
	release, held, reason, err := lim.acquire(ctx, func(reason string, wait time.Duration, paced bool) {
		// Counted when it begins, so a long hold shows while it lasts.
		c.observer.LimitWaitBegan(req.API, req.Endpoint, reason)
		level := zap.InfoLevel
		if paced { // our own pacing within the gateway's budget, routine on every large pull
			level = zap.DebugLevel
		}
		c.logger.Log(level, "Call held by a Qualys limit", zap.String("endpoint", req.Endpoint),
			zap.String("limit", reason), zap.Duration("wait", wait.Round(time.Second)))
	})
	if held > 0 {
		c.observer.LimitWaitEnded(req.API, req.Endpoint, reason, held)
	}
	if err != nil {
		return nil, err
	}
	httpReq, token, err := c.newHTTPRequest(ctx, req)
	if err != nil {
		release()
		return nil, err
	}
	started := c.clock.Now()
	resp, err := c.http.Do(httpReq)
	if err != nil {
		release()
		qe := networkError(req.Endpoint, redactURLError(err))
		c.observer.RequestDone(req.API, req.Endpoint, outcomeOf(qe), c.clock.Now().Sub(started))
		return nil, qe
	}
	hold := lim.observe(resp.Header)
	resp.Body = c.captured(req, resp)
	body := bufio.NewReaderSize(resp.Body, peekBytes)
	result, err := c.check(req, resp, body, token)
	var limited *limitWait
	if hold > 0 && !errors.As(err, &limited) { // a limit answer is logged as it is waited out
		c.logger.Info("Qualys limit reached; waiting as Qualys asks", zap.String("endpoint", req.Endpoint),
			zap.String("limit", "rate"), zap.String("header", "X-RateLimit-ToWait-Sec"), zap.Duration("wait", hold))
	}
	if err != nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, drainBytes))
		resp.Body.Close()
		release()
		c.observer.RequestDone(req.API, req.Endpoint, outcomeOf(err), c.clock.Now().Sub(started))
		return nil, err
	}
	result.Body = &trackedBody{Reader: body, closer: resp.Body, done: func(readErr error, unreadable bool) {
		release()
		outcome := outcomeOK
		switch {
		case readErr != nil:
			outcome = outcomeBodyError
		case unreadable:
			outcome = outcomeResponseError
		}
		c.observer.RequestDone(req.API, req.Endpoint, outcome, c.clock.Now().Sub(started))
	}}
	return result, nil
}

const (
	peekBytes  = 4096
	drainBytes = 64 << 10
	// errorBodyBytes bounds how much of an error answer is read.
	errorBodyBytes = 64 << 10
)

func (c *Client) newHTTPRequest(ctx context.Context, req Request) (*http.Request, string, error) {
	base := c.settings.APIServerURL
	if req.API == APIGateway {
		base = c.settings.GatewayURL
	}
	u := base + req.Path
	if len(req.Query) > 0 {
		u += "?" + req.Query.Encode()
	}
	var body io.Reader
	if req.Body != nil {
		body = bytes.NewReader(req.Body)
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	httpReq, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, "", &Error{Endpoint: req.Endpoint, Kind: KindRequest, Err: err}
	}
	if req.ContentType != "" {
		httpReq.Header.Set("Content-Type", req.ContentType)
	}
	httpReq.Header.Set("User-Agent", c.settings.userAgent())
	var token string
	if req.API == APIGateway {
		token, err = c.tokens.get(ctx)
		if err != nil {
			return nil, "", err
		}
		httpReq.Header.Set("Authorization", "Bearer "+token)
	} else {
		httpReq.SetBasicAuth(c.settings.Username, c.settings.Password)
		// Qualys API v2 refuses basic-auth calls without it (CSRF protection); any value works.
		httpReq.Header.Set("X-Requested-With", "qualysreceiver")
	}
	return httpReq, token, nil
}

// check turns an answer into a Response or an error: limit answers become *limitWait, a lapsed JWT
// *tokenExpired, everything else that is not a success an *Error.
func (c *Client) check(req Request, resp *http.Response, body *bufio.Reader, token string) (*Response, error) {
	switch {
	case resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusCreated || resp.StatusCode == http.StatusNoContent:
		// Qualys answers some errors (2001 account expired) with HTTP 200 and a SIMPLE_RETURN body.
		if sr, ok, err := peekSimpleReturn(body); err != nil {
			return nil, &Error{Endpoint: req.Endpoint, StatusCode: resp.StatusCode, Kind: KindResponse, Err: err}
		} else if ok {
			return nil, c.simpleReturnError(req, resp, sr)
		}
		return &Response{StatusCode: resp.StatusCode, Header: resp.Header}, nil
	case resp.StatusCode == http.StatusTooManyRequests:
		return nil, &limitWait{reason: "rate", wait: retryAfter(resp.Header, c.clock.Now())}
	case resp.StatusCode == http.StatusUnauthorized && req.API == APIGateway:
		text := readErrorBody(body)
		e := classify(req.Endpoint, resp.StatusCode, 0, gatewayErrorText(text))
		// The gateway issued this token for these credentials: the password is not the problem.
		e.Hint = "the API gateway rejected a token it had issued (expired or revoked); the next poll logs in again"
		return nil, &tokenExpired{token: token, err: e}
	}
	raw := readErrorBody(body)
	if sr, ok := parseSimpleReturn(raw); ok {
		return nil, c.simpleReturnError(req, resp, sr)
	}
	text := shortText(raw)
	if req.API == APIGateway {
		text = gatewayErrorText(raw)
	}
	return nil, c.classify(req.Endpoint, resp.StatusCode, 0, text)
}

// simpleReturnError maps a SIMPLE_RETURN to a wait (1920, 1960, 1965) or an *Error.
func (c *Client) simpleReturnError(req Request, resp *http.Response, sr simpleReturn) error {
	switch sr.code {
	case CodeConcurrencyLimit, CodeBlockedByBusinessObjects:
		return &limitWait{reason: "concurrency", code: sr.code}
	case CodeRateLimit:
		wait := time.Duration(sr.secondsToWait) * time.Second
		if v, ok := headerInt(resp.Header, "X-RateLimit-ToWait-Sec"); ok && time.Duration(v)*time.Second > wait {
			wait = time.Duration(v) * time.Second
		}
		if wait <= 0 {
			wait = time.Minute
		}
		return &limitWait{reason: "rate", code: sr.code, wait: wait}
	}
	return c.classify(req.Endpoint, resp.StatusCode, sr.code, sr.text)
}

func readErrorBody(r io.Reader) []byte {
	b, _ := io.ReadAll(io.LimitReader(r, errorBodyBytes))
	return b
}

// retryAfter reads a Retry-After header (seconds or HTTP date); without one, the PCRS window
// (25 calls per 60 s) passes in a minute.
func retryAfter(h http.Header, now time.Time) time.Duration {
	if v, ok := headerInt(h, "Retry-After", "X-RateLimit-ToWait-Sec"); ok && v > 0 {
		return time.Duration(v) * time.Second
	}
	if t, err := http.ParseTime(h.Get("Retry-After")); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return time.Minute
}

// limitWait is a limit answer: wait (when known) and try again.
type limitWait struct {
	reason string
	code   int
	wait   time.Duration
}

func (l *limitWait) Error() string { return "Qualys " + l.reason + " limit reached" }

// tokenExpired is a 401 from the gateway: the JWT lapsed or was revoked.
type tokenExpired struct {
	token string
	err   *Error
}

func (t *tokenExpired) Error() string { return t.err.Error() }
func (t *tokenExpired) Unwrap() error { return t.err }

// trackedBody ends the call (limiter slot, telemetry) when the body is closed.
type trackedBody struct {
	io.Reader
	closer     io.Closer
	once       sync.Once
	done       func(readErr error, unreadable bool)
	readErr    error
	unreadable atomic.Bool
}

func (b *trackedBody) Read(p []byte) (int, error) {
	n, err := b.Reader.Read(p)
	if err != nil && err != io.EOF {
		b.readErr = err
	}
	return n, err
}

func (b *trackedBody) Close() error {
	err := b.closer.Close()
	b.once.Do(func() { b.done(b.readErr, b.unreadable.Load()) })
	return err
}

func sleep(ctx context.Context, c clock, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-c.After(d):
		return nil
	}
}

// redactURLError drops the query from a *url.Error: it can be long, and nothing in an error message
// needs it.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if i := strings.IndexByte(ue.URL, '?'); i >= 0 {
			return &url.Error{Op: ue.Op, URL: ue.URL[:i], Err: ue.Err}
		}
	}
	return err
}

// classify builds the error of a failed answer, with the platform hint on a 401.
func (c *Client) classify(endpoint string, status, code int, text string) *Error {
	e := classify(endpoint, status, code, text)
	if status == http.StatusUnauthorized && c.settings.UnauthorizedHint != "" {
		e.Hint += "; " + c.settings.UnauthorizedHint
	}
	return e
}
