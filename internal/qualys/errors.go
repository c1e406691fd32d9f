// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualys // import "github.com/seed-d80aa3af/qualysreceiver/internal/qualys"

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Qualys SIMPLE_RETURN codes the client acts on.
const (
	CodeInvalidValue             = 1905 // a parameter's value is refused, e.g. an unknown policy_id
	CodeBlockedByBusinessObjects = 1920 // generic 409; in practice 1960 or 1965
	CodeConcurrencyLimit         = 1960
	CodeRateLimit                = 1965
	CodeMoreRecords              = 1980 // WARNING: truncated page, URL has the next id_min
	CodeAccountExpired           = 2001
	CodeRegistrationIncomplete   = 2003
	CodeTooManyLogins            = 2014
)

// ErrKind says what a failed call means for the poll.
type ErrKind int

const (
	// KindTransient failed after the configured retries (5xx, network, timeout); the next poll may
	// succeed without anyone doing anything.
	KindTransient ErrKind = iota
	// KindAuth is a credential, platform, account or registration problem: the user must act.
	KindAuth
	// KindPermission means the user lacks a module permission or API access: the user must act.
	KindPermission
	// KindRequest means Qualys rejected the request (a 19xx parameter code, 404): a bug or an
	// unsupported option on this platform.
	KindRequest
	// KindResponse means the answer could not be read (malformed, truncated, unexpected document).
	KindResponse
	// KindTLS means the server's certificate could not be verified: retrying cannot help until the
	// operator trusts its CA (a TLS-inspecting proxy) or fixes the URL.
	KindTLS
)

func (k ErrKind) String() string {
	switch k {
	case KindAuth:
		return "auth"
	case KindPermission:
		return "permission"
	case KindRequest:
		return "request"
	case KindResponse:
		return "response"
	case KindTLS:
		return "tls"
	default:
		return "transient"
	}
}

// Error is a failed Qualys call, with what the user can do about it.
type Error struct {
	// Endpoint is the short name of the API called, e.g. "host_detections".
	Endpoint string
	// StatusCode is the HTTP status, 0 when no answer arrived.
	StatusCode int
	// Code and Text come from the SIMPLE_RETURN (or PCRS JSON) error body, when there was one.
	Code int
	Text string
	Kind ErrKind
	// Hint tells the operator what to fix, in their words.
	Hint string
	Err  error
	// CutOff says the answer arrived but could not be read whole (cut off mid-body, malformed).
	// The client cannot ask again for an answer it already handed on; the caller can.
	CutOff bool
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Endpoint)
	switch {
	case e.StatusCode != 0 && e.Code != 0:
		fmt.Fprintf(&b, ": HTTP %d, code %d", e.StatusCode, e.Code)
	case e.StatusCode != 0:
		fmt.Fprintf(&b, ": HTTP %d", e.StatusCode)
	case e.Code != 0:
		fmt.Fprintf(&b, ": code %d", e.Code)
	}
	if e.Text != "" {
		fmt.Fprintf(&b, ": %s", e.Text)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	if e.Hint != "" {
		fmt.Fprintf(&b, " (%s)", e.Hint)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Fatal reports whether retrying cannot help until someone changes something: the poll ends.
func (e *Error) Fatal() bool { return e.Kind != KindTransient }

// IsFatal reports whether err is a Qualys error that retrying cannot fix.
func IsFatal(err error) bool {
	var qe *Error
	return errors.As(err, &qe) && qe.Fatal()
}

// classify builds the error for an answer that is not a success and cannot be waited out.
func classify(endpoint string, status, code int, text string) *Error {
	e := &Error{Endpoint: endpoint, StatusCode: status, Code: code, Text: strings.TrimSpace(text)}
	switch {
	case code == CodeAccountExpired:
		e.Kind, e.Hint = KindAuth, "the Qualys account or subscription has expired; renew it in Qualys"
	case code == CodeRegistrationIncomplete:
		e.Kind, e.Hint = KindAuth, "the Qualys user has not completed registration; log in once to the Qualys console"
	case code == CodeTooManyLogins:
		e.Kind, e.Hint = KindTransient, "too many concurrent logins for this user; another tool may use the same account"
	case status == http.StatusUnauthorized:
		e.Kind, e.Hint = KindAuth, "wrong username or password, or the right credentials on another platform: check password, and platform or api_url against the username's platform"
	case status == http.StatusForbidden:
		e.Kind, e.Hint = KindPermission, "the user is inactive, lacks API access, or lacks the module this API needs: enable API access and grant VM, AssetView or PC (as the API needs) to the user's role"
	case status == http.StatusConflict:
		// Qualys answers 409 to a user without the module permission an API needs (the seed
		// connectors' KnowledgeBase check).
		e.Kind, e.Hint = KindPermission, "the user lacks a permission this API needs: grant read on VM, AssetView, PC and Reporting, API access, and Manage VM/PC module"
	case status == http.StatusNotFound:
		e.Kind, e.Hint = KindRequest, "this API is not served at the configured URL: check api_url and gateway_url"
	case status == http.StatusBadRequest || (code >= 1900 && code < 2000):
		e.Kind, e.Hint = KindRequest, "Qualys rejected a request parameter"
	case status >= 500 || status == http.StatusAccepted || status == 0:
		e.Kind = KindTransient
	case code != 0:
		// A SIMPLE_RETURN error under HTTP 200 with a code we do not know.
		e.Kind = KindRequest
	default:
		e.Kind = KindResponse
	}
	return e
}

// networkError classifies a call that got no answer. A certificate that fails verification is not
// retried: it will fail the same way until someone changes the trust settings.
func networkError(endpoint string, err error) *Error {
	var verify *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	if errors.As(err, &verify) || errors.As(err, &unknownCA) || errors.As(err, &hostname) || errors.As(err, &invalid) {
		return &Error{Endpoint: endpoint, Kind: KindTLS, Err: err,
			Hint: "the server's TLS certificate is not trusted: check api_url and gateway_url, and if a proxy inspects TLS, set tls::ca_file to its CA certificate"}
	}
	return &Error{Endpoint: endpoint, Kind: KindTransient, Err: err}
}

// ResponseError wraps a failure to read an answer that arrived (cut off, malformed, a broken
// stream). It is transient and CutOff: the same page is pulled again, and a fault that persists
// ends the poll once the retries' elapsed time is spent.
func ResponseError(endpoint string, err error) error {
	var qe *Error
	if errors.As(err, &qe) {
		return err
	}
	return &Error{Endpoint: endpoint, Kind: KindTransient, Err: err, CutOff: true,
		Hint: "the answer was cut off or could not be read; the page is pulled again"}
}

// Recovery says how soon a failed poll is worth trying again.
type Recovery int

const (
	// RecoverSoon is a failure that may pass by itself (network, 5xx, a limit wait, an answer cut
	// off or unreadable, a consumer that refused, a checkpoint that could not be written): the poll
	// is tried again after a short back-off.
	RecoverSoon Recovery = iota
	// RecoverAfterFix needs someone to change credentials, the account, permissions or trust
	// settings: the start-up checks run again often enough that a fix is picked up within minutes.
	RecoverAfterFix
	// RecoverNextInterval is Qualys refusing the request itself (a parameter, an API not served at
	// the URL): the same request gets the same answer, so the stream waits for its regular poll.
	RecoverNextInterval
)

// RecoveryOf says how soon the poll that ended with err is worth trying again. An error that is
// not a Qualys answer (a consumer, storage, a decoder) is taken as passing.
func RecoveryOf(err error) Recovery {
	var qe *Error
	if !errors.As(err, &qe) {
		return RecoverSoon
	}
	switch qe.Kind {
	case KindAuth, KindPermission, KindTLS:
		return RecoverAfterFix
	case KindRequest:
		return RecoverNextInterval
	default:
		return RecoverSoon
	}
}

// IsCutOff reports whether err is an answer that could not be read whole (see ResponseError):
// the one failure a caller retries itself, since the client has retried every other.
func IsCutOff(err error) bool {
	var qe *Error
	return errors.As(err, &qe) && qe.CutOff
}
