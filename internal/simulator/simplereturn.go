// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"bytes"
	"net/http"
	"strconv"
)

// SIMPLE_RETURN codes.
const (
	codeUnknownParam  = 1901
	codeMissingParam  = 1903
	codeExclusive     = 1904
	codeInvalidValue  = 1905
	codeUnsupported   = 1907
	codeBadMethod     = 1908
	codeConcurrency   = 1960
	codeRateLimit     = 1965
	codePermission    = 2000 // the simulator's choice; see missingPermission
	codeExpired       = 2001
	codeRegistration  = 2003
	textExpired       = "This account has expired."
	textRegistration  = "Registration must be completed before API requests will be served for this account"
	textBadLogin      = "Bad Login/Password"
	contentTypeXML    = "application/xml"
	contentTypeJSON   = "application/json"
	contentTypeBinary = "application/octet-stream"
)

// apiError is a SIMPLE_RETURN answer: status, code and text.
type apiError struct {
	status int
	code   int
	text   string
}

type item struct{ key, value string }

// simpleReturn writes SIMPLE_RETURN/RESPONSE/{DATETIME, CODE, TEXT, ITEM_LIST}. Code 0 leaves CODE
// out, as the "Bad Login/Password" answer does. These bodies are small, so they are built whole.
func (s *Server) simpleReturn(w http.ResponseWriter, r *http.Request, status, code int, text string, items ...item) {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" ?>` + "\n")
	b.WriteString(`<!DOCTYPE SIMPLE_RETURN SYSTEM "` + baseURL(r) + "/api/2.0/simple_return.dtd\">\n")
	b.WriteString("<SIMPLE_RETURN>\n  <RESPONSE>\n    <DATETIME>" + qualysTime(s.now()) + "</DATETIME>\n")
	if code != 0 {
		b.WriteString("    <CODE>" + strconv.Itoa(code) + "</CODE>\n")
	}
	b.WriteString("    <TEXT>")
	_, _ = xmlEscaper.WriteString(&b, text)
	b.WriteString("</TEXT>\n")
	if len(items) > 0 {
		b.WriteString("    <ITEM_LIST>\n")
		for _, it := range items {
			b.WriteString("      <ITEM>\n        <KEY>" + it.key + "</KEY>\n        <VALUE>")
			_, _ = xmlEscaper.WriteString(&b, it.value)
			b.WriteString("</VALUE>\n      </ITEM>\n")
		}
		b.WriteString("    </ITEM_LIST>\n")
	}
	b.WriteString("  </RESPONSE>\n</SIMPLE_RETURN>\n")
	w.Header().Set("Content-Type", contentTypeXML)
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

func (s *Server) writeAPIError(w http.ResponseWriter, r *http.Request, e *apiError) {
	s.simpleReturn(w, r, e.status, e.code, e.text)
}

// limitAnswer writes the 409 of a spent limit: 1960 with CALLS_TO_FINISH, or 1965 with
// SECONDS_TO_WAIT (also in X-RateLimit-ToWait-Sec).
func (s *Server) limitAnswer(w http.ResponseWriter, r *http.Request, code, n int) {
	if code == codeConcurrency {
		s.simpleReturn(w, r, http.StatusConflict, codeConcurrency, concurrencyText(n), item{"CALLS_TO_FINISH", strconv.Itoa(n)})
		return
	}
	setRawHeader(w.Header(), "X-RateLimit-ToWait-Sec", strconv.Itoa(n))
	s.simpleReturn(w, r, http.StatusConflict, codeRateLimit, rateText(n), item{"SECONDS_TO_WAIT", strconv.Itoa(n)})
}

// baseURL is the scheme and host the client used, for DOCTYPE and WARNING/URL.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
