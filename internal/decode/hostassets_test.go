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

func readAssets(t *testing.T, doc string) ([]*HostAsset, *HostAssets, error) {
	t.Helper()
	d := NewHostAssets(strings.NewReader(doc))
	var out []*HostAsset
	for {
		a, err := d.Read()
		if err == io.EOF {
			return out, d, nil
		}
		if err != nil {
			return out, d, err
		}
		out = append(out, a)
	}
}

func TestHostAssets(t *testing.T) {
	assets, d, err := readAssets(t, hostAssetDoc)
	require.NoError(t, err)
	require.Len(t, assets, 2)
	a := assets[0]
	assert.Equal(t, int64(3001), a.ID)
	assert.Equal(t, "web-1", a.Name)
	assert.Equal(t, date("2026-01-14T00:00:00.123Z"), a.Modified, "milliseconds")
	assert.Equal(t, int64(201), a.QWebHostID)
	assert.Equal(t, []Tag{{11, "Prod"}}, a.Tags)
	require.Len(t, a.Interfaces, 2)
	assert.Equal(t, HostAssetInterface{Hostname: "web-1", InterfaceID: "1", InterfaceName: "eth0", MACAddress: "00:50:56:aa:bb:cc",
		Type: "LOCAL", Address: "10.1.0.1", GatewayAddress: "10.1.0.254"}, a.Interfaces[0])
	require.NotNil(t, a.Agent)
	assert.Equal(t, AgentInfo{AgentID: "a-1", AgentVersion: "6.1.0", Status: "STATUS_ACTIVE"}, *a.Agent)
	assert.Equal(t, 4, a.Criticality)
	assert.Nil(t, assets[1].Agent)
	assert.Equal(t, []HostAssetInterface{{Address: "10.1.0.2"}}, assets[1].Interfaces, "a list of one")

	assert.Equal(t, ServiceResponse{Code: "SUCCESS", Count: 2, HasMoreRecords: true, LastID: 3002}, d.Response(),
		"paging fields after data")
}

func TestHostAssetsPagingBeforeData(t *testing.T) {
	doc := `<ServiceResponse><responseCode>SUCCESS</responseCode><count>1</count><hasMoreRecords>false</hasMoreRecords>` +
		`<lastId>7</lastId><data><HostAsset><id>7</id><criticality>2</criticality></HostAsset></data></ServiceResponse>`
	assets, d, err := readAssets(t, doc)
	require.NoError(t, err)
	require.Len(t, assets, 1)
	assert.Equal(t, 2, assets[0].Criticality)
	assert.Equal(t, ServiceResponse{Code: "SUCCESS", Count: 1, LastID: 7}, d.Response())
}

func TestHostAssetsErrorResponse(t *testing.T) {
	tests := []struct {
		name, doc, code, msg string
	}{
		{"invalid credentials", hostAssetErrorDoc, "INVALID_CREDENTIALS", "Invalid credentials & such"},
		{"unauthorized", `<ServiceResponse><responseCode>UNAUTHORIZED</responseCode></ServiceResponse>`, "UNAUTHORIZED", ""},
		{"no responseCode", `<ServiceResponse><count>0</count></ServiceResponse>`, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assets, d, err := readAssets(t, tt.doc)
			assert.Empty(t, assets)
			var se *ServiceError
			require.ErrorAs(t, err, &se, "an error page never passes for an empty one")
			assert.Equal(t, tt.code, se.Code)
			assert.Equal(t, tt.msg, se.Message)
			assert.Equal(t, tt.code, d.Response().Code)
			_, again := d.Read()
			assert.Equal(t, err, again)
		})
	}
}

func TestHostAssetsRecordErrors(t *testing.T) {
	doc := `<ServiceResponse><responseCode>SUCCESS</responseCode><data>` +
		`<HostAsset><id>x</id></HostAsset><HostAsset><name>no id</name></HostAsset>` +
		`<HostAsset><id>5</id><created>yesterday</created></HostAsset><HostAsset><id>6</id></HostAsset>` +
		`</data></ServiceResponse>`
	d := NewHostAssets(strings.NewReader(doc))
	var ids []int64
	var errs []error
	var lost []string
	for {
		a, err := d.Read()
		if err == io.EOF {
			break
		}
		if isRecordError(err) {
			errs = append(errs, err)
			continue
		}
		require.NoError(t, err)
		ids = append(ids, a.ID)
		for _, fe := range d.UnreadableFields() {
			lost = append(lost, fe.Error())
		}
	}
	assert.Equal(t, []int64{5, 6}, ids, "a bad date costs that field only")
	assert.Equal(t, []string{`HostAsset/created "yesterday": malformed value`}, lost)
	require.Len(t, errs, 2)
	assert.ErrorIs(t, errs[0], ErrBadValue, "an unreadable id skips its asset")
	assert.Contains(t, errs[0].Error(), `HostAsset/id "x"`)
	assert.ErrorIs(t, errs[1], ErrMissingID)
}

// On cloud hosts QPS gives interfaceId as text (the AWS ENI id): the asset is read with it.
func TestHostAssetCloudInterfaceID(t *testing.T) {
	doc := `<ServiceResponse><responseCode>SUCCESS</responseCode><data><HostAsset><id>9</id><qwebHostId>77</qwebHostId>` +
		`<networkInterface><list><HostAssetInterface><interfaceId>eni-02eb1ae00744d1be3</interfaceId>` +
		`<interfaceName>eth0</interfaceName><address>172.31.0.5</address></HostAssetInterface></list></networkInterface>` +
		`</HostAsset></data></ServiceResponse>`
	assets, d, err := readAssets(t, doc)
	require.NoError(t, err)
	require.Len(t, assets, 1)
	assert.Empty(t, d.UnreadableFields())
	assert.Equal(t, []HostAssetInterface{{InterfaceID: "eni-02eb1ae00744d1be3", InterfaceName: "eth0", Address: "172.31.0.5"}}, assets[0].Interfaces)
}
