// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"net/http"
)

// handleAbout is GET /msp/about.php, the cheapest authenticated call: versions of the platform.
func (s *Server) handleAbout(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	o := s.startBody(w, r, rc, http.StatusOK, contentTypeXML)
	defer o.finish()
	o.xmlProlog("ABOUT", baseURL(r)+"/about.dtd")
	o.open(0, "ABOUT")
	o.raw(indent(1) + `<API-VERSION MAJOR="1" MINOR="0" />` + "\n")
	o.text(1, "WEB-VERSION", "10.38.2.0-1")
	o.text(1, "SCANNER-VERSION", "13.5.29-1")
	o.text(1, "VULNSIGS-VERSION", "2.6.123-2")
	o.text(1, "VULNSIGS-SCA-VERSION", "2.6.123-2")
	o.close(0, "ABOUT")
}
