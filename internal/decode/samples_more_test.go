// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// More real answers from ../../../shared/qualys-samples (see its README.md), read in place: the
// JupiterOne fixtures and recordings from live tenants, and demisto's EC2 host list.

// The JupiterOne fixture breaks long start tags before their '>' ("<RESULTS\n   >").
func TestSampleJupiterOneDetections(t *testing.T) {
	doc := readSample(t, "jupiterone-graph-qualys_detections.xml")
	res, err := decodeHLD(iotest.HalfReader(bytes.NewReader(doc)), nil)
	require.NoError(t, err)
	assert.Empty(t, res.recErrs)
	assert.Empty(t, res.lost)
	require.Len(t, res.hosts, 1)
	h := res.hosts[0]
	assert.Equal(t, int64(6506432), h.ID)
	assert.Equal(t, "10.10.10.11", h.IP)
	assert.Equal(t, "IP", h.TrackingMethod)
	assert.Equal(t, "Windows 2008 R2 Enterprise Service Pack1", h.OS)
	assert.Equal(t, "2k8r2-u-10-11", h.DNS)
	assert.Equal(t, "2K8R2-U-10-11", h.NetBIOS)
	assert.Equal(t, date("2018-04-13T03:49:05Z"), h.LastScanDatetime)
	assert.Equal(t, date("2020-09-27T01:29:21Z"), res.d.Datetime())
	assert.Nil(t, res.d.Warning())

	require.Len(t, res.dets, 3)
	assert.Equal(t, []int64{38170, 38173, 38601}, []int64{res.dets[0].QID, res.dets[1].QID, res.dets[2].QID})
	d := res.dets[0]
	assert.Equal(t, "Confirmed", d.Type)
	assert.Equal(t, 2, d.Severity)
	assert.Equal(t, 3389, d.Port)
	assert.Equal(t, "tcp", d.Protocol)
	assert.True(t, d.SSL)
	assert.Equal(t, "Active", d.Status)
	assert.Equal(t, "Certificate #0 CN=2k8r2-u-10-11(2k8r2-u-10-11) doesn&apos;tresolve", d.Results, "CDATA is literal")
	assert.Equal(t, date("2018-01-26T04:45:50Z"), d.FirstFound)
	assert.Equal(t, date("2018-04-13T03:48:50Z"), d.LastFound)
	assert.Equal(t, date("2018-04-13T03:49:05Z"), d.LastProcessed)
	assert.Equal(t, 111, d.TimesFound)
	assert.Equal(t, "Certificate #0 CN=2k8r2-u-10-11\nunable to get local\nissuer certificate", res.dets[1].Results)
	assert.True(t, strings.HasSuffix(res.dets[2].Results, "\nRC4-MD5 RSA RSA MD5 RC4(128) MEDIUM"))
}

func TestSampleRecordedDetectionsEmpty(t *testing.T) {
	doc := readSample(t, "jupiterone-graph-qualys_recorded_detections_empty.xml")
	res, err := decodeHLD(bytes.NewReader(doc), nil)
	require.NoError(t, err)
	assert.Empty(t, res.hosts)
	assert.Empty(t, res.recErrs)
	assert.Nil(t, res.d.Warning(), "no HOST_LIST and no WARNING: the last (only) page")
	assert.Equal(t, date("2020-09-27T01:29:21Z"), res.d.Datetime())
}

func TestSampleRecordedHostListIDSet(t *testing.T) {
	doc := readSample(t, "jupiterone-graph-qualys_recorded_host_list_id_set.xml")
	d := NewHostList(bytes.NewReader(doc))
	k, err := d.Next()
	require.NoError(t, err)
	assert.Equal(t, KindIDRange, k)
	assert.Equal(t, IDRange{Min: 107800671, Max: 107800671}, d.IDRange())
	_, err = d.Next()
	assert.Equal(t, io.EOF, err)
	assert.Equal(t, date("2020-09-28T01:41:27Z"), d.Datetime())
}

func TestSampleHostListEC2(t *testing.T) {
	doc := readSample(t, "demisto-content_host_list_ec2_raw.xml")
	d := NewHostList(bytes.NewReader(doc))
	k, err := d.Next()
	require.NoError(t, err)
	require.Equal(t, KindHost, k)
	assert.Empty(t, d.UnreadableFields())
	h := d.Host()
	assert.Equal(t, int64(69291564), h.ID)
	assert.Equal(t, "172.31.11.229", h.IP)
	assert.Equal(t, "EC2", h.TrackingMethod)
	assert.Equal(t, "i-055ef1b4734491575", h.DNS)
	assert.Equal(t, DNSData{Hostname: "i-055ef1b4734491575"}, h.DNSData, "empty DOMAIN and FQDN")
	assert.Equal(t, "AWS", h.CloudProvider)
	assert.Equal(t, "EC2", h.CloudService)
	assert.Equal(t, "i-055ef1b4734491575", h.CloudResourceID)
	assert.Equal(t, "i-055ef1b4734491575", h.EC2InstanceID)
	assert.Equal(t, "AMAZON-544DB96A", h.NetBIOS)
	assert.Equal(t, "Windows 2003 R2 Service Pack 2", h.OS)
	assert.Equal(t, "8725d236-7f5b-41e1-b795-fa67e3adc108", h.QGHostID)
	_, err = d.Next()
	assert.Equal(t, io.EOF, err)
	assert.Nil(t, d.Warning())
	assert.Equal(t, date("2022-05-11T15:09:22Z"), d.Datetime())
}

func readAllAssets(t *testing.T, doc []byte) ([]*HostAsset, *HostAssets, error) {
	d := NewHostAssets(iotest.HalfReader(bytes.NewReader(doc)))
	var assets []*HostAsset
	for {
		a, err := d.Read()
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return assets, d, err
		}
		assert.Empty(t, d.UnreadableFields())
		assets = append(assets, a)
	}
}

func TestSampleJupiterOneHostAssets(t *testing.T) {
	assets, d, err := readAllAssets(t, readSample(t, "jupiterone-graph-qualys_list-host-assets.xml"))
	require.NoError(t, err)
	assert.Equal(t, ServiceResponse{Code: "SUCCESS", Count: 6, LastID: 5693290}, d.Response())
	require.Len(t, assets, 2)
	a := assets[0]
	assert.Equal(t, int64(3043442), a.ID)
	assert.Equal(t, "102115-M83", a.Name)
	assert.Equal(t, date("2016-11-04T11:43:40Z"), a.Created)
	assert.Equal(t, date("2016-11-08T22:35:53Z"), a.Modified)
	assert.Equal(t, "HOST", a.Type)
	assert.Equal(t, []Tag{{ID: 8832525, Name: "Cloud Agent"}}, a.Tags)
	assert.Equal(t, int64(12688456922), a.QWebHostID)
	assert.Equal(t, "102115-M83", a.DNSHostName)
	assert.Equal(t, "Linux", a.OS)
	assert.Equal(t, "something.com", a.FQDN)
	assert.Equal(t, date("2018-06-15T11:48:58Z"), a.LastVulnScan)
	assert.Equal(t, "102115-M83", a.NetbiosName)
	assert.Equal(t, "10.100.11.163", a.Address)
	assert.Equal(t, "QAGENT", a.TrackingMethod)
	require.NotNil(t, a.Agent)
	assert.Equal(t, "1.4.5.168", a.Agent.AgentVersion)
	assert.Equal(t, "2e689bb2-53ab-4a58-be0a-\n a7576964f310", a.Agent.AgentID, "the line break inside the text is the sample's")
	assert.Equal(t, "STATUS_INACTIVE", a.Agent.Status)
	assert.Empty(t, a.Interfaces)
	assert.Empty(t, assets[1].Tags, "an empty list")
}

func TestSampleJupiterOneAzureHostAssets(t *testing.T) {
	assets, d, err := readAllAssets(t, readSample(t, "jupiterone-graph-qualys_azure-host-assets.xml"))
	require.NoError(t, err)
	assert.Equal(t, ServiceResponse{Code: "SUCCESS", Count: 2, LastID: 5693290}, d.Response())
	require.Len(t, assets, 2)
	a := assets[0]
	assert.Equal(t, int64(2584223), a.ID)
	assert.Equal(t, "user_john", a.Name)
	assert.Equal(t, []Tag{{ID: 7517812, Name: "Sample Tag"}}, a.Tags, "sourceInfo's names and ids are not the asset's")
	assert.Equal(t, int64(41049), a.QWebHostID)
	assert.Equal(t, "sample_resource_fqdn", a.FQDN)
	assert.Equal(t, "sample_resource_dns", a.DNSHostName)
	assert.Equal(t, "172.16.1.4", a.Address)
	assert.Equal(t, "VIRTUAL_MACHINE_ID", a.TrackingMethod)
	assert.Equal(t, []HostAssetInterface{{Type: "PRIVATE", Address: "172.16.1.4"}}, a.Interfaces)
	assert.Equal(t, int64(15127499), assets[1].ID)
	assert.Equal(t, int64(3906594), assets[1].QWebHostID)
	assert.Equal(t, []HostAssetInterface{{Hostname: "TestNullPointer-MN", Type: "PRIVATE", Address: "172.16.7.5"}}, assets[1].Interfaces)
}

func TestSampleRecordedHostAssetInvalidRequest(t *testing.T) {
	assets, d, err := readAllAssets(t, readSample(t, "jupiterone-graph-qualys_recorded_hostasset_invalid_request.xml"))
	assert.Empty(t, assets)
	var se *ServiceError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "INVALID_REQUEST", se.Code)
	assert.Equal(t, "Criteria: Invalid value format for criteria 'qwebHostId' (abc123).", se.Message)
	assert.Equal(t, "INVALID_REQUEST", d.Response().Code)
}

func TestSampleRecorded400Code1905(t *testing.T) {
	sr, err := DecodeSimpleReturn(bytes.NewReader(readSample(t, "jupiterone-graph-qualys_recorded_detections_400_code_1905.xml")))
	require.NoError(t, err)
	assert.Equal(t, 1905, sr.Code)
	assert.Equal(t, "parameter ids has invalid value: abc123 (neither a positive integer nor a range: abc123)", sr.Text)
	assert.Equal(t, date("2020-09-27T01:23:36Z"), sr.Datetime)
	assert.Empty(t, sr.Items)
}

// 42 VULNs with their full text, recorded from a live tenant.
func TestSampleRecordedKnowledgeBase(t *testing.T) {
	doc := readSample(t, "jupiterone-graph-qualys_recorded_knowledge_base_42_vulns.xml")
	d := NewKnowledgeBase(iotest.HalfReader(bytes.NewReader(doc)))
	d.MaxTextBytes = 1 << 20
	var vulns []*Vuln
	for {
		v, err := d.Read()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		assert.Empty(t, d.UnreadableFields(), "QID %d", v.QID)
		vulns = append(vulns, v)
	}
	require.Len(t, vulns, 42)
	assert.Equal(t, date("2022-10-28T16:56:27Z"), d.Datetime())
	v := vulns[0]
	assert.Equal(t, int64(6), v.QID)
	assert.Equal(t, "Information Gathered", v.VulnType)
	assert.Equal(t, 1, v.SeverityLevel)
	assert.Equal(t, "DNS Host Name", v.Title)
	assert.Equal(t, "Information gathering", v.Category)
	assert.Equal(t, date("2018-01-04T17:39:37Z"), v.LastServiceModification)
	assert.Equal(t, date("1999-01-01T08:00:00Z"), v.Published)
	assert.False(t, v.Patchable)
	assert.True(t, v.DiscoveryRemote)
	assert.Equal(t, "The fully qualified domain name of this host, if it was obtained from a DNS server, is displayed in the RESULT section.", v.Diagnosis)
	assert.Equal(t, int64(45017), vulns[1].QID)
	assert.Equal(t, "Operating System Detected", vulns[1].Title)
	assert.True(t, strings.HasPrefix(vulns[1].Diagnosis, "Several different techniques can be used"))
	assert.Contains(t, vulns[1].Diagnosis, "\n<P>\n1) <B>TCP/IP Fingerprint</B>", "CDATA is literal, line breaks included")
	v = vulns[3]
	assert.Equal(t, int64(150001), v.QID)
	assert.Equal(t, 5, v.SeverityLevel)
	assert.Equal(t, "Web Application", v.Category)
	assert.Equal(t, []ThreatIntel{{8, "No_Patch"}, {13, "Privilege_Escalation"}}, v.ThreatIntel)
	assert.True(t, strings.HasPrefix(v.Consequence, "XSS exploits pose a significant threat"))
	assert.True(t, strings.HasSuffix(v.Solution, "rendered as text instead of an HTML element or JavaScript."))
	var cves []CVE
	for _, v := range vulns {
		cves = append(cves, v.CVEs...)
	}
	require.NotEmpty(t, cves)
	assert.Equal(t, CVE{ID: "CVE-2019-11041", URL: "http://cve.mitre.org/cgi-bin/cvename.cgi?name=CVE-2019-11041"}, cves[0])
	withCVE, withCVSS := 0, 0
	for _, v := range vulns {
		assert.Positive(t, v.QID)
		assert.NotEmpty(t, v.Title, "QID %d", v.QID)
		assert.NotZero(t, v.SeverityLevel, "QID %d", v.QID)
		if len(v.CVEs) > 0 {
			withCVE++
		}
		if v.CVSS.Base > 0 || v.CVSSV3.Base > 0 {
			withCVSS++
		}
	}
	t.Logf("%d of 42 with CVEs, %d with a CVSS base score", withCVE, withCVSS)
}
