// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualys // import "github.com/seed-d80aa3af/qualysreceiver/internal/qualys"

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"time"
)

// PCRSVersions are the posture streaming API versions, newest first; the receiver uses the newest
// the gateway serves.
var PCRSVersions = []string{"5.0", "4.0", "3.0", "2.0", "1.0"}

// MaxPoliciesPerHostIDsCall is Resolve Host IDs' limit.
const MaxPoliciesPerHostIDsCall = 10

// PCRSPolicies requests the policy list.
func (c *Client) PCRSPolicies(ctx context.Context, version string) (*Response, error) {
	return c.Do(ctx, Request{API: APIGateway, Endpoint: "pcrs_policies", Method: "GET",
		Path: "/pcrs/" + version + "/posture/policy/list"})
}

// PCRSHostIDs resolves the host ids of up to 10 policies.
func (c *Client) PCRSHostIDs(ctx context.Context, version string, policyIDs []int64) (*Response, error) {
	return c.Do(ctx, Request{API: APIGateway, Endpoint: "pcrs_host_ids", Method: "GET",
		Path: "/pcrs/" + version + "/posture/hostids", Query: url.Values{"policyId": {joinInts(policyIDs)}}})
}

// PostureBatch is the body of a postureInfo call: the hosts of a policy.
type PostureBatch struct {
	PolicyID       string   `json:"policyId"`
	SubscriptionID string   `json:"subscriptionId,omitempty"`
	HostIDs        []string `json:"hostIds"`
}

// PostureQuery are postureInfo's options.
type PostureQuery struct {
	Evidence bool
	// StatusChangedSince asks only for postures whose status changed since (incremental pulls).
	StatusChangedSince time.Time
}

// PCRSPostures requests the postures of batches, as one JSON array, compressed (the default).
func (c *Client) PCRSPostures(ctx context.Context, version string, q PostureQuery, batches []PostureBatch) (*Response, error) {
	body, err := json.Marshal(batches)
	if err != nil {
		return nil, &Error{Endpoint: "pcrs_postures", Kind: KindRequest, Err: err}
	}
	v := url.Values{}
	v.Set("evidenceRequired", boolParam(q.Evidence))
	v.Set("compressionRequired", "1")
	if !q.StatusChangedSince.IsZero() {
		v.Set("statusChangedSince", qualysTime(q.StatusChangedSince))
	}
	return c.Do(ctx, Request{API: APIGateway, Endpoint: "pcrs_postures", Method: "POST",
		Path: "/pcrs/" + version + "/posture/postureInfo", Query: v, Body: body, ContentType: "application/json"})
}

// PosturePath is the classic posture API on the API server.
const PosturePath = "/api/2.0/fo/compliance/posture/info/"

// ClassicPostures requests a page of postures of one policy from the classic posture API, of the
// hosts from hostIDs.Min (id_min, the page its WARNING/URL names) up to hostIDs.Max when it is set.
// The API pages by id_min but documents no id_max: the end is a host_ids range.
func (c *Client) ClassicPostures(ctx context.Context, policyID int64, q PostureQuery, hostIDs IDRange, pageSize int) (*Response, error) {
	v := url.Values{}
	v.Set("action", "list")
	v.Set("policy_id", strconv.FormatInt(policyID, 10))
	v.Set("details", "All")
	v.Set("truncation_limit", strconv.Itoa(pageSize))
	IDRange{Min: hostIDs.Min}.apply(v)
	if hostIDs.bounded() {
		v.Set("host_ids", strconv.FormatInt(max(hostIDs.Min, 1), 10)+"-"+strconv.FormatInt(hostIDs.Max, 10))
	}
	if !q.Evidence {
		v.Set("hide_evidence", "1")
	}
	if !q.StatusChangedSince.IsZero() {
		v.Set("status_changes_since", qualysTime(q.StatusChangedSince))
	}
	return c.Do(ctx, formRequest(APIServer, "posture_info", PosturePath, v))
}

// CompliancePolicies requests the classic compliance policy list (ids and titles) from policy
// idMin on (0: from the first), the page a truncation WARNING/URL names.
func (c *Client) CompliancePolicies(ctx context.Context, idMin int64) (*Response, error) {
	v := url.Values{"action": {"list"}, "details": {"Basic"}}
	if idMin > 0 {
		v.Set("id_min", strconv.FormatInt(idMin, 10))
	}
	return c.Do(ctx, formRequest(APIServer, "compliance_policies", "/api/2.0/fo/compliance/policy/", v))
}

// AboutPath is the cheapest authenticated call on the API server, for start-up checks.
const AboutPath = "/msp/about.php"

// About calls /msp/about.php.
func (c *Client) About(ctx context.Context) (*Response, error) {
	return c.Do(ctx, Request{API: APIServer, Endpoint: "about", Method: "GET", Path: AboutPath})
}
