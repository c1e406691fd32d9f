// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHostListHosts(t *testing.T) {
	d := NewHostList(strings.NewReader(hostListDoc))
	var hosts []*Host
	for {
		k, err := d.Next()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		require.Equal(t, KindHost, k)
		hosts = append(hosts, d.Host())
	}
	require.Len(t, hosts, 2)
	h := hosts[0]
	assert.Equal(t, int64(201), h.ID)
	assert.Equal(t, int64(9201), h.AssetID)
	assert.Equal(t, "web-1.example.com", h.DNS)
	assert.Equal(t, "SN-001", h.SerialNumber)
	assert.Equal(t, "4C4C4544-0042", h.HardwareUUID)
	assert.Equal(t, date("2026-01-01T00:00:00Z"), h.LastBoot)
	assert.Equal(t, date("2024-05-01T00:00:00Z"), h.FirstFoundDate)
	assert.Equal(t, date("2026-01-14T00:00:00Z"), h.LastActivity)
	assert.Equal(t, "Inventory Scan Complete", h.AgentStatus)
	assert.Equal(t, "QAGENT", h.CloudAgentRunningOn)
	assert.Equal(t, []Tag{{1, "Linux"}, {2, "Web"}}, h.Tags)
	assert.Equal(t, date("2026-01-13T00:00:00Z"), h.LastVulnScanDatetime)
	assert.Equal(t, date("2026-01-11T00:00:00Z"), h.LastComplianceScanDatetime)
	assert.Equal(t, "Azure", h.CloudProvider)
	assert.Equal(t, 350, h.AssetRiskScore)
	assert.Equal(t, 360, h.TruRiskScore)
	assert.Equal(t, 3, h.AssetCriticalityScore)
	assert.Equal(t, "10.1.0.2", hosts[1].IP)

	require.NotNil(t, d.Warning())
	assert.Equal(t, 1980, d.Warning().Code)
	assert.Equal(t, "https://qualysapi.qualys.com/api/2.0/fo/asset/host/?action=list&id_min=203", d.Warning().URL)
}

func TestHostListIDSet(t *testing.T) {
	tests := []struct {
		name    string
		entries string
		want    []IDRange
		bad     int
	}{
		{"ids and ranges", `<ID>100</ID><ID>105-110</ID><ID_RANGE>200-300</ID_RANGE>`, []IDRange{{100, 100}, {105, 110}, {200, 300}}, 0},
		{"one id", `<ID>42</ID>`, []IDRange{{42, 42}}, 0},
		{"white space", `<ID> 5 - 9 </ID>`, []IDRange{{5, 9}}, 0},
		{"malformed entries are record errors", `<ID>9-3</ID><ID>x</ID><ID>-4</ID><ID>1-</ID><ID></ID><ID>8</ID>`, []IDRange{{8, 8}}, 5},
		{"unknown elements skipped", `<FOO>1</FOO><ID>3</ID>`, []IDRange{{3, 3}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := `<HOST_LIST_OUTPUT><RESPONSE><DATETIME>2026-01-15T12:00:00Z</DATETIME><ID_SET>` + tt.entries + `</ID_SET></RESPONSE></HOST_LIST_OUTPUT>`
			d := NewHostList(strings.NewReader(doc))
			var got []IDRange
			bad := 0
			for {
				k, err := d.Next()
				if err == io.EOF {
					break
				}
				if isRecordError(err) {
					bad++
					continue
				}
				require.NoError(t, err)
				require.Equal(t, KindIDRange, k)
				got = append(got, d.IDRange())
			}
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.bad, bad)
			assert.Nil(t, d.Warning())
		})
	}
}
