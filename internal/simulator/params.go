// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// params are the input parameters of a VM/PC API call: the query string and, for POST, the
// form body, as Qualys accepts both.
type params struct{ v url.Values }

// readParams parses and checks the parameters: unknown names give 1901, a missing action 1903,
// an action other than list 1905 (Appendix D wording).
func readParams(r *http.Request, known []string) (params, *apiError) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		return params{}, &apiError{http.StatusBadRequest, codeBadMethod,
			"Request method (" + r.Method + ") is incompatible with specified parameter(s): action"}
	}
	if err := r.ParseForm(); err != nil {
		return params{}, &apiError{http.StatusBadRequest, codeInvalidValue, "request body could not be parsed"}
	}
	var unknown []string
	for k := range r.Form {
		if !slices.Contains(known, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return params{}, &apiError{http.StatusBadRequest, codeUnknownParam, "Unrecognized parameter(s): " + strings.Join(unknown, ", ")}
	}
	p := params{v: r.Form}
	switch {
	case !p.has("action"):
		return p, &apiError{http.StatusBadRequest, codeMissingParam, "Missing required parameter(s): action"}
	case p.str("action") != "list":
		return p, p.invalid("action")
	}
	return p, nil
}

// namedDate pairs a date parameter with where its value goes.
type namedDate struct {
	name string
	dst  *time.Time
}

func (p params) has(name string) bool { return len(p.v[name]) > 0 }
func (p params) str(name string) string {
	return p.v.Get(name)
}

func (p params) invalid(name string) *apiError {
	return &apiError{http.StatusBadRequest, codeInvalidValue, fmt.Sprintf("parameter %s has invalid value: %s", name, p.str(name))}
}

// bool01 reads a 0/1 flag.
func (p params) bool01(name string, def bool) (bool, *apiError) {
	switch {
	case !p.has(name):
		return def, nil
	case p.str(name) == "1":
		return true, nil
	case p.str(name) == "0":
		return false, nil
	}
	return false, p.invalid(name)
}

func (p params) intIn(name string, def, lo, hi int) (int, *apiError) {
	if !p.has(name) {
		return def, nil
	}
	n, err := strconv.Atoi(p.str(name))
	if err != nil || n < lo || n > hi {
		return 0, p.invalid(name)
	}
	return n, nil
}

func (p params) uint(name string) (uint64, *apiError) {
	if !p.has(name) {
		return 0, nil
	}
	n, err := strconv.ParseUint(p.str(name), 10, 64)
	if err != nil {
		return 0, p.invalid(name)
	}
	return n, nil
}

// date reads YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC).
func (p params) date(name string) (time.Time, *apiError) {
	if !p.has(name) {
		return time.Time{}, nil
	}
	t, err := parseQualysDate(p.str(name))
	if err != nil {
		return time.Time{}, p.invalid(name)
	}
	return t, nil
}

func parseQualysDate(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02T15:04:05Z", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("bad date %q", s)
}

func (p params) ids(name string) (IDSet, *apiError) {
	if !p.has(name) {
		return nil, nil
	}
	set, err := ParseIDSet(p.str(name))
	if err != nil {
		return nil, p.invalid(name)
	}
	return set, nil
}

// enum reads one of the allowed values, spelled exactly.
func (p params) enum(name, def string, allowed ...string) (string, *apiError) {
	if !p.has(name) {
		return def, nil
	}
	if v := p.str(name); slices.Contains(allowed, v) {
		return v, nil
	}
	return "", p.invalid(name)
}

// enumList reads a comma list of allowed values, spelled exactly; nil when absent.
func (p params) enumList(name string, allowed ...string) ([]string, *apiError) {
	if !p.has(name) {
		return nil, nil
	}
	var out []string
	for _, v := range strings.Split(p.str(name), ",") {
		v = strings.TrimSpace(v)
		if !slices.Contains(allowed, v) {
			return nil, p.invalid(name)
		}
		out = append(out, v)
	}
	return out, nil
}

func (p params) list(name string) []string {
	if !p.has(name) {
		return nil
	}
	var out []string
	for _, v := range strings.Split(p.str(name), ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// nextPageURL is the WARNING/URL of a truncated page: the request as the client sent it (query
// order kept, POST form parameters appended), absolute, with id_min set to the next ID.
func nextPageURL(r *http.Request, nextID uint64) string {
	var parts []string
	seen := map[string]bool{}
	for _, kv := range strings.Split(r.URL.RawQuery, "&") {
		if kv == "" {
			continue
		}
		k, _, _ := strings.Cut(kv, "=")
		name, _ := url.QueryUnescape(k)
		seen[name] = true
		if name != "id_min" {
			parts = append(parts, kv)
		}
	}
	for _, k := range sortedKeys(r.PostForm) {
		if !seen[k] && k != "id_min" {
			for _, v := range r.PostForm[k] {
				parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(v))
			}
		}
	}
	parts = append(parts, "id_min="+strconv.FormatUint(nextID, 10))
	return baseURL(r) + r.URL.Path + "?" + strings.Join(parts, "&")
}

func sortedKeys(v url.Values) []string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
