// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package capture // import "github.com/seed-d80aa3af/qualysreceiver/internal/capture"

import (
	"net/url"
	"regexp"
	"strings"
)

// qualysTimePattern is a date-time as the receiver sends it (vm_processed_after,
// last_modified_after, status_changes_since, a QPS "updated" criterion). These follow the clock of
// the run, not the answers, so a replay matches any time with any time.
var qualysTimePattern = regexp.MustCompile(`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})`)

const anyTime = "<time>"

// MatchKey is what a replayed request must equal to get this exchange's answer: method, path,
// query and form parameters (credentials left out, times made equal) and any other body.
func (ex Exchange) MatchKey() string {
	return MatchKey(ex.Method, ex.Path, merge(ex.Query, ex.Form), ex.RequestBody)
}

// MatchKey builds the key of a request; params are its query and form parameters together.
func MatchKey(method, path string, params url.Values, body string) string {
	v := url.Values{}
	for name, values := range params {
		if IsCredentialParam(name) {
			continue
		}
		for _, value := range values {
			v.Add(name, normalize(value))
		}
	}
	// url.Values.Encode sorts by name, so parameter order does not matter.
	return strings.ToUpper(method) + " " + path + "?" + v.Encode() + "\n" + normalize(ScrubText(body))
}

func normalize(s string) string { return qualysTimePattern.ReplaceAllString(s, anyTime) }

func merge(a, b url.Values) url.Values {
	out := url.Values{}
	for _, v := range []url.Values{a, b} {
		for name, values := range v {
			out[name] = append(out[name], values...)
		}
	}
	return out
}
