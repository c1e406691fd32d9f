// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// decodedRecord is one record of a decoded document, as a value the tests can compare.
type decodedRecord struct {
	kind    string // host, detection, page...
	group   int    // a host and its detections share a group
	leads   bool   // skipping this record skips the rest of its group (a host's detections)
	value   any
	lost    []FieldError
	skipped *RecordError
}

// decodedDoc is a whole document: its records, then the page frame (DATETIME, WARNING, paging)
// as a last record of kind "page", and the terminating error (nil for io.EOF).
type decodedDoc struct {
	records []decodedRecord
	err     error
}

type decodeAllFunc func(doc []byte) decodedDoc

// xmlDecoders lists, per XML decoder, the function decoding a whole document into records and
// the documents of its kind: the hand-written ones and the real samples.
var xmlDecoders = []struct {
	name    string
	decode  decodeAllFunc
	docs    []string // hand-written documents
	samples []string // file names in samplesDir
}{
	{"HostDetections", decodeAllHLD, []string{hldDoc, hldEmptyDoc}, []string{
		"demisto-content_host_list_detections_raw.xml", "jupiterone-graph-qualys_detections.xml",
		"jupiterone-graph-qualys_recorded_detections_empty.xml"}},
	{"HostList", decodeAllHostList, []string{hostListDoc, hostListIDSetDoc}, []string{
		"demisto-content_host_list_ec2_raw.xml", "jupiterone-graph-qualys_recorded_host_list_id_set.xml"}},
	{"HostAssets", decodeAllHostAssets, []string{hostAssetDoc, hostAssetErrorDoc}, []string{
		"jupiterone-graph-qualys_list-host-assets.xml", "jupiterone-graph-qualys_azure-host-assets.xml",
		"jupiterone-graph-qualys_recorded_hostasset_invalid_request.xml"}},
	{"KnowledgeBase", decodeAllKB, []string{kbDoc}, []string{
		"demisto-content_knowledge_base_vulnerabilities_raw.xml", "jupiterone-graph-qualys_recorded_knowledge_base_42_vulns.xml"}},
	{"SimpleReturn", decodeAllSimpleReturn, []string{simpleReturnDoc}, []string{
		"jupiterone-graph-qualys_recorded_detections_400_code_1905.xml"}},
	{"PostureInfoList", decodeAllPostureXML, []string{postureXMLDoc}, nil},
}

// xmlInputs returns the documents of one decoder by name; a missing samples folder leaves the
// hand-written ones (the sample tests say so).
func xmlInputs(t *testing.T, docs, samples []string) map[string][]byte {
	in := map[string][]byte{}
	for i, d := range docs {
		in[fmt.Sprintf("doc%d", i)] = []byte(d)
	}
	for _, name := range samples {
		b, err := os.ReadFile(filepath.Join(samplesDir, name))
		if errors.Is(err, os.ErrNotExist) {
			t.Logf("sample %s not found: %s is absent", name, samplesDir)
			continue
		}
		require.NoError(t, err)
		in[name] = b
	}
	return in
}

// TestLayoutDoesNotMatter: every document, pretty-printed (each element, text and CDATA section
// on its own indented line), decodes exactly as written.
func TestLayoutDoesNotMatter(t *testing.T) {
	for _, dec := range xmlDecoders {
		for name, doc := range xmlInputs(t, dec.docs, dec.samples) {
			t.Run(dec.name+"/"+name, func(t *testing.T) {
				want := dec.decode(doc)
				require.NotEmpty(t, want.records)
				got := dec.decode(prettyXML(t, doc))
				assert.Equal(t, errString(want.err), errString(got.err))
				require.Equal(t, len(want.records), len(got.records))
				for i := range want.records {
					assert.Equal(t, want.records[i], got.records[i], "record %d", i)
				}
			})
		}
	}
}

// TestAFieldNeverCostsItsRecord replaces the text of each leaf of every document, one at a time,
// with text no number, boolean or date reads, and requires that only that leaf's field changed:
// a string field holds the new text; any other field is absent and reported as unreadable, with
// its path; a record's own ID makes the record a *RecordError naming it. Every other field and
// record is as before.
func TestAFieldNeverCostsItsRecord(t *testing.T) {
	const bad = "x!"
	for _, dec := range xmlDecoders {
		for name, doc := range xmlInputs(t, dec.docs, dec.samples) {
			t.Run(dec.name+"/"+name, func(t *testing.T) {
				base := dec.decode(doc)
				leaves := xmlLeaves(t, doc)
				require.NotEmpty(t, leaves)
				for _, leaf := range leaves {
					got := dec.decode(withLeafText(doc, leaf, bad))
					if msg := onlyLeafChanged(base, got, leaf.path, bad); msg != "" {
						t.Errorf("%s = %q: %s", leaf.path, bad, msg)
					}
				}
			})
		}
	}
}

// onlyLeafChanged explains how got differs from base other than in the field of the leaf at
// path; "" when it does not.
func onlyLeafChanged(base, got decodedDoc, path, bad string) string {
	if errString(base.err) != errString(got.err) {
		var fe *FieldError
		var se *ServiceError
		switch {
		case errors.As(got.err, &fe) && pathIs(path, fe.Path):
			return "" // the one value the whole answer hangs on (SIMPLE_RETURN's CODE)
		case errors.As(got.err, &se) && (se.Code == bad || se.Message == bad):
			return "" // responseCode, errorMessage
		}
		return fmt.Sprintf("error %v, was %v", got.err, base.err)
	}
	n := min(len(base.records), len(got.records))
	i := 0
	for i < n && recordsEqual(base.records[i], got.records[i]) {
		i++
	}
	if i == len(base.records) && i == len(got.records) {
		return "" // an element the decoder does not read
	}
	if i == n {
		return fmt.Sprintf("%d records, was %d", len(got.records), len(base.records))
	}
	b, g := base.records[i], got.records[i]
	rest := 1
	if g.skipped != nil && b.skipped == nil {
		var fe *FieldError
		if !errors.As(g.skipped, &fe) || !pathIs(path, fe.Path) {
			return fmt.Sprintf("record %d skipped: %v", i, g.skipped)
		}
		for b.leads && i+rest < len(base.records) && base.records[i+rest].group == b.group {
			rest++ // a host's detections go with it
		}
	} else if msg := oneFieldChanged(b, g, path, bad); msg != "" {
		return fmt.Sprintf("record %d (%s): %s", i, b.kind, msg)
	}
	if len(base.records)-rest != len(got.records)-1 {
		return fmt.Sprintf("%d records, was %d", len(got.records), len(base.records))
	}
	for j := i + 1; j < len(got.records); j++ {
		if !recordsEqual(base.records[j+rest-1], got.records[j]) {
			return fmt.Sprintf("record %d changed too", j)
		}
	}
	return ""
}

// oneFieldChanged checks one record: one field differs, a string now holding bad, or another
// type now absent with exactly that field reported lost.
func oneFieldChanged(b, g decodedRecord, path, bad string) string {
	if g.skipped != nil || b.skipped != nil {
		return fmt.Sprintf("skipped %v, was %v", g.skipped, b.skipped)
	}
	diffs := diffValues(b.value, g.value)
	newLost := lostSince(b.lost, g.lost)
	if len(diffs) == 0 && len(newLost) == 1 && pathIs(path, newLost[0].Path) {
		return "" // the field was already zero (false, for example): still absent, and reported
	}
	if len(diffs) != 1 {
		return fmt.Sprintf("fields %v changed (lost %v)", diffs, newLost)
	}
	d := diffs[0]
	if strings.Contains(fmt.Sprintf("%s", d.got), bad) { // a string, alone or in a list; raw JSON
		if len(newLost) > 0 {
			return fmt.Sprintf("string field %s reported lost: %v", d.path, newLost)
		}
		return ""
	}
	if !d.zero {
		return fmt.Sprintf("field %s = %v, was %v: neither the text nor absent", d.path, d.got, d.was)
	}
	if b.kind == "page" && len(newLost) == 0 {
		return "" // DATETIME, WARNING/CODE, paging: not a record's field, reads as zero
	}
	if len(newLost) != 1 || !pathIs(path, newLost[0].Path) || !errors.Is(newLost[0].Err, ErrBadValue) {
		return fmt.Sprintf("field %s absent, but the lost fields reported are %v", d.path, newLost)
	}
	return ""
}

// pathIs says whether the document path of a leaf ends with a field path, which starts at the
// record's element.
func pathIs(docPath, fieldPath string) bool {
	return docPath == fieldPath || strings.HasSuffix(docPath, "/"+fieldPath)
}

func lostSince(was, now []FieldError) []FieldError {
	if len(now) < len(was) {
		return now
	}
	return now[len(was):]
}

func recordsEqual(a, b decodedRecord) bool {
	return a.kind == b.kind && fmt.Sprint(a.skipped) == fmt.Sprint(b.skipped) &&
		len(diffValues(a.value, b.value)) == 0 && fmt.Sprint(a.lost) == fmt.Sprint(b.lost)
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestCDATAOnItsOwnLine: the layout of Qualys's guide, a CDATA section on its own indented line,
// reads as the CDATA content; plain text is trimmed; white space inside CDATA is kept.
func TestCDATAOnItsOwnLine(t *testing.T) {
	doc := hldHead + "<HOST>\n  <ID> 7 </ID>\n  <DNS>\n    <![CDATA[web01.example.com]]>\n  </DNS>\n" +
		"  <OS>\n    Linux 5.10\n  </OS>\n  <DETECTION_LIST>\n    <DETECTION>\n      <QID>9</QID>\n" +
		"      <RESULTS>\n        <![CDATA[  line 1\n\tline 2\n]]>\n      </RESULTS>\n" +
		"      <QDS_FACTORS>\n        <QDS_FACTOR name=\"CVSS\">\n          7.5\n        </QDS_FACTOR>\n      </QDS_FACTORS>\n    </DETECTION>\n  </DETECTION_LIST>\n</HOST>" + hldTail
	for _, r := range []io.Reader{strings.NewReader(doc), iotest.OneByteReader(strings.NewReader(doc))} {
		res, err := decodeHLD(r, nil)
		require.NoError(t, err)
		require.Len(t, res.hosts, 1)
		assert.Equal(t, "web01.example.com", res.hosts[0].DNS)
		assert.Equal(t, "Linux 5.10", res.hosts[0].OS)
		require.Len(t, res.dets, 1)
		assert.Equal(t, "  line 1\n\tline 2\n", res.dets[0].Results, "CDATA content is kept byte for byte")
		assert.Equal(t, []QDSFactor{{Name: "CVSS", Value: "7.5"}}, res.dets[0].QDSFactors)
	}
}
