// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The real samples in ../../../shared/qualys-samples (see its README.md), read in place.

func TestSampleHostListDetections(t *testing.T) {
	doc := readSample(t, "demisto-content_host_list_detections_raw.xml")
	for name, r := range map[string]io.Reader{
		"whole":    bytes.NewReader(doc),
		"one byte": iotest.OneByteReader(bytes.NewReader(doc)),
		"half":     iotest.HalfReader(bytes.NewReader(doc)),
	} {
		t.Run(name, func(t *testing.T) {
			res, err := decodeHLD(r, nil)
			require.NoError(t, err)
			assert.Empty(t, res.recErrs)
			require.Len(t, res.hosts, 2)
			require.Len(t, res.dets, 8)
			assert.Equal(t, []int64{143111841, 10112200}, res.ends)
			assert.Nil(t, res.d.Warning(), "the sample is a last page")
			assert.Equal(t, date("2023-05-24T09:59:43Z"), res.d.Datetime())

			h := res.hosts[0]
			assert.Equal(t, int64(143111841), h.ID)
			assert.Equal(t, "1.1.1.1", h.IP)
			assert.Equal(t, "DNS", h.TrackingMethod)
			assert.Equal(t, "Linux 3.13", h.OS)
			assert.Equal(t, "one.one.one.one", h.DNS)
			assert.Equal(t, DNSData{Hostname: "one", Domain: "one.one.one", FQDN: "one.one.one.one"}, h.DNSData)
			assert.Equal(t, date("2022-12-06T12:03:46Z"), h.LastPCScannedDate)
			assert.Equal(t, "ec2-11-111-111-111.compute-1.amazonaws.com", res.hosts[1].DNS)
			assert.Empty(t, res.hosts[1].OS, "optional element absent")

			d := res.dets[0]
			assert.Equal(t, int64(11827), d.QID)
			assert.Equal(t, "Confirmed", d.Type)
			assert.Equal(t, 2, d.Severity)
			assert.Equal(t, 443, d.Port)
			assert.Equal(t, "tcp", d.Protocol)
			assert.False(t, d.SSL)
			assert.Equal(t, "Active", d.Status)
			assert.Equal(t, 216, d.TimesFound)
			assert.Equal(t, date("2022-12-07T10:06:40Z"), d.LastFixed)
			assert.True(t, strings.HasPrefix(d.Results, "X-Content-Type-Options HTTP Header missing on port 443.\n\nGET / HTTP/1.0\n"))
			assert.Contains(t, d.Results, `Report-To: {&quot;endpoints&quot;`, "CDATA content is literal")

			// QID 38726 is Potential and has no PORT/PROTOCOL.
			assert.Equal(t, int64(38726), res.dets[6].QID)
			assert.Equal(t, "Potential", res.dets[6].Type)
			assert.Zero(t, res.dets[6].Port)
			assert.Empty(t, res.dets[6].Protocol)

			last := res.dets[7]
			assert.Equal(t, int64(38739), last.QID)
			assert.Same(t, res.hosts[1], last.Host)
			assert.Equal(t, "Type\tName\nkey exchange\tdiffie-hellman-group1-sha1\ncipher\tblowfish-cbc\ncipher\tcast128-cbc\ncipher\t3des-cbc",
				last.Results, "the tab-separated RESULTS is preserved")
		})
	}
}

func TestSampleKnowledgeBase(t *testing.T) {
	doc := readSample(t, "demisto-content_knowledge_base_vulnerabilities_raw.xml")
	d := NewKnowledgeBase(iotest.HalfReader(bytes.NewReader(doc)))
	var vulns []*Vuln
	for {
		v, err := d.Read()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		vulns = append(vulns, v)
	}
	require.Len(t, vulns, 2)
	assert.Equal(t, date("2024-02-12T15:21:40Z"), d.Datetime())

	v := vulns[0]
	assert.Equal(t, int64(10052), v.QID)
	assert.Equal(t, "Vulnerability", v.VulnType)
	assert.Equal(t, 3, v.SeverityLevel)
	assert.Equal(t, "Vtecrm Vtenext Multiple Security Vulnerabilities", v.Title)
	assert.Equal(t, "CGI", v.Category)
	assert.Equal(t, date("2023-12-19T12:02:30Z"), v.LastServiceModification)
	assert.Equal(t, date("2021-01-21T12:51:22Z"), v.Published)
	assert.False(t, v.Patchable)
	assert.Equal(t, []CVE{{ID: "CVE-2020-10227"}, {ID: "CVE-2020-10228"}, {ID: "CVE-2020-10229"}}, v.CVEs)
	assert.Equal(t, []ThreatIntel{{2, "Exploit_Public"}, {8, "No_Patch"}, {13, "Privilege_Escalation"}, {15, "Remote_Code_Execution"}}, v.ThreatIntel)
	assert.True(t, v.DiscoveryRemote)

	v = vulns[1]
	assert.Equal(t, int64(10186), v.QID)
	assert.Empty(t, v.Title, "empty CDATA")
	assert.True(t, v.Patchable)
	assert.Empty(t, v.CVEs, "the empty CVE ID is dropped, not an empty string")
	assert.Equal(t, []ThreatIntel{{2, "Exploit_Public"}}, v.ThreatIntel)
}

func TestSamplePCRSPolicyList(t *testing.T) {
	// The vendor sample is not valid JSON: its list ends with "....". The decoder returns the
	// three policies before it, then a clear, sticky syntax error.
	doc := readSample(t, "qualys-docs_pcrs-policy-list.doc-sample.json.txt")
	d := NewPCRSPolicies(bytes.NewReader(doc))
	var got []*PCRSPolicy
	var err error
	for {
		var p *PCRSPolicy
		p, err = d.Read()
		if err != nil {
			break
		}
		got = append(got, p)
	}
	require.Len(t, got, 3)
	require.ErrorIs(t, err, ErrSyntax)
	var se *StreamError
	require.True(t, errors.As(err, &se))
	assert.Contains(t, err.Error(), "invalid character '.'")
	_, again := d.Read()
	assert.Equal(t, err, again)

	assert.Equal(t, "<SUBSCRIPTION ID>", d.SubscriptionID())
	assert.Equal(t, "<POLICY ID>", got[0].ID, "placeholder IDs pass through verbatim")
	assert.Equal(t, "VMWARE 5.5 AND 6.0", got[0].Title)
	assert.Equal(t, "<USER NAME>", got[0].CreatedBy)
	assert.Equal(t, date("2018-01-19T07:52:11Z"), got[0].CreatedDate)
	assert.Equal(t, date("2019-12-19T06:38:46Z"), got[0].LastEvaluatedDate)
	assert.Equal(t, "inactive", got[0].Status)
	assert.False(t, got[0].Locked)
	assert.Equal(t, "Windows Server 2012", got[1].Title)
	assert.Equal(t, "Policy for HPUX", got[2].Title)
}

func TestSamplePCRSResolveHostIDs(t *testing.T) {
	// Placeholder IDs ("<POLICY ID>", "<HOST ID>") are strings: they come through verbatim, as
	// every PCRS ID does, because the caller sends them back to the gateway as received.
	doc := readSample(t, "qualys-docs_pcrs-resolve-hostids.doc-sample.json")
	d := NewPCRSHostIDs(bytes.NewReader(doc))
	p, err := d.Read()
	require.NoError(t, err)
	assert.Equal(t, &PolicyHostIDs{PolicyID: "<POLICY ID>", SubscriptionID: "SUBSCRIPTION ID", HostIDs: []string{"<HOST ID>"}}, p)
	_, err = d.Read()
	assert.Equal(t, io.EOF, err)
}
