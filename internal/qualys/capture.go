// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualys // import "github.com/seed-d80aa3af/qualysreceiver/internal/qualys"

import (
	"io"
	"mime"
	"net/http"
	"net/url"

	"github.com/seed-d80aa3af/qualysreceiver/internal/capture"
)

// captured returns resp's body, copied to the capture as it is read when capturing is on. Only
// req is described: the HTTP request carries the credentials (basic auth, bearer token) in
// headers, and no header of the request is written.
func (c *Client) captured(req Request, resp *http.Response) io.ReadCloser {
	if c.settings.Capture == nil {
		return resp.Body
	}
	return c.settings.Capture.Record(describe(req, resp), resp.Body)
}

// describe is req and resp as a capture stores them, credentials removed.
func describe(req Request, resp *http.Response) capture.Exchange {
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	ex := capture.Exchange{
		API: req.API.String(), Endpoint: req.Endpoint, Method: method, Path: req.Path,
		Query:  capture.RedactParams(req.Query),
		Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"),
		Header: capture.SafeHeaders(resp.Header),
	}
	if len(req.Body) == 0 {
		return ex
	}
	ex.RequestContentType = req.ContentType
	if mediaType, _, _ := mime.ParseMediaType(req.ContentType); mediaType == "application/x-www-form-urlencoded" {
		// A form that does not parse is still described by what parsed, never written raw: it
		// could hold a credential parameter.
		form, _ := url.ParseQuery(string(req.Body))
		ex.Form = capture.RedactParams(form)
		return ex
	}
	ex.RequestBody = capture.ScrubText(string(req.Body))
	return ex
}
