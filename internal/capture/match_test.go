// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package capture

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
)

const testJWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJl"

// Requests match whatever their parameter order, credentials and times; anything else counts.
func TestMatchKey(t *testing.T) {
	base := MatchKey("POST", "/api/5.0/fo/asset/host/vm/detection/",
		url.Values{"action": {"list"}, "vm_processed_after": {"2026-01-15T12:00:00Z"}, "id_min": {"5"}}, "")
	same := []struct {
		name   string
		params url.Values
	}{
		{"another time", url.Values{"id_min": {"5"}, "vm_processed_after": {"2027-03-01T00:00:00Z"}, "action": {"list"}}},
		{"credentials", url.Values{"id_min": {"5"}, "vm_processed_after": {"2026-01-15T12:00:00Z"}, "action": {"list"},
			"username": {"someone"}, "Password": {"secret"}}},
	}
	for _, tc := range same {
		assert.Equal(t, base, MatchKey("post", "/api/5.0/fo/asset/host/vm/detection/", tc.params, ""), tc.name)
	}
	differ := map[string]string{
		"parameter value": MatchKey("POST", "/api/5.0/fo/asset/host/vm/detection/",
			url.Values{"action": {"list"}, "vm_processed_after": {"2026-01-15T12:00:00Z"}, "id_min": {"6"}}, ""),
		"method": MatchKey("GET", "/api/5.0/fo/asset/host/vm/detection/",
			url.Values{"action": {"list"}, "vm_processed_after": {"2026-01-15T12:00:00Z"}, "id_min": {"5"}}, ""),
		"path": MatchKey("POST", "/api/2.0/fo/asset/host/vm/detection/",
			url.Values{"action": {"list"}, "vm_processed_after": {"2026-01-15T12:00:00Z"}, "id_min": {"5"}}, ""),
		"missing parameter": MatchKey("POST", "/api/5.0/fo/asset/host/vm/detection/",
			url.Values{"action": {"list"}, "id_min": {"5"}}, ""),
	}
	for name, key := range differ {
		assert.NotEqual(t, base, key, name)
	}

	body := `<Criteria field="updated" operator="GREATER">2025-10-17T12:00:00Z</Criteria>`
	assert.Equal(t, MatchKey("POST", "/qps", nil, body),
		MatchKey("POST", "/qps", nil, `<Criteria field="updated" operator="GREATER">2025-10-17T13:30:00Z</Criteria>`))
	assert.NotEqual(t, MatchKey("POST", "/qps", nil, body),
		MatchKey("POST", "/qps", nil, `<Criteria field="id" operator="GREATER">7</Criteria>`))
}

// Credential parameters are left out, and a token anywhere in a value or body is replaced.
func TestRedact(t *testing.T) {
	got := RedactParams(url.Values{"action": {"list"}, "USERNAME": {"u"}, "password": {"p"}, "token": {"true"},
		"note": {"Bearer " + testJWT}})
	assert.Equal(t, url.Values{"action": {"list"}, "note": {"Bearer REDACTED"}}, got)
	assert.Equal(t, `{"t":"REDACTED"}`, ScrubText(`{"t":"`+testJWT+`"}`))
	assert.Nil(t, RedactParams(nil))
}
