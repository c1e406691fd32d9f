// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualys // import "github.com/seed-d80aa3af/qualysreceiver/internal/qualys"

import (
	"errors"
	"net/http"
	"time"
)

// Observer is told about every call and every limit wait; the receiver turns them into its own
// telemetry. Implementations must be safe for concurrent use.
type Observer interface {
	// RequestDone reports a finished call: its outcome (ok, limited, auth_error, …) and how long
	// it took, body included.
	RequestDone(api API, endpoint, outcome string, d time.Duration)
	// LimitWaitBegan reports a call that begins to wait on a Qualys limit ("concurrency" or
	// "rate"); LimitWaitEnded the time it waited, once it goes on or gives up.
	LimitWaitBegan(api API, endpoint, reason string)
	LimitWaitEnded(api API, endpoint, reason string, d time.Duration)
}

type nopObserver struct{}

func (nopObserver) RequestDone(API, string, string, time.Duration)    {}
func (nopObserver) LimitWaitBegan(API, string, string)                {}
func (nopObserver) LimitWaitEnded(API, string, string, time.Duration) {}

// Call outcomes, as telemetry reports them.
const (
	outcomeOK              = "ok"
	outcomeLimited         = "limited"
	outcomeAuthError       = "auth_error"
	outcomePermissionError = "permission_error"
	outcomeRequestError    = "request_error"
	outcomeServerError     = "server_error"
	outcomeNetworkError    = "network_error"
	outcomeResponseError   = "response_error"
	outcomeBodyError       = "body_error"
	outcomeTokenExpired    = "token_expired"
	outcomeTLSError        = "tls_error"
)

func outcomeOf(err error) string {
	var lw *limitWait
	var te *tokenExpired
	var qe *Error
	switch {
	case errors.As(err, &lw):
		return outcomeLimited
	case errors.As(err, &te):
		return outcomeTokenExpired
	case errors.As(err, &qe):
		switch qe.Kind {
		case KindAuth:
			return outcomeAuthError
		case KindPermission:
			return outcomePermissionError
		case KindRequest:
			return outcomeRequestError
		case KindResponse:
			return outcomeResponseError
		case KindTLS:
			return outcomeTLSError
		}
		if qe.StatusCode == 0 {
			return outcomeNetworkError
		}
		return outcomeServerError
	}
	return outcomeNetworkError
}

func outcomeFor(status int) string {
	switch {
	case status < 300:
		return outcomeOK
	case status == http.StatusUnauthorized:
		return outcomeAuthError
	case status == http.StatusForbidden:
		return outcomePermissionError
	case status >= 500:
		return outcomeServerError
	default:
		return outcomeRequestError
	}
}
