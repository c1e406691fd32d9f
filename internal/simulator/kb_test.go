// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"encoding/xml"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type kbDoc struct {
	XMLName  xml.Name `xml:"KNOWLEDGE_BASE_VULN_LIST_OUTPUT"`
	Response struct {
		Vulns []struct {
			QID       uint64   `xml:"QID"`
			VulnType  string   `xml:"VULN_TYPE"`
			Severity  int      `xml:"SEVERITY_LEVEL"`
			Title     string   `xml:"TITLE"`
			Modified  string   `xml:"LAST_SERVICE_MODIFICATION_DATETIME"`
			CVEs      []string `xml:"CVE_LIST>CVE>ID"`
			Diagnosis string   `xml:"DIAGNOSIS"`
			CVSSBase  string   `xml:"CVSS>BASE"`
			CVSS3Base string   `xml:"CVSS_V3>BASE"`
		} `xml:"VULN_LIST>VULN"`
		IDs []string `xml:"ID_SET>ID"`
	} `xml:"RESPONSE"`
}

func kbURL(base, query string) string {
	return base + "/api/2.0/fo/knowledge_base/vuln/?action=list" + prefixAmp(query)
}

func fetchKB(t *testing.T, url string) kbDoc {
	resp, body := apiGet(t, url)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	var doc kbDoc
	decodeXML(t, body, &doc)
	return doc
}

func TestKBSelection(t *testing.T) {
	srv, base := startServer(t, TenantConfig{Seed: 3, QIDs: 120}, Options{})
	tn := srv.Tenant()
	all := fetchKB(t, kbURL(base, ""))
	require.Len(t, all.Response.Vulns, 120)
	v0 := all.Response.Vulns[0]
	assert.Empty(t, v0.Diagnosis, "Basic has no DIAGNOSIS")
	assert.Empty(t, v0.CVSS3Base)

	q1, q2, q3 := tn.qidAt(10), tn.qidAt(20), tn.qidAt(25)
	doc := fetchKB(t, kbURL(base, "details=All&ids="+formatUint(q1)+","+formatUint(q2)+"-"+formatUint(q3)))
	require.Len(t, doc.Response.Vulns, 7)
	for _, v := range doc.Response.Vulns {
		want, _ := tn.Vuln(v.QID)
		assert.Equal(t, want.Title, v.Title)
		assert.Equal(t, want.Severity, v.Severity)
		assert.Equal(t, want.CVEs, v.CVEs)
		assert.NotEmpty(t, v.Diagnosis)
		assert.NotEmpty(t, v.CVSS3Base)
	}
	doc = fetchKB(t, kbURL(base, "id_min="+formatUint(q2)+"&id_max="+formatUint(q3)))
	assert.Len(t, doc.Response.Vulns, 6)
	doc = fetchKB(t, kbURL(base, "details=None&ids="+formatUint(q1)))
	assert.Equal(t, []string{formatUint(q1)}, doc.Response.IDs)
}

func TestKBLastModifiedAfter(t *testing.T) {
	srv, base := startServer(t, TenantConfig{Seed: 3, QIDs: 120}, Options{})
	tn := srv.Tenant()
	after := tn.Config().BaseTime.Add(time.Minute)
	doc := fetchKB(t, kbURL(base, "last_modified_after="+qualysTime(after)))
	assert.Empty(t, doc.Response.Vulns)
	require.NoError(t, tn.ModifyKB(tn.qidAt(5), after.Add(time.Hour)))
	require.NoError(t, tn.AddKBEntry(990_000, after.Add(2*time.Hour)))
	doc = fetchKB(t, kbURL(base, "last_modified_after="+qualysTime(after)))
	require.Len(t, doc.Response.Vulns, 2)
	assert.Equal(t, tn.qidAt(5), doc.Response.Vulns[0].QID)
	assert.Equal(t, uint64(990_000), doc.Response.Vulns[1].QID)
}

func TestKBMissingPermission(t *testing.T) {
	_, base := startServer(t, TenantConfig{QIDs: 10}, Options{MissingPermissions: []Permission{PermKB}})
	resp, body := apiGet(t, kbURL(base, ""))
	assert.Equal(t, http.StatusConflict, resp.StatusCode)
	sr := simpleReturn(t, body)
	assert.Equal(t, codePermission, sr.Response.Code)
	assert.Contains(t, sr.Response.Text, "KnowledgeBase")
	resp, _ = apiGet(t, hldURL(base, "5.0", ""))
	assert.Equal(t, http.StatusOK, resp.StatusCode, "only the KnowledgeBase is affected")
}
