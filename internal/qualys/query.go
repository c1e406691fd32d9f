// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualys // import "github.com/seed-d80aa3af/qualysreceiver/internal/qualys"

import (
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// TagFilter selects hosts by Qualys tag names (use_tags=1, tag_set_by=name).
type TagFilter struct {
	Include         []string
	Exclude         []string
	IncludeSelector string // any or all
	ExcludeSelector string
}

// apply adds the tag parameters shared by Host List and Host List Detection.
func (f TagFilter) apply(q url.Values) {
	if len(f.Include) == 0 && len(f.Exclude) == 0 {
		return
	}
	q.Set("use_tags", "1")
	q.Set("tag_set_by", "name")
	if len(f.Include) > 0 {
		q.Set("tag_set_include", strings.Join(f.Include, ","))
		q.Set("tag_include_selector", orDefault(f.IncludeSelector, "any"))
	}
	if len(f.Exclude) > 0 {
		q.Set("tag_set_exclude", strings.Join(f.Exclude, ","))
		q.Set("tag_exclude_selector", orDefault(f.ExcludeSelector, "any"))
	}
}

// IDRange limits a call to host ids from Min to Max (0: no upper bound).
type IDRange struct {
	Min, Max int64
}

// bounded says whether the range has an end to ask for: Max 0, or math.MaxInt64 (the end of an
// open range as a search for a failing host spans it, internal/pull/skip.go), has none.
func (r IDRange) bounded() bool { return r.Max > 0 && r.Max != math.MaxInt64 }

func (r IDRange) apply(q url.Values) {
	if r.Min > 0 {
		q.Set("id_min", strconv.FormatInt(r.Min, 10))
	}
	if r.bounded() {
		q.Set("id_max", strconv.FormatInt(r.Max, 10))
	}
}

// qualysTime formats a time as Qualys date parameters want it (YYYY-MM-DDTHH:MM:SSZ, UTC).
func qualysTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

func joinInts[T ~int | ~int64](values []T) string {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = strconv.FormatInt(int64(v), 10)
	}
	return strings.Join(parts, ",")
}

func boolParam(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// formRequest is a POST with its parameters in a form body: Qualys' v2 APIs accept both, and a form
// has no URL length limit for long QID or tag lists.
func formRequest(api API, endpoint, path string, q url.Values) Request {
	return Request{API: api, Endpoint: endpoint, Method: "POST", Path: path,
		Body: []byte(q.Encode()), ContentType: "application/x-www-form-urlencoded"}
}

func joinStrings(values []string) string { return strings.Join(values, ",") }
