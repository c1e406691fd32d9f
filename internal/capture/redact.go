// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package capture // import "github.com/seed-d80aa3af/qualysreceiver/internal/capture"

import (
	"net/url"
	"regexp"
	"strings"
)

// credentialParams are parameter names that carry who the user is or a secret. The receiver sends
// none of them to the captured APIs (it authenticates in headers), but a capture must stay safe to
// hand over whatever a future request carries.
var credentialParams = map[string]bool{
	"username": true, "user": true, "login": true, "password": true, "passwd": true, "pass": true,
	"token": true, "access_token": true, "jwt": true, "authorization": true, "secret": true,
	"api_key": true, "apikey": true, "session": true, "cookie": true,
}

// IsCredentialParam says whether a parameter of this name is left out of captures and matching.
func IsCredentialParam(name string) bool { return credentialParams[strings.ToLower(name)] }

// jwtPattern is a JSON Web Token: three base64url parts, the first two JSON objects ("eyJ").
var jwtPattern = regexp.MustCompile(`eyJ[A-Za-z0-9_-]*\.eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*`)

const redacted = "REDACTED"

// ScrubText replaces every JSON Web Token in s.
func ScrubText(s string) string { return jwtPattern.ReplaceAllString(s, redacted) }

// RedactParams returns v without credential parameters and with any token in a value replaced.
func RedactParams(v url.Values) url.Values {
	if len(v) == 0 {
		return nil
	}
	out := url.Values{}
	for name, values := range v {
		if IsCredentialParam(name) {
			continue
		}
		for _, value := range values {
			out.Add(name, ScrubText(value))
		}
	}
	return out
}
