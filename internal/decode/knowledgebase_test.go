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

func readVulns(t *testing.T, doc string, maxText int) []*Vuln {
	t.Helper()
	d := NewKnowledgeBase(strings.NewReader(doc))
	d.MaxTextBytes = maxText
	var out []*Vuln
	for {
		v, err := d.Read()
		if err == io.EOF {
			return out
		}
		require.NoError(t, err)
		out = append(out, v)
	}
}

func TestKnowledgeBase(t *testing.T) {
	vulns := readVulns(t, kbDoc, 1<<10)
	require.Len(t, vulns, 2)
	v := vulns[0]
	assert.Equal(t, int64(38170), v.QID)
	assert.Equal(t, []CVE{{ID: "CVE-2024-0001", URL: "https://nvd.nist.gov/vuln/detail/CVE-2024-0001"}}, v.CVEs, "empty CVE ID dropped")
	assert.Equal(t, CVSS{Base: 5.0, Temporal: 3.7, BaseSource: "service", VectorString: "CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:N/A:N"}, v.CVSS,
		"attribute on BASE")
	assert.Equal(t, 7.5, v.CVSSV3.Base)
	assert.Equal(t, "The <b>certificate</b> does not match.", v.Diagnosis)
	assert.Equal(t, "Man in the middle & more.", v.Consequence)
	assert.Equal(t, "Replace the certificate.", v.Solution)
	assert.True(t, v.DiscoveryRemote)
	assert.Equal(t, "DNS Host Name", vulns[1].Title)
}

func TestKnowledgeBaseLongText(t *testing.T) {
	vulns := readVulns(t, kbDoc, 0)
	assert.Empty(t, vulns[0].Diagnosis, "dropped by default")
	assert.Empty(t, vulns[0].Solution)

	vulns = readVulns(t, kbDoc, 7)
	assert.Equal(t, "The <b>", vulns[0].Diagnosis)
	assert.True(t, vulns[0].DiagnosisTruncated)
	assert.Equal(t, "Replace", vulns[0].Solution)
}

func TestKnowledgeBaseBadCVSSCostsThatField(t *testing.T) {
	doc := `<KNOWLEDGE_BASE_VULN_LIST_OUTPUT><RESPONSE><VULN_LIST>` +
		`<VULN><QID>1</QID><CVSS><BASE>n/a</BASE></CVSS></VULN><VULN><QID>2</QID></VULN>` +
		`</VULN_LIST></RESPONSE></KNOWLEDGE_BASE_VULN_LIST_OUTPUT>`
	d := NewKnowledgeBase(strings.NewReader(doc))
	v, err := d.Read()
	require.NoError(t, err, "a bad score costs that field only")
	assert.Equal(t, int64(1), v.QID)
	assert.Zero(t, v.CVSS.Base)
	require.Len(t, d.UnreadableFields(), 1)
	assert.Equal(t, `VULN/CVSS/BASE "n/a": malformed value`, d.UnreadableFields()[0].Error())
	v, err = d.Read()
	require.NoError(t, err)
	assert.Equal(t, int64(2), v.QID)
}
