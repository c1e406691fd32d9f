// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func date(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

// hldAll decodes a whole HLD document, returning hosts, detections, record errors and the
// terminating error (nil for io.EOF).
type hldResult struct {
	hosts   []*Host
	dets    []Detection
	recErrs []*RecordError
	ends    []int64
	lost    map[int64][]FieldError // unreadable fields by host ID (the host's) or QID
	d       *HostDetections
}

func decodeHLD(r io.Reader, configure func(*HostDetections)) (hldResult, error) {
	d := NewHostDetections(r)
	if configure != nil {
		configure(d)
	}
	res := hldResult{d: d, lost: map[int64][]FieldError{}}
	for {
		k, err := d.Next()
		if err == io.EOF {
			return res, nil
		}
		var re *RecordError
		if errors.As(err, &re) {
			res.recErrs = append(res.recErrs, re)
			continue
		}
		if err != nil {
			return res, err
		}
		switch k {
		case KindHostStart:
			res.hosts = append(res.hosts, d.Host())
			if l := d.UnreadableFields(); l != nil {
				res.lost[d.Host().ID] = append([]FieldError(nil), l...)
			}
		case KindDetection:
			res.dets = append(res.dets, *d.Detection().Clone())
			if l := d.UnreadableFields(); l != nil {
				res.lost[d.Detection().QID] = append([]FieldError(nil), l...)
			}
		case KindHostEnd:
			res.ends = append(res.ends, d.Host().ID)
		}
	}
}

func TestHostDetectionsDocument(t *testing.T) {
	res, err := decodeHLD(strings.NewReader(hldDoc), nil)
	require.NoError(t, err)
	require.Len(t, res.hosts, 4)
	assert.Equal(t, []int64{101, 102, 103, 104}, res.ends, "every host ends, with or without detections")

	h := res.hosts[0]
	assert.Equal(t, int64(101), h.ID)
	assert.Equal(t, int64(9001), h.AssetID)
	assert.Equal(t, "", h.IPv6, "self-closing element")
	assert.Equal(t, "Windows Server 2019 <Datacenter>", h.OS, "CDATA")
	assert.Equal(t, "host&one.example.com", h.DNS, "entity")
	assert.Equal(t, DNSData{Hostname: "host&one", Domain: "example.com", FQDN: "host&one.example.com"}, h.DNSData)
	assert.Equal(t, []Tag{{ID: 7001, Name: "PCI &amp; Prod"}}, h.Tags, "a list of one; CDATA keeps &amp; literally")
	assert.Equal(t, 812, h.TruRiskScore)
	assert.Equal(t, date("2026-01-14T09:59:00Z"), h.LastVMScannedDate)

	require.Len(t, res.dets, 3)
	d := res.dets[0]
	assert.Same(t, h, d.Host)
	assert.Equal(t, int64(38170), d.QID)
	assert.Equal(t, int64(5550001), d.UniqueVulnID)
	assert.Equal(t, "Confirmed", d.Type)
	assert.Equal(t, 443, d.Port)
	assert.True(t, d.SSL)
	assert.Equal(t, "Certificate <CN=host> expired © ☺ done & raw <tail>", d.Results,
		"entities, character references, a comment and a CDATA section in one text")
	assert.Equal(t, 72, d.QDS)
	assert.Equal(t, "HIGH", d.QDSSeverity)
	assert.Equal(t, []QDSFactor{{Name: "CVSS", Value: "7.5"}}, d.QDSFactors)
	assert.True(t, d.AffectsKernel)
	assert.Equal(t, 12, d.TimesFound)
	assert.Equal(t, date("2026-01-14T10:00:00Z"), d.LastProcessed)
	assert.Equal(t, "Re-Opened", res.dets[1].Status)
	assert.Equal(t, 1, res.dets[1].TimesReopened)
	assert.Equal(t, int64(104), res.dets[2].Host.ID)

	w := res.d.Warning()
	require.NotNil(t, w)
	assert.Equal(t, 1980, w.Code)
	assert.Contains(t, w.URL, "&id_min=105")
	assert.Equal(t, date("2026-01-15T12:00:00Z"), res.d.Datetime())
}

func TestHostDetectionsEmptyAndLastPage(t *testing.T) {
	res, err := decodeHLD(strings.NewReader(hldEmptyDoc), nil)
	require.NoError(t, err)
	assert.Empty(t, res.hosts)
	assert.Nil(t, res.d.Warning(), "no WARNING: the last page")
}

func TestHostDetectionsRead(t *testing.T) {
	d := NewHostDetections(strings.NewReader(hldDoc))
	var qids []int64
	for {
		det, err := d.Read()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		qids = append(qids, det.QID)
	}
	assert.Equal(t, []int64{38170, 105943, 6}[:2], qids[:2])
	assert.Len(t, qids, 3)
}

func TestHostDetectionsReuseRecord(t *testing.T) {
	d := NewHostDetections(strings.NewReader(hldDoc))
	var first *Detection
	var results []string
	for {
		det, err := d.Read()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		if first == nil {
			first = det
		}
		assert.Same(t, first, det)
		results = append(results, det.Results)
	}
	assert.Equal(t, "Certificate <CN=host> expired © ☺ done & raw <tail>", results[0], "strings stay valid")
	assert.Empty(t, results[1], "fields are reset between records")

	d = NewHostDetections(strings.NewReader(hldDoc))
	d.FreshRecords = true
	a, err := d.Read()
	require.NoError(t, err)
	b, err := d.Read()
	require.NoError(t, err)
	assert.NotSame(t, a, b)
	assert.Equal(t, int64(38170), a.QID)
	assert.Equal(t, []QDSFactor{{Name: "CVSS", Value: "7.5"}}, a.QDSFactors)
}

const hldHead = `<HOST_LIST_VM_DETECTION_OUTPUT><RESPONSE><HOST_LIST>`
const hldTail = `</HOST_LIST></RESPONSE></HOST_LIST_VM_DETECTION_OUTPUT>`

func TestHostDetectionsRecordErrors(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		wantQIDs []int64
		wantErrs []error
		wantIDs  []string
		wantLost []string // unreadable fields of QID 5
	}{
		{
			name:     "bad QID skips that detection only",
			body:     `<HOST><ID>1</ID><DETECTION_LIST><DETECTION><QID>x1</QID></DETECTION><DETECTION><QID>2</QID></DETECTION></DETECTION_LIST></HOST>`,
			wantQIDs: []int64{2},
			wantErrs: []error{ErrBadValue},
			wantIDs:  []string{"1/0"},
		},
		{
			name:     "bad optional number costs that field",
			body:     `<HOST><ID>1</ID><DETECTION_LIST><DETECTION><QID>5</QID><PORT>80a</PORT></DETECTION></DETECTION_LIST></HOST>`,
			wantQIDs: []int64{5},
			wantLost: []string{`DETECTION/PORT "80a": malformed value`},
		},
		{
			name:     "number out of range costs that field",
			body:     `<HOST><ID>1</ID><DETECTION_LIST><DETECTION><QID>5</QID><SEVERITY>99999999999</SEVERITY></DETECTION></DETECTION_LIST></HOST>`,
			wantQIDs: []int64{5},
			wantLost: []string{`DETECTION/SEVERITY "99999999999": malformed value`},
		},
		{
			name: "bad date costs that field",
			body: `<HOST><ID>1</ID><DETECTION_LIST><DETECTION><QID>5</QID><LAST_FOUND_DATETIME>2026-02-30T00:00:00Z</LAST_FOUND_DATETIME>` +
				`<IS_IGNORED>maybe</IS_IGNORED></DETECTION></DETECTION_LIST></HOST>`,
			wantQIDs: []int64{5},
			wantLost: []string{`DETECTION/LAST_FOUND_DATETIME "2026-02-30T00:00:00Z": malformed value`, `DETECTION/IS_IGNORED "maybe": malformed value`},
		},
		{
			name:     "missing QID",
			body:     `<HOST><ID>1</ID><DETECTION_LIST><DETECTION><TYPE>Info</TYPE></DETECTION></DETECTION_LIST></HOST>`,
			wantErrs: []error{ErrMissingID},
		},
		{
			name:     "bad host ID skips the host and its detections",
			body:     `<HOST><ID>-1x</ID><DETECTION_LIST><DETECTION><QID>1</QID></DETECTION></DETECTION_LIST></HOST><HOST><ID>2</ID><DETECTION_LIST><DETECTION><QID>3</QID></DETECTION></DETECTION_LIST></HOST>`,
			wantQIDs: []int64{3},
			wantErrs: []error{ErrBadValue},
		},
		{
			name:     "host without ID",
			body:     `<HOST><IP>1.2.3.4</IP><DETECTION_LIST><DETECTION><QID>1</QID></DETECTION></DETECTION_LIST></HOST><HOST/>`,
			wantErrs: []error{ErrMissingID, ErrMissingID},
		},
		{
			name:     "empty values are zero, not errors",
			body:     `<HOST><ID>1</ID><DETECTION_LIST><DETECTION><QID>4</QID><PORT></PORT><SSL/><LAST_FOUND_DATETIME> </LAST_FOUND_DATETIME></DETECTION></DETECTION_LIST></HOST>`,
			wantQIDs: []int64{4},
		},
		{
			name:     "values with character references still parse",
			body:     `<HOST><ID>&#49;</ID><DETECTION_LIST><DETECTION><QID>&#x34;2</QID></DETECTION></DETECTION_LIST></HOST>`,
			wantQIDs: []int64{42},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, r := range []io.Reader{strings.NewReader(hldHead + tt.body + hldTail), iotest.OneByteReader(strings.NewReader(hldHead + tt.body + hldTail))} {
				res, err := decodeHLD(r, nil)
				require.NoError(t, err)
				var qids []int64
				for _, d := range res.dets {
					qids = append(qids, d.QID)
				}
				assert.Equal(t, tt.wantQIDs, qids)
				var lost []string
				for _, fe := range res.lost[5] {
					lost = append(lost, fe.Error())
				}
				assert.Equal(t, tt.wantLost, lost)
				require.Len(t, res.recErrs, len(tt.wantErrs))
				for i, want := range tt.wantErrs {
					assert.ErrorIs(t, res.recErrs[i], want)
					if i < len(tt.wantIDs) {
						assert.Equal(t, tt.wantIDs[i], res.recErrs[i].ID)
					}
				}
			}
		})
	}
}

func TestHostDetectionsStreamErrors(t *testing.T) {
	deep := strings.Repeat("<A>", maxDepth+1)
	tests := []struct {
		name string
		doc  string
		want error
	}{
		{"empty body", "", ErrTruncated},
		{"only a prolog", `<?xml version="1.0"?><!-- x -->`, ErrTruncated},
		{"SIMPLE_RETURN instead", simpleReturnDoc, ErrUnexpectedRoot},
		{"mismatched end tag", hldHead + `<HOST><ID>1</ID></HOSTX>` + hldTail, ErrSyntax},
		{"end tag without start", `</HOST_LIST_VM_DETECTION_OUTPUT>`, ErrSyntax},
		{"broken start tag", hldHead + `<HOST <ID>1</ID></HOST>` + hldTail, ErrSyntax},
		{"empty tag name", hldHead + `<>` + hldTail, ErrSyntax},
		{"element after the root", hldEmptyDoc + `<HOST_LIST_VM_DETECTION_OUTPUT/>`, ErrSyntax},
		{"unterminated comment", hldHead + `<!-- never closed`, ErrTruncated},
		{"unterminated CDATA", hldHead + `<HOST><ID><![CDATA[1`, ErrTruncated},
		{"cut in a tag", hldHead + `<HOST><ID`, ErrTruncated},
		{"nested too deep", `<HOST_LIST_VM_DETECTION_OUTPUT>` + deep, ErrSyntax},
		{"name too long", hldHead + "<" + strings.Repeat("N", 2000) + ">", ErrSyntax},
		{"end name too long", hldHead + "</" + strings.Repeat("N", 2000) + ">", ErrSyntax},
		{"not XML", `{"json": true}`, ErrTruncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewHostDetections(strings.NewReader(tt.doc))
			var err error
			for range 1000 {
				if _, err = d.Next(); err != nil && !isRecordError(err) {
					break
				}
			}
			require.ErrorIs(t, err, tt.want)
			var se *StreamError
			require.ErrorAs(t, err, &se)
			_, again := d.Next()
			assert.Equal(t, err, again, "sticky")
		})
	}
}

func TestHostDetectionsReadError(t *testing.T) {
	boom := errors.New("connection reset")
	r := io.MultiReader(strings.NewReader(hldHead+`<HOST><ID>1</ID>`), iotest.ErrReader(boom))
	_, err := decodeHLD(r, nil)
	require.ErrorIs(t, err, boom)
}

func TestHostDetectionsDoctypeNeverExpanded(t *testing.T) {
	// The internal subset declares an entity and an external one; neither is read or expanded,
	// and nothing is fetched: the tokenizer has no way to open anything.
	doc := `<?xml version="1.0"?>
<!DOCTYPE HOST_LIST_VM_DETECTION_OUTPUT SYSTEM "http://127.0.0.1:1/never.dtd" [
  <!ENTITY custom "EXPANDED">
  <!ENTITY ext SYSTEM "file:///etc/passwd">
  <!-- a ] and a > inside the subset -->
]>
` + hldHead + `<HOST><ID>1</ID><DNS>&custom;&ext;&amp;</DNS><DETECTION_LIST/></HOST>` + hldTail
	res, err := decodeHLD(strings.NewReader(doc), nil)
	require.NoError(t, err)
	require.Len(t, res.hosts, 1)
	assert.Equal(t, "&custom;&ext;&", res.hosts[0].DNS)
}

func TestHostDetectionsText(t *testing.T) {
	tests := []struct {
		name, results string
		want          string
		maxResults    int
		wantTruncated bool
	}{
		{name: "invalid UTF-8 becomes U+FFFD", results: "a\xffb\xc3", want: "a\uFFFDb\uFFFD"},
		{name: "C0 controls dropped, tab and LF kept", results: "a\x00b\x01c\td\ne\x1f", want: "abc\td\ne"},
		{name: "CR LF and CR become LF", results: "a\r\nb\rc", want: "a\nb\nc"},
		{name: "controls in CDATA", results: "<![CDATA[x\x07y\xfe]]>", want: "xy\uFFFD"},
		{name: "character reference to a control", results: "a&#1;b&#0;c&#xD800;", want: "ab\uFFFDc\uFFFD"},
		{name: "bare ampersand kept", results: "AT&T &unknown; &#xZZ;", want: "AT&T &unknown; &#xZZ;"},
		{name: "cut on a UTF-8 boundary", results: "ab€€", maxResults: 4, want: "ab", wantTruncated: true},
		{name: "cut after an entity", results: "x&lt;&lt;yyyy", maxResults: 3, want: "x<<", wantTruncated: true},
		{name: "cut in CDATA", results: "<![CDATA[0123456789]]>", maxResults: 5, want: "01234", wantTruncated: true},
		{name: "exactly the limit", results: "01234", maxResults: 5, want: "01234"},
		{name: "dropped", results: "whatever", maxResults: -1, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := hldHead + `<HOST><ID>1</ID><DETECTION_LIST><DETECTION><QID>2</QID><RESULTS>` + tt.results +
				`</RESULTS><STATUS>New</STATUS></DETECTION></DETECTION_LIST></HOST>` + hldTail
			for name, r := range map[string]io.Reader{
				"whole":    strings.NewReader(doc),
				"one byte": iotest.OneByteReader(strings.NewReader(doc)),
			} {
				res, err := decodeHLD(r, func(d *HostDetections) { d.MaxResultsBytes = tt.maxResults })
				require.NoError(t, err, name)
				require.Len(t, res.dets, 1, name)
				assert.Equal(t, tt.want, res.dets[0].Results, name)
				assert.Equal(t, tt.wantTruncated, res.dets[0].ResultsTruncated, name)
				assert.Equal(t, "New", res.dets[0].Status, name)
			}
		})
	}
}

func TestHostDetectionsElementLimit(t *testing.T) {
	long := strings.Repeat("x", 5000)
	doc := hldHead + `<HOST><ID>1</ID><DETECTION_LIST>` +
		`<DETECTION><QID>1</QID><INSTANCE>` + long + `</INSTANCE></DETECTION>` +
		`<DETECTION><QID>2</QID><RESULTS>` + long + `</RESULTS></DETECTION>` +
		`</DETECTION_LIST></HOST>` + hldTail
	res, err := decodeHLD(strings.NewReader(doc), func(d *HostDetections) { d.MaxElementBytes = 1000 })
	require.NoError(t, err)
	assert.Empty(t, res.recErrs)
	require.Len(t, res.dets, 2, "a text field over MaxElementBytes costs that field only")
	assert.Empty(t, res.dets[0].Instance)
	require.Len(t, res.lost[1], 1)
	assert.Equal(t, "DETECTION/INSTANCE: element exceeds size limit", res.lost[1][0].Error())
	assert.Len(t, res.dets[1].Results, 5000, "RESULTS is governed by MaxResultsBytes instead")

	// Under the limit, a text longer than the read buffer is read whole.
	big := strings.Repeat("é", 150_000)
	doc = hldHead + `<HOST><ID>1</ID><OS>` + big + `</OS><DETECTION_LIST/></HOST>` + hldTail
	res, err = decodeHLD(strings.NewReader(doc), nil)
	require.NoError(t, err)
	require.Len(t, res.hosts, 1)
	assert.Equal(t, big, res.hosts[0].OS)

	// A tag over the limit cannot be skipped: the stream is broken.
	doc = hldHead + `<HOST a="` + strings.Repeat("y", 200_000) + `"><ID>1</ID></HOST>` + hldTail
	_, err = decodeHLD(strings.NewReader(doc), func(d *HostDetections) { d.MaxElementBytes = 1000 })
	require.ErrorIs(t, err, ErrTooLarge)
}

func TestHostDetectionsHostFieldsAfterDetections(t *testing.T) {
	// Not the DTD order: fields after DETECTION_LIST still land on the host by KindHostEnd.
	doc := hldHead + `<HOST><ID>1</ID><DETECTION_LIST><DETECTION><QID>2</QID></DETECTION></DETECTION_LIST><IP>1.1.1.1</IP></HOST>` + hldTail
	d := NewHostDetections(strings.NewReader(doc))
	var kinds []Kind
	for {
		k, err := d.Next()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		kinds = append(kinds, k)
	}
	assert.Equal(t, []Kind{KindHostStart, KindDetection, KindHostEnd}, kinds)
	assert.Equal(t, "1.1.1.1", d.Host().IP)
}
