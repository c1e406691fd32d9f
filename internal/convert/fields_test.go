// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package convert

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/seed-d80aa3af/qualysreceiver/internal/decode"
	"github.com/seed-d80aa3af/qualysreceiver/internal/kb"
)

// The real samples in ../../../shared/qualys-samples (see its README.md), read in place.
const samplesDir = "../../../shared/qualys-samples"

func readSample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(samplesDir, name))
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("sample %s not found: %s is absent, so the real-sample tests are skipped", name, samplesDir)
	}
	require.NoError(t, err)
	return b
}

func kbAttrs(e *kb.Entry) map[string]any {
	m := pcommon.NewMap()
	KnowledgeBase(m, e)
	return m.AsRaw()
}

// Every KnowledgeBase field a detection takes, under its documented name.
func TestKnowledgeBaseJoin(t *testing.T) {
	vulns := decodeVulns(t, []byte(`<KNOWLEDGE_BASE_VULN_LIST_OUTPUT><RESPONSE><VULN_LIST><VULN><QID>38170</QID>`+
		`<VULN_TYPE>Vulnerability</VULN_TYPE><SEVERITY_LEVEL>4</SEVERITY_LEVEL><TITLE>T</TITLE>`+
		`<PUBLISHED_DATETIME>2010-01-01T00:00:00Z</PUBLISHED_DATETIME><PATCHABLE>1</PATCHABLE>`+
		`<SOFTWARE_LIST><SOFTWARE><PRODUCT>http_server</PRODUCT><VENDOR>apache</VENDOR></SOFTWARE></SOFTWARE_LIST>`+
		`<VENDOR_REFERENCE_LIST><VENDOR_REFERENCE><ID>ADV-1</ID><URL>https://vendor.example/adv-1</URL></VENDOR_REFERENCE></VENDOR_REFERENCE_LIST>`+
		`<CVE_LIST><CVE><ID>CVE-2024-1</ID><URL>http://cve.mitre.org/cgi-bin/cvename.cgi?name=CVE-2024-1</URL></CVE>`+
		`<CVE><ID>CVE-2024-2</ID><URL>https://vendor.example/adv-1</URL></CVE></CVE_LIST>`+
		`<DIAGNOSIS><![CDATA[D <b>x</b>]]></DIAGNOSIS><CONSEQUENCE>C</CONSEQUENCE><SOLUTION>S</SOLUTION>`+
		`<CVSS><BASE source="service">5.0</BASE><TEMPORAL>3.7</TEMPORAL><VECTOR_STRING>AV:N/AC:L/Au:N/C:P/I:N/A:N</VECTOR_STRING></CVSS>`+
		`<CVSS_V3><BASE>7.5</BASE><TEMPORAL>6.5</TEMPORAL><VECTOR_STRING>CVSS:3.1/AV:N</VECTOR_STRING><CVSS3_VERSION>3.1</CVSS3_VERSION></CVSS_V3>`+
		`<PCI_FLAG>1</PCI_FLAG><THREAT_INTELLIGENCE><THREAT_INTEL id="2">Exploit_Public</THREAT_INTEL><THREAT_INTEL id="8">No_Patch</THREAT_INTEL></THREAT_INTELLIGENCE>`+
		`</VULN></VULN_LIST></RESPONSE></KNOWLEDGE_BASE_VULN_LIST_OUTPUT>`), 1<<10)
	require.Len(t, vulns, 1)
	e := EntryFromVuln(vulns[0])
	assert.Equal(t, map[string]any{
		AttrVulnDescription:    "T",
		AttrVulnType:           "Vulnerability",
		AttrVulnSeverity:       "Critical",
		AttrVulnID:             []any{"CVE-2024-1", "CVE-2024-2"},
		AttrVulnEnumeration:    "CVE",
		AttrVulnReference:      []any{"http://cve.mitre.org/cgi-bin/cvename.cgi?name=CVE-2024-1", "https://vendor.example/adv-1"},
		AttrVulnScoreBase:      7.5,
		AttrVulnScoreVersion:   "3.1",
		AttrVulnClassification: "CVSS",
		AttrCVSS3Base:          7.5,
		AttrCVSS3Temporal:      6.5,
		AttrCVSS3Vector:        "CVSS:3.1/AV:N",
		AttrCVSS2Base:          5.0,
		AttrCVSS2Temporal:      3.7,
		AttrCVSS2Vector:        "AV:N/AC:L/Au:N/C:P/I:N/A:N",
		AttrVulnThreatIntel:    []any{"Exploit_Public", "No_Patch"},
		AttrVulnSoftware:       []any{map[string]any{AttrSoftwareVendor: "apache", AttrSoftwareProduct: "http_server"}},
		AttrVulnPCIFlag:        true,
		AttrVulnPatchable:      true,
		AttrVulnPublished:      "2010-01-01T00:00:00Z",
		AttrVulnDiagnosis:      "D <b>x</b>",
		AttrVulnConsequence:    "C",
		AttrVulnSolution:       "S",
	}, kbAttrs(&e))
}

// Without CVSS 3 the score is CVSS 2's, version 2.0; without a score there is no classification;
// without CVSS3_VERSION the version is only the major one Qualys implies.
func TestKnowledgeBaseScoreVersions(t *testing.T) {
	v2 := kbAttrs(&kb.Entry{QID: 1, HasCVSS2: true, CVSS2Base: 4.3})
	assert.Equal(t, "2.0", v2[AttrVulnScoreVersion])
	assert.Equal(t, "CVSS", v2[AttrVulnClassification])
	assert.NotContains(t, v2, AttrCVSS2Temporal, "no temporal score, no attribute")

	v3 := kbAttrs(&kb.Entry{QID: 1, HasCVSS3: true, CVSS3Base: 9.8})
	assert.Equal(t, "3", v3[AttrVulnScoreVersion])

	none := kbAttrs(&kb.Entry{QID: 1, Severity: 9})
	for _, k := range []string{AttrVulnScoreBase, AttrVulnScoreVersion, AttrVulnClassification, AttrVulnSeverity,
		AttrVulnReference, AttrVulnThreatIntel, AttrVulnDiagnosis} {
		assert.NotContains(t, none, k)
	}
}

// The recorded tenant answer: references, threat names and, only when the decoder keeps them, the
// texts as Qualys writes them.
func TestSampleKnowledgeBaseEntries(t *testing.T) {
	doc := readSample(t, "jupiterone-graph-qualys_recorded_knowledge_base_42_vulns.xml")
	byQID := func(maxText int) map[int64]kb.Entry {
		out := map[int64]kb.Entry{}
		for _, v := range decodeVulns(t, doc, maxText) {
			out[v.QID] = EntryFromVuln(v)
		}
		return out
	}
	withText, without := byQID(1<<16), byQID(0)
	require.Len(t, withText, 42)

	e := withText[45017]
	assert.Equal(t, "Not  applicable.", e.Consequence)
	assert.Contains(t, e.Diagnosis, "<B>TCP/IP Fingerprint</B>")
	assert.Empty(t, without[45017].Diagnosis, "no text kept unless asked")
	assert.Empty(t, without[45017].Consequence)

	attrs := kbAttrs(&e)
	assert.Equal(t, "Medium", attrs[AttrVulnSeverity])
	assert.Equal(t, "Not  applicable.", attrs[AttrVulnConsequence])

	refs, threats := 0, 0
	for _, e := range withText {
		refs += len(e.References)
		threats += len(e.ThreatIntel)
		for _, r := range e.References {
			assert.Regexp(t, `^https?://`, r)
		}
	}
	assert.Positive(t, refs)
	assert.Positive(t, threats)
}

func decodeVulns(t *testing.T, doc []byte, maxText int) []*decode.Vuln {
	t.Helper()
	d := decode.NewKnowledgeBase(bytes.NewReader(doc))
	d.MaxTextBytes = maxText
	var out []*decode.Vuln
	for {
		v, err := d.Read()
		if err == io.EOF {
			return out
		}
		require.NoError(t, err)
		out = append(out, v)
	}
}

// Every detection's resource carries its host's tag names after the identity.
func TestDetectionResourceTags(t *testing.T) {
	h := &decode.Host{ID: 7, IP: "10.0.0.1", Tags: []decode.Tag{{ID: 1, Name: "Prod"}, {ID: 2, Name: "PCI"}, {ID: 3, Name: "Prod"}}}
	id := HostFromVM(h)
	res := pcommon.NewResource()
	FillDetectionResource(res, &id, h)
	assert.Equal(t, map[string]any{AttrQualysHostID: int64(7), AttrHostName: "10.0.0.1", AttrHostIP: []any{"10.0.0.1"},
		AttrAssetTags: []any{"Prod", "PCI"}}, res.Attributes().AsRaw())

	res = pcommon.NewResource()
	FillDetectionResource(res, &id, &decode.Host{ID: 7, IP: "10.0.0.1"})
	assert.NotContains(t, res.Attributes().AsRaw(), AttrAssetTags, "no tags, no attribute")
}

// The real Azure host asset answer gives the asset's resource its cloud facts.
func TestSampleAssetAzureCloud(t *testing.T) {
	d := decode.NewHostAssets(bytes.NewReader(readSample(t, "jupiterone-graph-qualys_azure-host-assets.xml")))
	ha, err := d.Read()
	require.NoError(t, err)
	a := Asset{Host: &decode.Host{ID: ha.QWebHostID, IP: ha.Address}, HostAsset: ha}
	res := pcommon.NewResource()
	a.FillResource(res)
	attrs := res.Attributes().AsRaw()
	assert.Equal(t, "azure", attrs[AttrCloudProvider], "Host List did not name the provider")
	assert.Equal(t, "centralindia", attrs[AttrCloudRegion])
	assert.Equal(t, "XXXXXXXX-XXXX-XXXX-XXXXXXXXXXXXXXXX", attrs[AttrCloudAccountID])
	assert.Equal(t, "399af5dc-c32a-4c40-95a5-c6ed0e786430", attrs[AttrHostID])
	assert.Equal(t, "Standard_B1s", attrs[AttrHostType])
	assert.NotContains(t, attrs, AttrCloudZone, "Azure gives no zone")
	assert.NotContains(t, attrs, AttrHostImageID, "Azure gives no image id")

	lr := plog.NewLogRecord()
	AssetRecord(lr, a, time.Now())
	rec := lr.Attributes().AsRaw()
	assert.Equal(t, "user_john", rec[AttrAssetName])
	assert.Equal(t, "SUCCEEDED", rec[AttrAssetCloudState])
	assert.Equal(t, map[string]any{"Owner": "John"}, rec[AttrAssetCloudTags])
}

// EC2 and GCP sources; Host List's provider wins, and GCP's region comes from its zone.
func TestAssetCloudSources(t *testing.T) {
	ec2 := decode.CloudSource{Provider: "aws", InstanceID: "i-1", InstanceType: "t3.micro", ImageID: "ami-1",
		AccountID: "123456789012", Region: "us-east-1", Zone: "us-east-1b"}
	gcp := decode.CloudSource{Provider: "gcp", InstanceID: "4711", InstanceType: "e2-medium", ImageID: "debian-12",
		AccountID: "my-project", Zone: "europe-west1-b"}
	resourceOf := func(h *decode.Host, src decode.CloudSource) map[string]any {
		res := pcommon.NewResource()
		Asset{Host: h, HostAsset: &decode.HostAsset{CloudSources: []decode.CloudSource{src}}}.FillResource(res)
		return res.Attributes().AsRaw()
	}
	got := resourceOf(&decode.Host{ID: 1, CloudProvider: "AWS", CloudResourceID: "i-1"}, ec2)
	assert.Equal(t, map[string]any{AttrQualysHostID: int64(1), AttrCloudProvider: "aws", AttrCloudResourceID: "i-1",
		AttrCloudRegion: "us-east-1", AttrCloudZone: "us-east-1b", AttrCloudAccountID: "123456789012", AttrHostID: "i-1",
		AttrHostType: "t3.micro", AttrHostImageID: "ami-1"}, got)

	got = resourceOf(&decode.Host{ID: 2, CloudProvider: "Google"}, gcp)
	assert.Equal(t, "gcp", got[AttrCloudProvider], "Host List's provider, mapped")
	assert.Equal(t, "europe-west1", got[AttrCloudRegion])
	assert.Equal(t, "europe-west1-b", got[AttrCloudZone])
	assert.Equal(t, "my-project", got[AttrCloudAccountID])

	// Without a host asset, Host List's EC2 instance id is the host.id.
	res := pcommon.NewResource()
	Asset{Host: &decode.Host{ID: 3, EC2InstanceID: "i-9"}}.FillResource(res)
	assert.Equal(t, "i-9", res.Attributes().AsRaw()[AttrHostID])
}

// The asset fields the README once listed as not carried.
func TestAssetRecordHostFields(t *testing.T) {
	boot := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	a := Asset{
		Host: &decode.Host{ID: 1, LastBoot: boot, HardwareUUID: "4C4C4544-0042", AssetRiskScore: 512,
			OSCPE: "cpe:/o:microsoft:windows_server_2019:-:-:x64:"},
		HostAsset: &decode.HostAsset{ID: 9, Name: "web-1", LastSystemBoot: boot.Add(-time.Hour),
			Agent: &decode.AgentInfo{AgentID: "2e689bb2", AgentVersion: "6.1.0.28", Status: "STATUS_ACTIVE"}},
	}
	lr := plog.NewLogRecord()
	AssetRecord(lr, a, boot)
	rec := lr.Attributes().AsRaw()
	assert.Equal(t, "2026-01-02T03:04:05Z", rec[AttrAssetLastBoot], "Host List's LAST_BOOT wins")
	assert.Equal(t, "4C4C4544-0042", rec[AttrAssetHardwareUUID])
	assert.Equal(t, int64(512), rec[AttrAssetRiskScore])
	assert.Equal(t, "cpe:/o:microsoft:windows_server_2019:-:-:x64:", rec[AttrAssetOSCPE])
	assert.Equal(t, "2e689bb2", rec[AttrAssetAgentID])
	assert.Equal(t, "6.1.0.28", rec[AttrAssetAgentVersion])
	assert.Equal(t, "web-1", rec[AttrAssetName])

	a.Host.LastBoot = time.Time{}
	lr = plog.NewLogRecord()
	AssetRecord(lr, a, boot)
	assert.Equal(t, "2026-01-02T02:04:05Z", lr.Attributes().AsRaw()[AttrAssetLastBoot], "else the host asset's lastSystemBoot")
}

// The three AFFECT_* flags are written only when true.
func TestDetectionAffectFlags(t *testing.T) {
	attrsOf := func(d *decode.Detection) map[string]any {
		lr := plog.NewLogRecord()
		Detection(lr, d, time.Now())
		return lr.Attributes().AsRaw()
	}
	all := attrsOf(&decode.Detection{QID: 1, AffectsKernel: true, AffectsService: true, AffectsConfig: true})
	for _, k := range []string{AttrDetectionRunningKernel, AttrDetectionRunningService, AttrDetectionExploitableConfig} {
		assert.Equal(t, true, all[k], k)
	}
	none := attrsOf(&decode.Detection{QID: 1})
	for _, k := range []string{AttrDetectionRunningKernel, AttrDetectionRunningService, AttrDetectionExploitableConfig} {
		assert.NotContains(t, none, k)
	}
}

// The real EC2 Host List answer: its CLOUD_* fields make the asset's cloud identity even without
// a host asset.
func TestSampleHostListEC2Asset(t *testing.T) {
	d := decode.NewHostList(bytes.NewReader(readSample(t, "demisto-content_host_list_ec2_raw.xml")))
	kind, err := d.Next()
	require.NoError(t, err)
	require.Equal(t, decode.KindHost, kind)
	a := Asset{Host: d.Host()}
	res := pcommon.NewResource()
	a.FillResource(res)
	attrs := res.Attributes().AsRaw()
	assert.Equal(t, "aws", attrs[AttrCloudProvider])
	assert.Equal(t, "i-055ef1b4734491575", attrs[AttrCloudResourceID])
	assert.Equal(t, "i-055ef1b4734491575", attrs[AttrHostID])
	assert.Equal(t, "windows", attrs[AttrOSType])

	lr := plog.NewLogRecord()
	AssetRecord(lr, a, time.Now())
	rec := lr.Attributes().AsRaw()
	assert.Equal(t, "EC2", rec[AttrAssetCloudService])
	assert.Equal(t, "8725d236-7f5b-41e1-b795-fa67e3adc108", rec[AttrAssetQGHostID])
	assert.Equal(t, "EC2", rec[AttrAssetTrackingMethod])
	assert.Equal(t, "AMAZON-544DB96A", rec[AttrAssetNetBIOS])
}
