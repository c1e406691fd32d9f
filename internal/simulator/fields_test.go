// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The KnowledgeBase answer has the recorded tenant answer's shape where it lists references: the
// vendor references before the CVEs, CDATA ids and URLs, and Qualys' CVE links.
func TestKBMatchesRecordedSample(t *testing.T) {
	sample := readSample(t, "jupiterone-graph-qualys_recorded_knowledge_base_42_vulns.xml")
	_, base := startServer(t, TenantConfig{Seed: 31, QIDs: 80}, Options{})
	_, ours := apiGet(t, kbURL(base, "details=All"))
	assertSameOrder(t, "VULN", childSequences(t, sample, "VULN"), childSequences(t, ours, "VULN"), 10)
	assertSameOrder(t, "VENDOR_REFERENCE", childSequences(t, sample, "VENDOR_REFERENCE"), childSequences(t, ours, "VENDOR_REFERENCE"), 2)
	assertSameOrder(t, "CVE", childSequences(t, sample, "CVE"), childSequences(t, ours, "CVE"), 2)
	assert.Regexp(t, `<VENDOR_REFERENCE>\s*<ID><!\[CDATA\[[^]]+\]\]></ID>\s*<URL><!\[CDATA\[https://`, string(ours))
	assert.Regexp(t, `<URL><!\[CDATA\[http://cve\.mitre\.org/cgi-bin/cvename\.cgi\?name=CVE-\d+-\d+\]\]></URL>`, string(ours))
	assert.Contains(t, string(sample), "http://cve.mitre.org/cgi-bin/cvename.cgi?name=CVE-", "the link form the simulator copies")
}

// CVSS_V3 states its version; CVSS (version 2) does not.
func TestKBStatesCVSS3Version(t *testing.T) {
	_, base := startServer(t, TenantConfig{Seed: 31, QIDs: 20}, Options{})
	_, ours := apiGet(t, kbURL(base, "details=All"))
	v3 := childSequences(t, ours, "CVSS_V3")
	require.NotEmpty(t, v3)
	for _, children := range v3 {
		assert.Equal(t, []string{"BASE", "TEMPORAL", "VECTOR_STRING", "CVSS3_VERSION"}, children)
	}
	for _, children := range childSequences(t, ours, "CVSS") {
		assert.NotContains(t, children, "CVSS3_VERSION")
	}
	assert.Contains(t, string(ours), "<CVSS3_VERSION>3.1</CVSS3_VERSION>")
}

// The host asset carries sourceInfo where the recorded answers have it (after tags), an Azure
// source with the recorded one's children in their order, and an empty AssetSource for a host
// outside any cloud.
func TestHostAssetSourceInfoMatchesRealSamples(t *testing.T) {
	azure := readSample(t, "jupiterone-graph-qualys_azure-host-assets.xml")
	plain := readSample(t, "jupiterone-graph-qualys_list-host-assets.xml")
	_, base := startServer(t, TenantConfig{Seed: 5, Hosts: 120}, Options{})
	body := "<ServiceRequest><preferences><limitResults>1000</limitResults></preferences></ServiceRequest>"
	req, err := http.NewRequest(http.MethodPost, base+"/qps/rest/2.0/search/am/hostasset", strings.NewReader(body))
	require.NoError(t, err)
	req.SetBasicAuth(testUser, testPass)
	req.Header.Set("Content-Type", "text/xml")
	_, ours := send(t, req)

	// The two recorded answers order some other children differently; both put sourceInfo here.
	around := func(doc []byte) [][]string {
		var out [][]string
		for _, children := range childSequences(t, doc, "HostAsset") {
			out = append(out, slices.DeleteFunc(children, func(n string) bool {
				return n != "tags" && n != "sourceInfo" && n != "qwebHostId"
			}))
		}
		return out
	}
	for _, sample := range [][]byte{azure, plain} {
		assertSameOrder(t, "HostAsset", around(sample), around(ours), 3)
	}
	assertSameOrder(t, "AzureAssetSourceSimple", childSequences(t, azure, "AzureAssetSourceSimple"),
		childSequences(t, ours, "AzureAssetSourceSimple"), 10)
	for _, source := range []string{"Ec2AssetSourceSimple", "AzureAssetSourceSimple", "GcpAssetSourceSimple", "AssetSource />"} {
		assert.Contains(t, string(ours), "<"+source, "a tenant of 120 hosts has every kind of source")
	}
	ec2 := childSequences(t, ours, "Ec2AssetSourceSimple")
	require.NotEmpty(t, ec2)
	for _, name := range []string{"instanceId", "instanceType", "imageId", "accountId", "region", "availabilityZone"} {
		assert.Contains(t, ec2[0], name)
	}
	assert.Contains(t, string(ours), "<type>EC_2</type>", "the EC2 source type as QPS writes it")
}
