// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualys // import "github.com/seed-d80aa3af/qualysreceiver/internal/qualys"

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

const (
	// jwtLifetime is the gateway token's documented life, used when the token does
	// not say its own expiry.
	jwtLifetime = 4 * time.Hour
	// jwtRenewBefore renews a token this long before it expires, so no call starts with a token
	// about to lapse.
	jwtRenewBefore = 5 * time.Minute
	maxTokenBytes  = 64 << 10
)

// tokenSource holds the API gateway's JWT: fetched from POST {gateway}/auth, renewed before it
// expires, and renewed once when a call answers 401. One fetch at a time, shared by all callers.
type tokenSource struct {
	client  *Client
	mu      sync.Mutex
	token   string
	expires time.Time
}

// get returns a valid token, fetching one when there is none or it is about to expire.
func (s *tokenSource) get(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token != "" && s.client.clock.Now().Before(s.expires.Add(-jwtRenewBefore)) {
		return s.token, nil
	}
	return s.fetchLocked(ctx)
}

// invalidate drops token if it is still the current one (another caller may have renewed it).
func (s *tokenSource) invalidate(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token == token {
		s.token = ""
	}
}

func (s *tokenSource) fetchLocked(ctx context.Context) (string, error) {
	c := s.client
	form := url.Values{"username": {c.settings.Username}, "password": {c.settings.Password}, "token": {"true"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.settings.GatewayURL+"/auth", strings.NewReader(form.Encode()))
	if err != nil {
		return "", &Error{Endpoint: "gateway_auth", Kind: KindRequest, Err: err}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", c.settings.userAgent())
	started := c.clock.Now()
	// The auth API is exempt from the gateway's rate limits, so it does not go through the limiter.
	resp, err := c.http.Do(req)
	if err != nil {
		qe := networkError("gateway_auth", redactURLError(err))
		c.observer.RequestDone(APIGateway, "gateway_auth", outcomeOf(qe), c.clock.Now().Sub(started))
		return "", qe
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTokenBytes))
	c.observer.RequestDone(APIGateway, "gateway_auth", outcomeFor(resp.StatusCode), c.clock.Now().Sub(started))
	if err != nil {
		return "", &Error{Endpoint: "gateway_auth", StatusCode: resp.StatusCode, Kind: KindTransient, Err: err}
	}
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		e := s.client.classify("gateway_auth", resp.StatusCode, 0, gatewayErrorText(body))
		if resp.StatusCode == http.StatusUnauthorized {
			e.Hint = "the API gateway rejected the username or password: check them, and that gateway_url (or platform) is the user's platform"
			if h := s.client.settings.UnauthorizedHint; h != "" {
				e.Hint += "; " + h
			}
		}
		return "", e
	}
	token := strings.TrimSpace(string(body))
	if token == "" || strings.ContainsAny(token, " \n<{") {
		return "", &Error{Endpoint: "gateway_auth", StatusCode: resp.StatusCode, Kind: KindResponse,
			Err: errors.New("the answer is not a token; is gateway_url the API gateway?")}
	}
	s.token = token
	s.expires = jwtExpiry(token, c.clock.Now())
	return token, nil
}

// GatewayLogin gets an API gateway token, proving the credentials work on the gateway. A 5xx or a
// gateway not reachable yet is retried within the back-off, like every other call.
func (c *Client) GatewayLogin(ctx context.Context) error {
	bo := NewBackOff(c.settings.Retry, c.clock)
	for {
		_, err := c.tokens.get(ctx)
		if err == nil || IsFatal(err) || ctx.Err() != nil {
			return err
		}
		if err := c.backOffAfter(ctx, bo, "gateway_auth", err); err != nil {
			return err
		}
	}
}

// jwtExpiry reads the token's exp claim; tokens that do not carry one live jwtLifetime.
func jwtExpiry(token string, now time.Time) time.Time {
	parts := strings.Split(token, ".")
	if len(parts) == 3 {
		if payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "=")); err == nil {
			var claims struct {
				Exp int64 `json:"exp"`
			}
			if json.Unmarshal(payload, &claims) == nil && claims.Exp > 0 {
				return time.Unix(claims.Exp, 0)
			}
		}
	}
	return now.Add(jwtLifetime)
}

// gatewayErrorText pulls the message out of a gateway JSON error body
// ({"status":401,"error":"Unauthorized","message":"JWT expired"}), or returns a short prefix.
func gatewayErrorText(body []byte) string {
	var msg struct {
		Error   string `json:"error"`
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &msg) == nil && (msg.Message != "" || msg.Error != "") {
		if msg.Message != "" && msg.Error != "" {
			return fmt.Sprintf("%s: %s", msg.Error, msg.Message)
		}
		return msg.Error + msg.Message
	}
	return shortText(body)
}

// shortText is the start of a body, for error messages.
func shortText(body []byte) string {
	const limit = 200
	s := strings.TrimSpace(strings.ToValidUTF8(string(body), "?"))
	if len(s) > limit {
		s = s[:limit] + "…"
	}
	return s
}
