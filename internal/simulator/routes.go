// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// route is one endpoint. Paths are matched with or without the trailing slash Qualys documents.
type route struct {
	endpoint string
	path     string // after the version, or the whole path for unversioned routes
	gateway  bool
	fo       bool // a VM/PC API (/api/x.0/fo/...): X-Requested-With required
	perm     Permission
	handle   func(*Server, http.ResponseWriter, *http.Request, *reqCtx)
	version  string // filled in by matchRoute
}

var routes = []route{
	{endpoint: EndpointHLD, path: "fo/asset/host/vm/detection", fo: true, perm: PermVM, handle: (*Server).handleHLD},
	{endpoint: EndpointHostList, path: "fo/asset/host", fo: true, perm: PermVM, handle: (*Server).handleHostList},
	{endpoint: EndpointKB, path: "fo/knowledge_base/vuln", fo: true, perm: PermKB, handle: (*Server).handleKB},
	{endpoint: EndpointPosture, path: "fo/compliance/posture/info", fo: true, perm: PermPC, handle: (*Server).handlePostureClassic},
	{endpoint: EndpointPolicyList, path: "fo/compliance/policy", fo: true, perm: PermPC, handle: (*Server).handlePolicyList},
	{endpoint: EndpointHostAsset, path: "/qps/rest/2.0/search/am/hostasset", perm: PermAM, handle: (*Server).handleHostAsset},
	{endpoint: EndpointAbout, path: "/msp/about.php", handle: (*Server).handleAbout},
	{endpoint: EndpointAuth, path: "/auth", gateway: true},
	{endpoint: EndpointPCRSPolicies, path: "posture/policy/list", gateway: true, perm: PermPC, handle: (*Server).handlePCRSPolicies},
	{endpoint: EndpointPCRSHostIDs, path: "posture/hostids", gateway: true, perm: PermPC, handle: (*Server).handlePCRSHostIDs},
	{endpoint: EndpointPCRSPostureInfo, path: "posture/postureInfo", gateway: true, perm: PermPC, handle: (*Server).handlePCRSPostureInfo},
}

var allEndpoints = func() []string {
	var out []string
	for _, rt := range routes {
		out = append(out, rt.endpoint)
	}
	return out
}()

// apiVersions are the VM/PC API versions served; Qualys serves the same data under each.
var apiVersions = []string{"2.0", "3.0", "4.0", "5.0"}

func matchRoute(path string, pcrsMax int) (route, bool) {
	p := strings.TrimSuffix(path, "/")
	var prefix string
	switch {
	case strings.HasPrefix(p, "/api/"):
		prefix = "/api/"
	case strings.HasPrefix(p, "/pcrs/"):
		prefix = "/pcrs/"
	default:
		for _, rt := range routes {
			if rt.path == p {
				return rt, true
			}
		}
		return route{}, false
	}
	ver, rest, _ := strings.Cut(strings.TrimPrefix(p, prefix), "/")
	if prefix == "/api/" && !slices.Contains(apiVersions, ver) || prefix == "/pcrs/" && !pcrsVersionOK(ver, pcrsMax) {
		return route{}, false
	}
	for _, rt := range routes {
		if rt.path == rest && rt.gateway == (prefix == "/pcrs/") {
			rt.version = ver
			return rt, true
		}
	}
	return route{}, false
}

// pcrsVersionOK accepts "1.0" ... "<max>.0": a client finds the newest version by trying.
func pcrsVersionOK(ver string, maxVersion int) bool {
	major, ok := strings.CutSuffix(ver, ".0")
	n, err := strconv.Atoi(major)
	return ok && err == nil && n >= 1 && n <= maxVersion && strconv.Itoa(n) == major
}

// versionAtLeast compares "5.0"-style versions by their major number.
func versionAtLeast(ver string, major int) bool {
	m, _, _ := strings.Cut(ver, ".")
	n, _ := strconv.Atoi(m)
	return n >= major
}
