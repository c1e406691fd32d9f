// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The host asset's cloud source, from a real Azure answer: region, subscription, VM id and size.
func TestSampleHostAssetsAzureSource(t *testing.T) {
	assets, _, err := readAssets(t, string(readSample(t, "jupiterone-graph-qualys_azure-host-assets.xml")))
	require.NoError(t, err)
	require.Len(t, assets, 2)
	assert.Equal(t, []CloudSource{{
		Provider: "azure", Type: "AZURE", InstanceID: "399af5dc-c32a-4c40-95a5-c6ed0e786430", InstanceType: "Standard_B1s",
		AccountID: "XXXXXXXX-XXXX-XXXX-XXXXXXXXXXXXXXXX", Region: "centralindia", State: "SUCCEEDED",
		Tags: []CloudTag{{Key: "Owner", Value: "John"}},
	}}, assets[0].CloudSources, "the other children are skipped")
	assert.Equal(t, "user_john", assets[0].Name)
	assert.Equal(t, []CloudSource{{
		Provider: "azure", Type: "AZURE", InstanceID: "0cfb7bd7-0baa-46c5-b0ca-a7440b10bee6", InstanceType: "Standard_B1ms",
		AccountID: "XXXXXXXX-XXXX-XXXX-XXXXXXXXXXXXXXXX", Region: "westus2", State: "DEALLOCATED",
	}}, assets[1].CloudSources)
}

// A non-cloud asset lists an empty AssetSource, which is no cloud source; its agent's id and
// version are read.
func TestSampleHostAssetsNoCloudSource(t *testing.T) {
	assets, _, err := readAssets(t, string(readSample(t, "jupiterone-graph-qualys_list-host-assets.xml")))
	require.NoError(t, err)
	require.NotEmpty(t, assets)
	assert.Empty(t, assets[0].CloudSources)
	assert.Equal(t, "102115-M83", assets[0].Name)
	require.NotNil(t, assets[0].Agent)
	assert.Equal(t, "1.4.5.168", assets[0].Agent.AgentVersion)
}

// EC2 and GCP sources name the same facts differently (element names as the hostasset.xsd has
// them); a host asset may list several.
func TestHostAssetsEC2AndGCPSources(t *testing.T) {
	doc := `<ServiceResponse><responseCode>SUCCESS</responseCode><data><HostAsset><id>1</id><sourceInfo><list>` +
		`<AssetSource/>` +
		`<Ec2AssetSourceSimple><assetId>1</assetId><type>EC_2</type><reservationId>r-1</reservationId>` +
		`<availabilityZone>us-east-1b</availabilityZone><instanceId>i-0abc</instanceId><instanceType>t3.micro</instanceType>` +
		`<instanceState>RUNNING</instanceState><accountId>123456789012</accountId><region>us-east-1</region>` +
		`<zone>ignored-after-availabilityZone</zone><imageId>ami-0123</imageId>` +
		`<ec2InstanceTags><tags><list><EC2Tags><key>k</key><value>v</value></EC2Tags></list></tags></ec2InstanceTags>` +
		`</Ec2AssetSourceSimple>` +
		`<GcpAssetSourceSimple><type>GCP</type><instanceId>4711</instanceId><machineType>e2-medium</machineType>` +
		`<imageId>debian-12</imageId><projectId>my-project</projectId><projectIdNo>99</projectIdNo>` +
		`<zone>europe-west1-b</zone><state>RUNNING</state></GcpAssetSourceSimple>` +
		`</list></sourceInfo></HostAsset></data></ServiceResponse>`
	assets, _, err := readAssets(t, doc)
	require.NoError(t, err)
	require.Len(t, assets, 1)
	assert.Equal(t, []CloudSource{
		{Provider: "aws", Type: "EC_2", InstanceID: "i-0abc", InstanceType: "t3.micro", ImageID: "ami-0123",
			AccountID: "123456789012", Region: "us-east-1", Zone: "us-east-1b", State: "RUNNING",
			Tags: []CloudTag{{Key: "k", Value: "v"}}},
		{Provider: "gcp", Type: "GCP", InstanceID: "4711", InstanceType: "e2-medium", ImageID: "debian-12",
			AccountID: "my-project", Zone: "europe-west1-b", State: "RUNNING"},
	}, assets[0].CloudSources)
}

// The real KnowledgeBase answer lists vendor references next to the CVEs, with their URLs.
func TestSampleKnowledgeBaseReferences(t *testing.T) {
	vulns := readVulns(t, string(readSample(t, "jupiterone-graph-qualys_recorded_knowledge_base_42_vulns.xml")), 1<<16)
	require.Len(t, vulns, 42)
	byQID := map[int64]*Vuln{}
	for _, v := range vulns {
		byQID[v.QID] = v
	}
	var withRefs *Vuln
	for _, v := range vulns {
		if len(v.VendorReferences) > 0 && len(v.CVEs) > 1 {
			withRefs = v
			break
		}
	}
	require.NotNil(t, withRefs, "the sample has a VULN with vendor references and CVEs")
	assert.Equal(t, []Reference{{ID: "PHP Bug #78256", URL: "https://bugs.php.net/bug.php?id=78256"}}, withRefs.VendorReferences)
	assert.Equal(t, CVE{ID: "CVE-2019-11041", URL: "http://cve.mitre.org/cgi-bin/cvename.cgi?name=CVE-2019-11041"}, withRefs.CVEs[0])

	assert.Equal(t, "Not  applicable.", byQID[45017].Consequence, "text kept as Qualys writes it")
	assert.Equal(t, []Software{{Vendor: "multi-vendor", Product: "None"}}, byQID[45017].Software)
	assert.False(t, byQID[45017].PCIFlag)
	pci := 0
	for _, v := range vulns {
		if v.PCIFlag {
			pci++
		}
	}
	assert.Positive(t, pci, "the sample has PCI_FLAG 1")
	assert.Equal(t, []ThreatIntel{{5, "Easy_Exploit"}, {7, "Denial_of_Service"}, {8, "No_Patch"}}, threatsOf(vulns, 5))
}

// threatsOf returns the threat intelligence of the first VULN whose first THREAT_INTEL has id.
func threatsOf(vulns []*Vuln, id int64) []ThreatIntel {
	for _, v := range vulns {
		if len(v.ThreatIntel) > 0 && v.ThreatIntel[0].ID == id {
			return v.ThreatIntel
		}
	}
	return nil
}

// CVSS3_VERSION says which CVSS 3 version the score is in.
func TestKnowledgeBaseCVSS3Version(t *testing.T) {
	doc := `<KNOWLEDGE_BASE_VULN_LIST_OUTPUT><RESPONSE><VULN_LIST><VULN><QID>1</QID>` +
		`<CVSS_V3><BASE>9.8</BASE><TEMPORAL>8.8</TEMPORAL><VECTOR_STRING>CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H</VECTOR_STRING>` +
		`<ATTACK><VECTOR>1</VECTOR></ATTACK><CVSS3_VERSION>3.1</CVSS3_VERSION></CVSS_V3>` +
		`</VULN></VULN_LIST></RESPONSE></KNOWLEDGE_BASE_VULN_LIST_OUTPUT>`
	vulns := readVulns(t, doc, 0)
	require.Len(t, vulns, 1)
	assert.Equal(t, CVSS{Base: 9.8, Temporal: 8.8, VectorString: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", Version: "3.1"}, vulns[0].CVSSV3)
}
