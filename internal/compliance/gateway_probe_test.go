// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package compliance

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-d80aa3af/qualysreceiver/internal/pull"
)

// The gateway's probe before a skip names a host of the policy from Resolve Host IDs: without that
// answer it cannot, which is an error, not "no other host"; only a policy whose list holds just the
// host to skip (or hosts already skipped) has none.
func TestGatewayProbeHost(t *testing.T) {
	none := func(int64) bool { return false }
	g := &gatewaySource{}
	_, _, err := g.ProbeHost(pull.IDRange{Policy: 5}, 20, none)
	require.Error(t, err, "no Resolve Host IDs answer")
	assert.Contains(t, err.Error(), "policy 5")

	g.resolved = map[int64]policyHosts{5: {policy: 5, hosts: []int64{10, 20, 30}}, 6: {policy: 6, hosts: []int64{20}}}
	id, ok, err := g.ProbeHost(pull.IDRange{Policy: 5}, 20, none)
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, int64(10), id)
	id, ok, err = g.ProbeHost(pull.IDRange{Policy: 5}, 20, func(id int64) bool { return id == 10 })
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, int64(30), id)
	_, ok, err = g.ProbeHost(pull.IDRange{Policy: 6}, 20, none)
	require.NoError(t, err)
	assert.False(t, ok, "the policy holds only the host")
}
