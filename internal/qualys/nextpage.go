// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualys // import "github.com/seed-d80aa3af/qualysreceiver/internal/qualys"

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/seed-d80aa3af/qualysreceiver/internal/decode"
)

// NextPage reads the id_min of the next page from a truncation WARNING (code 1980); more is false
// on the last page (w nil or without a URL). A next page that does not start after current would
// loop forever: it is an error in the answer.
func NextPage(w *decode.Warning, current int64) (next int64, more bool, err error) {
	// The decoders (internal/decode) trim the URL's text; white space inside a CDATA section is trimmed here, as
	// layout is never part of a URL.
	if w == nil || strings.TrimSpace(w.URL) == "" {
		return 0, false, nil
	}
	u, err := url.Parse(strings.TrimSpace(w.URL))
	if err != nil {
		return 0, false, fmt.Errorf("WARNING code %d: next-page URL %q: %w", w.Code, w.URL, err)
	}
	raw := u.Query().Get("id_min")
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return 0, false, fmt.Errorf("WARNING code %d: next-page URL without a valid id_min: %q", w.Code, w.URL)
	}
	if n <= current {
		return 0, false, fmt.Errorf("WARNING code %d: next page starts at id %d, not after %d", w.Code, n, current)
	}
	return n, true, nil
}
