// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The real samples live outside the module (shared/qualys-samples); they are read in place and
// never copied into the project.
const samplesDir = "../../../shared/qualys-samples"

func readSample(t *testing.T, name string) []byte {
	b, err := os.ReadFile(filepath.Join(samplesDir, name))
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("sample %s not found under %s; shape comparison skipped", name, samplesDir)
	}
	require.NoError(t, err)
	return b
}

// childSequences returns, for every element named parent, the names of its direct children in
// document order.
func childSequences(t *testing.T, doc []byte, parent string) [][]string {
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict = true
	var out [][]string
	var stack []string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		switch tok := tok.(type) {
		case xml.StartElement:
			if len(stack) > 0 && stack[len(stack)-1] == parent {
				out[len(out)-1] = append(out[len(out)-1], tok.Name.Local)
			}
			if tok.Name.Local == parent {
				out = append(out, nil)
			}
			stack = append(stack, tok.Name.Local)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
	return out
}

// assertSameOrder checks that, for the elements both sequences contain, ours come in the
// sample's order.
func assertSameOrder(t *testing.T, parent string, samples, ours [][]string, minCommon int) {
	require.NotEmpty(t, samples)
	require.NotEmpty(t, ours)
	common := 0
	for _, s := range samples {
		for _, o := range ours {
			a := slices.DeleteFunc(slices.Clone(s), func(n string) bool { return !slices.Contains(o, n) })
			b := slices.DeleteFunc(slices.Clone(o), func(n string) bool { return !slices.Contains(s, n) })
			require.Equal(t, a, b, "%s children out of the sample's order", parent)
			common = max(common, len(a))
		}
	}
	assert.GreaterOrEqual(t, common, minCommon, "%s: the comparison covers a good part of the element", parent)
}

var (
	cdataElem = regexp.MustCompile(`<([A-Z_]+)><!\[CDATA\[`)
	plainElem = regexp.MustCompile(`<([A-Z_]+)>[^<\s]`)
)

func names(re *regexp.Regexp, doc []byte) map[string]bool {
	out := map[string]bool{}
	for _, m := range re.FindAllSubmatch(doc, -1) {
		out[string(m[1])] = true
	}
	return out
}

// assertSameTextStyle checks that an element the sample writes as CDATA we write as CDATA, and
// one it writes as plain text we write as plain text. ID is ambiguous (HOST/ID is plain, CVE/ID
// is CDATA) and compared separately.
func assertSameTextStyle(t *testing.T, sample, ours []byte) {
	sc, sp, oc, op := names(cdataElem, sample), names(plainElem, sample), names(cdataElem, ours), names(plainElem, ours)
	checked := 0
	for n := range sc {
		if n != "ID" && (oc[n] || op[n]) {
			assert.True(t, oc[n] && !op[n], "%s is CDATA in the sample", n)
			checked++
		}
	}
	for n := range sp {
		if n != "ID" && (oc[n] || op[n]) {
			assert.True(t, op[n] && !oc[n], "%s is plain text in the sample", n)
			checked++
		}
	}
	assert.Greater(t, checked, 8)
}

// assertFraming checks the first line, the DOCTYPE and the trailing comment against the sample.
func assertFraming(t *testing.T, root string, sample, ours []byte) {
	sLines, oLines := strings.Split(strings.TrimSpace(string(sample)), "\n"), strings.Split(strings.TrimSpace(string(ours)), "\n")
	assert.Equal(t, sLines[0], oLines[0])
	assert.True(t, strings.HasPrefix(oLines[1], `<!DOCTYPE `+root+` SYSTEM "`), oLines[1])
	assert.True(t, strings.HasPrefix(sLines[1], `<!DOCTYPE `+root+` SYSTEM "`))
	last := oLines[len(oLines)-1]
	assert.True(t, strings.HasPrefix(last, "<!-- CONFIDENTIAL AND PROPRIETARY INFORMATION. Qualys provides the QualysGuard Service"), last)
	assert.True(t, strings.HasSuffix(last, ", Qualys, Inc. //-->"))
	assert.Equal(t, sLines[len(sLines)-1][:60], last[:60])
}

// assertSameIndentation checks that elements both documents contain start at the same column.
func assertSameIndentation(t *testing.T, sample, ours []byte) {
	indentOf := func(doc []byte) map[string]int {
		out := map[string]int{}
		for _, line := range strings.Split(string(doc), "\n") {
			trimmed := strings.TrimLeft(line, " ")
			if strings.HasPrefix(trimmed, "<") && !strings.HasPrefix(trimmed, "</") && !strings.HasPrefix(trimmed, "<!") && !strings.HasPrefix(trimmed, "<?") {
				name := strings.FieldsFunc(trimmed[1:], func(r rune) bool { return r == '>' || r == ' ' })[0]
				if _, seen := out[name]; !seen {
					out[name] = len(line) - len(trimmed)
				}
			}
		}
		return out
	}
	s, o := indentOf(sample), indentOf(ours)
	for name, col := range s {
		if c, ok := o[name]; ok && name != "ID" {
			assert.Equal(t, col, c, "indentation of <%s>", name)
		}
	}
}

func TestHLDMatchesRealSample(t *testing.T) {
	sample := readSample(t, "demisto-content_host_list_detections_raw.xml")
	_, base := startServer(t, TenantConfig{Seed: 31, Hosts: 60}, Options{})
	_, ours := apiGet(t, hldURL(base, "2.0", "truncation_limit=0&status=New,Active,Re-Opened,Fixed&show_igs=1"+
		"&show_tags=1&show_asset_id=1&show_qds=1&show_qds_factors=1&show_reopened_info=1"))
	assertSameOrder(t, "HOST", childSequences(t, sample, "HOST"), childSequences(t, ours, "HOST"), 10)
	assertSameOrder(t, "DETECTION", childSequences(t, sample, "DETECTION"), childSequences(t, ours, "DETECTION"), 15)
	assertSameOrder(t, "RESPONSE", childSequences(t, sample, "RESPONSE"), childSequences(t, ours, "RESPONSE"), 2)
	assertSameTextStyle(t, sample, ours)
	assertFraming(t, hldRoot, sample, ours)
	assertSameIndentation(t, sample, ours)
}

func TestKBMatchesRealSample(t *testing.T) {
	sample := readSample(t, "demisto-content_knowledge_base_vulnerabilities_raw.xml")
	_, base := startServer(t, TenantConfig{Seed: 31, QIDs: 80}, Options{})
	_, ours := apiGet(t, kbURL(base, "details=All"))
	assertSameOrder(t, "VULN", childSequences(t, sample, "VULN"), childSequences(t, ours, "VULN"), 10)
	assertSameTextStyle(t, sample, ours)
	assertFraming(t, kbRoot, sample, ours)
	assertSameIndentation(t, sample, ours)
	assert.Regexp(t, `<CVE>\s*<ID><!\[CDATA\[CVE-`, string(ours), "CVE IDs are CDATA as in the sample")
}

func TestPCRSShapesMatchVendorSamples(t *testing.T) {
	hostIDsSample := readSample(t, "qualys-docs_pcrs-resolve-hostids.doc-sample.json")
	policySample := readSample(t, "qualys-docs_pcrs-policy-list.doc-sample.json.txt")
	srv, base := startServer(t, TenantConfig{Seed: 2, Hosts: 5, Policies: 1}, Options{})
	tok := authToken(t, base)
	_, policies := gatewayCall(t, "GET", base+"/pcrs/1.0/posture/policy/list", tok, "")
	_, hostIDs := gatewayCall(t, "GET", base+"/pcrs/1.0/posture/hostids?policyId="+formatUint(srv.Tenant().Policies()[0].ID), tok, "")
	// The same keys in the same order, and IDs quoted as in the samples.
	keys := regexp.MustCompile(`"([A-Za-z]+)"\s*:`)
	keyList := func(b []byte) []string {
		var out []string
		for _, m := range keys.FindAllSubmatch(b, -1) {
			if !slices.Contains(out, string(m[1])) {
				out = append(out, string(m[1]))
			}
		}
		return out
	}
	assert.Equal(t, keyList(hostIDsSample), keyList(hostIDs))
	assert.Equal(t, keyList(policySample), keyList(policies))
	assert.Regexp(t, `"hostIds":\["\d+"`, string(hostIDs))
	assert.Regexp(t, `"id":"\d+"`, string(policies))
	assert.Regexp(t, `"locked":\d`, string(policies))
}
