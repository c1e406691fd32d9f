// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseIDSet(t *testing.T) {
	set, err := ParseIDSet("9, 3-5,1,4-6,7")
	require.NoError(t, err)
	assert.Equal(t, "1,3-7,9", set.String())
	assert.True(t, set.Contains(6))
	assert.False(t, set.Contains(8))
	assert.Equal(t, uint64(7), set.span())
	for _, bad := range []string{"", "a", "5-3", "1,,2", "1-"} {
		_, err := ParseIDSet(bad)
		assert.Error(t, err, bad)
	}
}

func TestEmptyTenant(t *testing.T) {
	_, base := startServer(t, TenantConfig{Hosts: -1, QIDs: -1, Policies: -1, Tags: -1}, Options{})
	hosts, pages := fetchHLD(t, hldURL(base, "5.0", ""))
	assert.Empty(t, hosts)
	assert.Equal(t, 1, pages)
	doc := fetchKB(t, kbURL(base, ""))
	assert.Empty(t, doc.Response.Vulns)
	_, qps := qpsSearch(t, base, "", 0, testUser, testPass)
	assert.Zero(t, qps.Count)
	tok := authToken(t, base)
	resp, body := gatewayCall(t, http.MethodGet, base+"/pcrs/5.0/posture/policy/list", tok, "")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(body), `"policyList":[]`)
	resp, _ = gatewayCall(t, http.MethodPost, base+"/pcrs/5.0/posture/postureInfo", tok, `[]`)
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
}
