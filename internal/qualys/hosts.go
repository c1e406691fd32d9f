// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualys // import "github.com/seed-d80aa3af/qualysreceiver/internal/qualys"

import (
	"context"
	"net/url"
	"strconv"
	"time"
)

// HostListPath is the VM Host List API.
const HostListPath = "/api/2.0/fo/asset/host/"

// hostIDsPageSize is how many ids a details=None page holds: ids are cheap, a page of 100,000 is a
// few hundred kilobytes.
const hostIDsPageSize = 100000

// HostQuery selects hosts for Host List calls.
type HostQuery struct {
	Tags TagFilter
	// ProcessedAfter asks only for hosts whose scans were processed after it.
	ProcessedAfter time.Time
	// PageSize is truncation_limit for details=All pages.
	PageSize int
}

func (q HostQuery) values(r IDRange) url.Values {
	v := url.Values{}
	v.Set("action", "list")
	r.apply(v)
	q.Tags.apply(v)
	if !q.ProcessedAfter.IsZero() {
		v.Set("vm_processed_after", qualysTime(q.ProcessedAfter))
	}
	return v
}

// HostIDs requests a page of the ids of the hosts q selects, from id r.Min (details=None); the
// receiver cuts them into ranges to pull in parallel.
func (c *Client) HostIDs(ctx context.Context, q HostQuery, r IDRange) (*Response, error) {
	v := q.values(r)
	v.Set("details", "None")
	v.Set("truncation_limit", strconv.Itoa(hostIDsPageSize))
	return c.Do(ctx, formRequest(APIServer, "host_ids", HostListPath, v))
}

// Hosts requests a page of full host records (details=All) with asset ids, tags, TruRisk and asset
// criticality.
func (c *Client) Hosts(ctx context.Context, q HostQuery, r IDRange) (*Response, error) {
	v := q.values(r)
	v.Set("details", "All")
	v.Set("truncation_limit", strconv.Itoa(q.PageSize))
	v.Set("show_asset_id", "1")
	v.Set("show_tags", "1")
	v.Set("show_trurisk", "1")
	v.Set("show_ars", "1")
	return c.Do(ctx, formRequest(APIServer, "host_list", HostListPath, v))
}
