// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

// Package capture is the on-disk form of Qualys answers the receiver captured: one JSON file
// describing each request and answer, next to a file holding the answer's body. The receiver
// writes it (Writer); qualys-simulator -replay reads it back (Load) and matches requests (MatchKey).
package capture // import "github.com/seed-d80aa3af/qualysreceiver/internal/capture"

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Exchange is one captured call: the request as the receiver sent it, credentials removed, and
// the answer's status and safe headers. Its body is in BodyFile, next to the description.
type Exchange struct {
	// API is api_server, asset_management or gateway; Endpoint the receiver's name for the call.
	API      string `json:"api"`
	Endpoint string `json:"endpoint"`
	Method   string `json:"method"`
	// Path is the request path, without the API's base URL.
	Path  string     `json:"path"`
	Query url.Values `json:"query,omitempty"`
	// Form holds the parameters of a form body (the VM/PC APIs take POST forms).
	Form url.Values `json:"form,omitempty"`
	// RequestBody is any other request body (QPS ServiceRequest XML, PCRS JSON), as sent.
	RequestBody        string `json:"request_body,omitempty"`
	RequestContentType string `json:"request_content_type,omitempty"`

	Status      int    `json:"status"`
	ContentType string `json:"content_type,omitempty"`
	// Header holds the answer's headers that change how the receiver reads it (limits, date).
	Header http.Header `json:"header,omitempty"`
	// BodyFile is the name of the body's file in the same directory. The body is what the
	// receiver read: HTTP compression already undone by the HTTP client, while a gzip stream
	// inside the body (PCRS postureInfo) stays compressed, as Qualys sent it.
	BodyFile  string `json:"body_file"`
	BodyBytes int64  `json:"body_bytes"`
	// Complete says the receiver read the body to its end; error answers are read only in part.
	Complete bool `json:"complete"`
}

// safeHeaders are the only answer headers written: none of them can carry a credential.
var safeHeaders = []string{
	"Content-Type", "Date", "Retry-After",
	"X-RateLimit-Limit", "X-RateLimit-Window-Sec", "X-RateLimit-Remaining", "X-RateLimit-ToWait-Sec",
	"X-Concurrency-Limit-Limit", "X-Concurrency-Limit-Running", "X-ConcurrencyLimit-Limit",
}

// SafeHeaders returns the allow-listed headers of h.
func SafeHeaders(h http.Header) http.Header {
	out := http.Header{}
	for _, name := range safeHeaders {
		if v := h.Values(name); len(v) > 0 {
			out[name] = slices.Clone(v)
		}
	}
	return out
}

const (
	describeSuffix = ".json"
	bodySuffix     = ".body"
	// seqDigits keeps file names in capture order when sorted by name.
	seqDigits = 9
)

// fileNames are the description and body names of the seq-th exchange.
func fileNames(seq int64, endpoint string) (describe, body string) {
	base := fmt.Sprintf("%0*d-%s", seqDigits, seq, safeName(endpoint))
	return base + describeSuffix, base + bodySuffix
}

// safeName keeps an endpoint name usable as part of a file name.
func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' {
			return r
		}
		return '_'
	}, s)
}

// sequenceOf reads the sequence number a capture file name starts with.
func sequenceOf(name string) (int64, bool) {
	prefix, _, ok := strings.Cut(name, "-")
	if !ok || len(prefix) != seqDigits {
		return 0, false
	}
	n, err := strconv.ParseInt(prefix, 10, 64)
	return n, err == nil
}

// Load reads every exchange of dir, in capture order, each with its BodyFile as a full path.
func Load(dir string) ([]Exchange, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []Exchange
	for _, e := range entries {
		if _, ok := sequenceOf(e.Name()); !ok || !strings.HasSuffix(e.Name(), describeSuffix) {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		var ex Exchange
		if err := json.Unmarshal(raw, &ex); err != nil {
			return nil, fmt.Errorf("%s: %w", e.Name(), err)
		}
		if ex.BodyFile == "" || filepath.Base(ex.BodyFile) != ex.BodyFile {
			return nil, fmt.Errorf("%s: body_file %q is not a file name in the directory", e.Name(), ex.BodyFile)
		}
		ex.BodyFile = filepath.Join(dir, ex.BodyFile)
		out = append(out, ex)
	}
	if len(out) == 0 {
		return nil, errors.New("no captured answers (NNNNNNNNN-endpoint.json files) in " + dir)
	}
	return out, nil
}
