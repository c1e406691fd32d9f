// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualys // import "github.com/seed-d80aa3af/qualysreceiver/internal/qualys"

import (
	"bytes"
	"context"
	"encoding/xml"
	"net/http"
	"strconv"
	"time"

	"github.com/seed-d80aa3af/qualysreceiver/internal/decode"
)

// HostAssetsPath is the asset-management (QPS) host asset search.
const HostAssetsPath = "/qps/rest/2.0/search/am/hostasset"

// MaxHostAssetsPage is QPS' largest limitResults.
const MaxHostAssetsPage = 1000

// HostAssetQuery selects host assets: those of the VM hosts in HostIDs, modified after
// ModifiedAfter, after asset id AfterID (the paging cursor: id GREATER lastId).
type HostAssetQuery struct {
	HostIDs       IDRange
	ModifiedAfter time.Time
	AfterID       int64
	PageSize      int
}

type criteria struct {
	Field    string `xml:"field,attr"`
	Operator string `xml:"operator,attr"`
	Value    string `xml:",chardata"`
}

type serviceRequest struct {
	XMLName     xml.Name   `xml:"ServiceRequest"`
	Criteria    []criteria `xml:"filters>Criteria"`
	LimitResult int        `xml:"preferences>limitResults"`
}

// body is the ServiceRequest XML; QPS wants every criterion and the page size in the POST body.
func (q HostAssetQuery) body() []byte {
	req := serviceRequest{LimitResult: min(max(q.PageSize, 1), MaxHostAssetsPage)}
	add := func(field, op, value string) {
		req.Criteria = append(req.Criteria, criteria{Field: field, Operator: op, Value: value})
	}
	if q.HostIDs.Min > 0 {
		add("qwebHostId", "GREATER", strconv.FormatInt(q.HostIDs.Min-1, 10))
	}
	if q.HostIDs.Max > 0 {
		add("qwebHostId", "LESSER", strconv.FormatInt(q.HostIDs.Max+1, 10))
	}
	if !q.ModifiedAfter.IsZero() {
		add("updated", "GREATER", qualysTime(q.ModifiedAfter))
	}
	if q.AfterID > 0 {
		add("id", "GREATER", strconv.FormatInt(q.AfterID, 10))
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	_ = xml.NewEncoder(&b).Encode(req) // encoding a fixed struct of strings cannot fail
	return b.Bytes()
}

// HostAssets requests a page of host assets.
func (c *Client) HostAssets(ctx context.Context, q HostAssetQuery) (*Response, error) {
	return c.Do(ctx, Request{API: APIAssetManagement, Endpoint: "host_assets", Method: "POST",
		Path: HostAssetsPath, Body: q.body(), ContentType: "text/xml"})
}

// HostAssetsError is a QPS error answered under HTTP 200 (responseCode other than SUCCESS), as the
// client reports errors with an HTTP status.
func HostAssetsError(se *decode.ServiceError) error {
	e := &Error{Endpoint: "host_assets", StatusCode: http.StatusOK, Text: se.Error(), Kind: KindRequest, Err: se}
	switch se.Code {
	case "INVALID_CREDENTIALS":
		e.Kind = KindAuth
		e.Hint = "the Qualys user name or password is wrong"
	case "UNAUTHORIZED":
		e.Kind = KindPermission
		e.Hint = "the Qualys user needs API access and the Asset Management \"Read Asset\" permission"
	}
	return e
}
