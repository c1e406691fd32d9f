// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualys // import "github.com/seed-d80aa3af/qualysreceiver/internal/qualys"

import (
	"context"
	"net/url"
	"strconv"
	"time"
)

// HostDetectionsPath is Host List Detection, API version 5.0 (the newest; 2.0 and 3.0 answer the
// same request with fewer elements).
const HostDetectionsPath = "/api/5.0/fo/asset/host/vm/detection/"

// DetectionQuery is a Host List Detection request: filters and output options.
type DetectionQuery struct {
	Status          []string
	IncludeVulnType []string // confirmed, potential; both means no filter
	ArfKernelFilter *int
	Severities      []int
	QIDs            []int64
	Tags            TagFilter
	ShowResults     bool
	// ProcessedAfter asks only for hosts whose scans were processed after it (incremental pulls).
	ProcessedAfter time.Time
	// PageSize is truncation_limit: hosts per page.
	PageSize int
}

// Values encodes the query for the page of hosts in r.
func (q DetectionQuery) Values(r IDRange) url.Values {
	v := url.Values{}
	v.Set("action", "list")
	v.Set("output_format", "XML")
	v.Set("truncation_limit", strconv.Itoa(q.PageSize))
	r.apply(v)
	if len(q.Status) > 0 {
		v.Set("status", joinStrings(q.Status))
	}
	if len(q.IncludeVulnType) == 1 {
		v.Set("include_vuln_type", q.IncludeVulnType[0])
	}
	if q.ArfKernelFilter != nil {
		v.Set("arf_kernel_filter", strconv.Itoa(*q.ArfKernelFilter))
	}
	if len(q.Severities) > 0 {
		v.Set("severities", joinInts(q.Severities))
	}
	if len(q.QIDs) > 0 {
		v.Set("qids", joinInts(q.QIDs))
	}
	q.Tags.apply(v)
	if !q.ProcessedAfter.IsZero() {
		v.Set("vm_processed_after", qualysTime(q.ProcessedAfter))
	}
	v.Set("show_results", boolParam(q.ShowResults))
	// What users need and other connectors drop: QDS, reopen history, tags, asset ids.
	v.Set("show_qds", "1")
	v.Set("show_qds_factors", "1")
	v.Set("show_reopened_info", "1")
	v.Set("show_tags", "1")
	v.Set("show_asset_id", "1")
	return v
}

// HostDetections requests one page of Host List Detection for the hosts in r.
func (c *Client) HostDetections(ctx context.Context, q DetectionQuery, r IDRange) (*Response, error) {
	return c.Do(ctx, formRequest(APIServer, "host_detections", HostDetectionsPath, q.Values(r)))
}
