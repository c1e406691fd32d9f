// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// Fuzz targets, one per decoder. Besides the f.Add seeds below, each has a committed corpus in
// testdata/fuzz/<FuzzName>/ (regenerate it with DECODE_WRITE_CORPUS=1 go test -run
// TestWriteFuzzCorpus). Every target asserts: no panic; the decoder terminates (the transcript
// helpers bound the number of calls, and each record consumes input); it ends with io.EOF, a
// *StreamError (or, for QPS, a *ServiceError) and that end is sticky; records satisfy the
// decoder's invariants (IDs present, a detection belongs to a host with an ID); and the XML
// decoders give the same transcript whatever the read sizes.

// fuzzSeeds are the hand-written documents and some damaged variants of them.
func fuzzSeeds(docs ...string) []string {
	var out []string
	for _, d := range docs {
		out = append(out, d, d[:len(d)/2], d[:len(d)-len(d)/7])
	}
	return out
}

var fuzzCorpora = map[string][]string{
	"FuzzHostDetections": append(fuzzSeeds(hldDoc, hldEmptyDoc),
		hldHead+`<HOST><ID>1</ID><DETECTION_LIST><DETECTION><QID>2</QID><RESULTS>a&#0;&#xFFFFFFFF;&lt`+"\xff\r\n"+`</RESULTS></DETECTION></DETECTION_LIST></HOST>`+hldTail,
		hldHead+`<HOST><ID>1</ID><DETECTION_LIST><DETECTION><QID>2</QID><QDS severity='LOW' x="a>b">5</QDS></DETECTION></DETECTION_LIST></HOST>`+hldTail,
		`<!DOCTYPE X [<!ENTITY a "b">]><HOST_LIST_VM_DETECTION_OUTPUT/>`,
		// The same QID's factors again and again: the QDS_FACTORS cache and its fast path.
		hldHead+`<HOST><ID>1</ID><DETECTION_LIST>`+strings.Repeat(`<DETECTION><QID>2</QID><QDS_FACTORS>
<QDS_FACTOR name="RTI"><![CDATA[dos]]></QDS_FACTOR><QDS_FACTOR name="CVSS">7.5</QDS_FACTOR></QDS_FACTORS></DETECTION>`, 3)+
			`<DETECTION><QID>2</QID><QDS_FACTORS><QDS_FACTOR name="RTI"><![CDATA[dos]]></QDS_FACTOR></QDS_FACTORS></DETECTION>`+
			`</DETECTION_LIST></HOST>`+hldTail),
	"FuzzHostList":          fuzzSeeds(hostListDoc, hostListIDSetDoc),
	"FuzzHostAssets":        fuzzSeeds(hostAssetDoc, hostAssetErrorDoc),
	"FuzzKnowledgeBase":     fuzzSeeds(kbDoc),
	"FuzzSimpleReturn":      fuzzSeeds(simpleReturnDoc),
	"FuzzPostureInfoXML":    fuzzSeeds(postureXMLDoc),
	"FuzzClassicPolicyList": fuzzSeeds(classicPolicyListDoc),
	"FuzzPCRSPolicyList":    fuzzSeeds(pcrsPolicyDoc, `{"policyList":[{"id":"<POLICY ID>"},....]}`),
	"FuzzPCRSHostIDs":       fuzzSeeds(pcrsHostIDDoc, `[{"response":{"code":1905,"text":"x"}}]`),
	"FuzzPCRSPostures":      fuzzSeeds(pcrsPostureDoc, `[]`, `[{"id":"1","evidence":null,"lastFailDate":1700000000000}]`),
}

func addSeeds(f *testing.F, name string) {
	for _, s := range fuzzCorpora[name] {
		f.Add([]byte(s))
	}
}

// fuzzDecode runs one decoder over data and checks the invariants shared by all targets.
func fuzzDecode(t *testing.T, decode eventsFunc, data []byte, splitReads bool) {
	// Bounded work: a decoder that does not finish makes the fuzzer record the input as a crash.
	watchdog := time.AfterFunc(20*time.Second, func() { panic("decoder did not finish in 20s") })
	defer watchdog.Stop()
	ev, err := decode(bytes.NewReader(data))
	checkFuzzEnd(t, err)
	if len(ev) > len(data)+1 {
		t.Fatalf("%d records from %d bytes", len(ev), len(data))
	}
	if !splitReads {
		return
	}
	ev2, err2 := decode(iotest.OneByteReader(bytes.NewReader(data)))
	checkFuzzEnd(t, err2)
	if (err == nil) != (err2 == nil) || len(ev) != len(ev2) {
		t.Fatalf("read sizes change the result: %d records, %v vs %d records, %v", len(ev), err, len(ev2), err2)
	}
	for i := range ev {
		if ev[i] != ev2[i] {
			t.Fatalf("read sizes change record %d:\n%s\n%s", i, ev[i], ev2[i])
		}
	}
}

func checkFuzzEnd(t *testing.T, err error) {
	t.Helper()
	var ie *invariantError
	var se *StreamError
	var qe *ServiceError
	switch {
	case err == nil:
	case errors.As(err, &ie):
		t.Fatal(err)
	case errors.As(err, &se), errors.As(err, &qe):
	default:
		t.Fatalf("unexpected end: %T %v", err, err)
	}
}

func FuzzHostDetections(f *testing.F) {
	addSeeds(f, "FuzzHostDetections")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzDecode(t, hldEvents, data, true) })
}

func FuzzHostList(f *testing.F) {
	addSeeds(f, "FuzzHostList")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzDecode(t, hostListEvents, data, true) })
}

func FuzzHostAssets(f *testing.F) {
	addSeeds(f, "FuzzHostAssets")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzDecode(t, hostAssetEvents, data, true) })
}

func FuzzKnowledgeBase(f *testing.F) {
	addSeeds(f, "FuzzKnowledgeBase")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzDecode(t, kbEvents, data, true) })
}

func FuzzSimpleReturn(f *testing.F) {
	addSeeds(f, "FuzzSimpleReturn")
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzDecode(t, simpleReturnEvents, data, true)
		if root := SniffRoot(data); root != "" {
			// A root SniffRoot names is what the tokenizer sees first.
			var s scanner
			s.initBytes(data)
			if s.next() != tokStart && !bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")) {
				t.Fatalf("SniffRoot found %q the scanner does not", root)
			}
		}
	})
}

func FuzzPostureInfoXML(f *testing.F) {
	addSeeds(f, "FuzzPostureInfoXML")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzDecode(t, postureXMLEvents, data, true) })
}

func FuzzClassicPolicyList(f *testing.F) {
	addSeeds(f, "FuzzClassicPolicyList")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzDecode(t, classicPolicyListEvents, data, true) })
}

func FuzzPCRSPolicyList(f *testing.F) {
	addSeeds(f, "FuzzPCRSPolicyList")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzDecode(t, pcrsPolicyEvents, data, true) })
}

func FuzzPCRSHostIDs(f *testing.F) {
	addSeeds(f, "FuzzPCRSHostIDs")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzDecode(t, pcrsHostIDEvents, data, true) })
}

func FuzzPCRSPostures(f *testing.F) {
	addSeeds(f, "FuzzPCRSPostures")
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzDecode(t, pcrsPostureEvents, data, true)
		// The same bytes gzip-compressed decode the same.
		ev, err := pcrsPostureEvents(bytes.NewReader(data))
		zev, zerr := pcrsPostureEvents(bytes.NewReader(gzipBytes(t, data)))
		if (err == nil) != (zerr == nil) || len(ev) != len(zev) {
			t.Fatalf("gzip changes the result: %v vs %v", err, zerr)
		}
	})
}

// TestWriteFuzzCorpus writes the seeds to testdata/fuzz in the go fuzzing corpus format.
func TestWriteFuzzCorpus(t *testing.T) {
	if os.Getenv("DECODE_WRITE_CORPUS") == "" {
		t.Skip("set DECODE_WRITE_CORPUS=1 to rewrite testdata/fuzz")
	}
	for name, seeds := range fuzzCorpora {
		if len(seeds) == 0 {
			continue
		}
		dir := filepath.Join("testdata", "fuzz", name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for i, s := range seeds {
			body := "go test fuzz v1\n[]byte(" + strconv.Quote(s) + ")\n"
			if err := os.WriteFile(filepath.Join(dir, "seed-"+strconv.Itoa(i)), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
