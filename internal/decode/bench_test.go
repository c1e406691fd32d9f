// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
)

// repeatRecords builds a document of n records: head, the record with its {{ID}} replaced by a
// counter, separators between records, tail.
func repeatRecords(head, record, sep, tail string, n int) []byte {
	var b bytes.Buffer
	b.WriteString(head)
	for i := range n {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(strings.ReplaceAll(record, "{{ID}}", fmt.Sprint(i+1)))
	}
	b.WriteString(tail)
	return b.Bytes()
}

// between returns the text of doc from the first from up to and including the first to after it.
func between(doc, from, to string) string {
	i := strings.Index(doc, from)
	j := strings.Index(doc[i:], to)
	return doc[i : i+j+len(to)]
}

// benchRecords runs read over doc and reports records/s.
func benchRecords(b *testing.B, doc []byte, records int, read func(io.Reader) int) {
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if got := read(bytes.NewReader(doc)); got != records {
			b.Fatalf("read %d records, want %d", got, records)
		}
		n += records
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
}

func BenchmarkHostList(b *testing.B) {
	host := strings.Replace(between(hostListDoc, "<HOST>", "</HOST>"), "<ID>201</ID>", "<ID>{{ID}}</ID>", 1)
	doc := repeatRecords(`<HOST_LIST_OUTPUT><RESPONSE><DATETIME>2026-01-15T12:00:00Z</DATETIME><HOST_LIST>`, host, "\n",
		`</HOST_LIST></RESPONSE></HOST_LIST_OUTPUT>`, 10000)
	benchRecords(b, doc, 10000, func(r io.Reader) int {
		d := NewHostList(r)
		n := 0
		for {
			if _, err := d.Next(); err != nil {
				if err != io.EOF {
					b.Fatal(err)
				}
				return n
			}
			n++
		}
	})
}

func BenchmarkHostListIDSet(b *testing.B) {
	doc := repeatRecords(`<HOST_LIST_OUTPUT><RESPONSE><ID_SET>`, `<ID>{{ID}}</ID>`, "\n", `</ID_SET></RESPONSE></HOST_LIST_OUTPUT>`, 1_000_000)
	benchRecords(b, doc, 1_000_000, func(r io.Reader) int {
		d := NewHostList(r)
		n := 0
		for {
			if _, err := d.Next(); err != nil {
				if err != io.EOF {
					b.Fatal(err)
				}
				return n
			}
			n++
		}
	})
}

func BenchmarkHostAssets(b *testing.B) {
	asset := strings.Replace(between(hostAssetDoc, "<HostAsset>", "</HostAsset>"), "<id>3001</id>", "<id>{{ID}}</id>", 1)
	doc := repeatRecords(`<ServiceResponse><responseCode>SUCCESS</responseCode><data>`, asset, "\n", `</data></ServiceResponse>`, 5000)
	benchRecords(b, doc, 5000, func(r io.Reader) int {
		d := NewHostAssets(r)
		n := 0
		for {
			if _, err := d.Read(); err != nil {
				if err != io.EOF {
					b.Fatal(err)
				}
				return n
			}
			n++
		}
	})
}

func BenchmarkKnowledgeBase(b *testing.B) {
	vuln := strings.Replace(between(kbDoc, "<VULN>", "</VULN>"), "<QID>38170</QID>", "<QID>{{ID}}</QID>", 1)
	doc := repeatRecords(`<KNOWLEDGE_BASE_VULN_LIST_OUTPUT><RESPONSE><VULN_LIST>`, vuln, "\n",
		`</VULN_LIST></RESPONSE></KNOWLEDGE_BASE_VULN_LIST_OUTPUT>`, 10000)
	benchRecords(b, doc, 10000, func(r io.Reader) int {
		d := NewKnowledgeBase(r)
		n := 0
		for {
			if _, err := d.Read(); err != nil {
				if err != io.EOF {
					b.Fatal(err)
				}
				return n
			}
			n++
		}
	})
}

func BenchmarkSimpleReturn(b *testing.B) {
	benchRecords(b, []byte(simpleReturnDoc), 1, func(r io.Reader) int {
		if _, err := DecodeSimpleReturn(r); err != nil {
			b.Fatal(err)
		}
		return 1
	})
}

func BenchmarkSniffRoot(b *testing.B) {
	prefix := []byte(hldDoc[:2048])
	b.ReportAllocs()
	for b.Loop() {
		if SniffRoot(prefix) != "HOST_LIST_VM_DETECTION_OUTPUT" {
			b.Fatal("wrong root")
		}
	}
}

func BenchmarkPostureInfoList(b *testing.B) {
	info := strings.Replace(between(postureXMLDoc, "<INFO>", "</INFO>"), "<ID>900001</ID>", "<ID>{{ID}}</ID>", 1)
	doc := repeatRecords(`<POSTURE_INFO_LIST_OUTPUT><RESPONSE><INFO_LIST>`, info, "\n", `</INFO_LIST></RESPONSE></POSTURE_INFO_LIST_OUTPUT>`, 20000)
	benchRecords(b, doc, 20000, func(r io.Reader) int {
		d := NewPostureInfoList(r)
		n := 0
		for {
			if _, err := d.Next(); err != nil {
				if err != io.EOF {
					b.Fatal(err)
				}
				return n
			}
			n++
		}
	})
}

func BenchmarkPCRSPolicies(b *testing.B) {
	pol := `{"id": {{ID}}, "title": "CIS Ubuntu", "createdBy": "admin", "createdDate": "2024-01-02T03:04:05Z", "modifiedBy": "admin", "modifiedDate": "2024-02-02T03:04:05Z", "lastEvaluatedDate": "2026-01-14T00:00:00Z", "status": "active", "locked": 0}`
	doc := repeatRecords(`{"subscriptionId":"1","policyList":[`, pol, ",\n", "]}", 2000)
	benchRecords(b, doc, 2000, func(r io.Reader) int {
		d := NewPCRSPolicies(r)
		n := 0
		for {
			if _, err := d.Read(); err != nil {
				if err != io.EOF {
					b.Fatal(err)
				}
				return n
			}
			n++
		}
	})
}

func BenchmarkPCRSHostIDs(b *testing.B) {
	ids := strings.TrimSuffix(strings.Repeat(`"123456789",`, 100000), ",")
	elem := `{"policyId":"{{ID}}","subscriptionId":"1","hostIds":[` + ids + `]}`
	doc := repeatRecords("[", elem, ",", "]", 10)
	benchRecords(b, doc, 10, func(r io.Reader) int {
		d := NewPCRSHostIDs(r)
		n := 0
		for {
			if _, err := d.Read(); err != nil {
				if err != io.EOF {
					b.Fatal(err)
				}
				return n
			}
			n++
		}
	})
}

func BenchmarkPCRSPostures(b *testing.B) {
	posture := strings.Replace(between(pcrsPostureDoc, "{\"id\": 900001", "\"somethingNew\": {\"a\": 1}}"), "900001", "{{ID}}", 1)
	doc := repeatRecords("[", posture, ",\n", "]", 20000)
	for name, body := range map[string][]byte{"plain": doc, "gzip": gzipBytes(b, doc)} {
		b.Run(name, func(b *testing.B) {
			benchRecords(b, body, 20000, func(r io.Reader) int {
				d := NewPCRSPostures(r)
				n := 0
				for {
					if _, err := d.Read(); err != nil {
						if err != io.EOF {
							b.Fatal(err)
						}
						return n
					}
					n++
				}
			})
		})
	}
}
