// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualysreceiver // import "github.com/seed-d80aa3af/qualysreceiver"

import (
	"fmt"
	"net/url"
	"strings"
)

// usernamePlatforms maps the platform identifier character in a Qualys username to its platform
// (only the platforms Qualys documents for a username).
var usernamePlatforms = map[rune]Platform{
	'_': "US1", '2': "US2", '3': "US3", '6': "US4", '-': "EU1", '5': "EU2", '!': "EU2",
}

// platformOfUsername guesses the platform from the first non-letter in the username, where Qualys
// puts the platform identifier; "" when there is none or it is not a known one.
func platformOfUsername(username string) Platform {
	for _, r := range username {
		if (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') {
			continue
		}
		return usernamePlatforms[r]
	}
	return ""
}

// platformOfURL finds the platform whose API server or gateway is at raw; "" for other hosts.
func platformOfURL(raw string) Platform {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	for name, urls := range platforms {
		for _, known := range []string{urls.apiServer, urls.gateway} {
			if k, _ := url.Parse(known); k != nil && strings.EqualFold(k.Host, u.Host) {
				return name
			}
		}
	}
	return ""
}

// unauthorizedHint says which platform to try after a 401, when the username points at another
// platform than the one configured; "" when nothing suggests one.
func (cfg *Config) unauthorizedHint() string {
	// The URL the calls go to, not the platform key: an explicit api_url wins over platform.
	configured := platformOfURL(cfg.APIServerURL())
	user := platformOfUsername(cfg.Username)
	if user == "" || configured == "" || user == configured {
		return ""
	}
	try := "platform: " + string(user)
	if cfg.APIURL != "" {
		try += " without api_url and gateway_url"
	}
	return fmt.Sprintf("the username %q looks like a %s user but the receiver calls %s: try %s", cfg.Username, user, configured, try)
}
