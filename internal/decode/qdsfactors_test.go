// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The QDS_FACTORS cache and the QDS_FACTOR fast path must decode exactly what the general path
// does. Read one byte at a time, the decoder never has a whole element in its buffer, so neither
// is used: that transcript is the reference.
func TestHostDetectionsQDSFactorsCache(t *testing.T) {
	f := func(name, value string) string {
		return `<QDS_FACTOR name="` + name + `"><![CDATA[` + value + `]]></QDS_FACTOR>`
	}
	plain := "\n" + f("RTI", "dos") + "\n" + f("exploit_maturity", "poc") + "\n" + f("epss", "0.1234") + "\n"
	blocks := map[string]string{
		"plain":             plain,
		"no white space":    f("RTI", "dos") + f("CVSS", "7.5"),
		"text values":       `<QDS_FACTOR name="RTI">dos</QDS_FACTOR><QDS_FACTOR name="CVSS">7.5</QDS_FACTOR>`,
		"references":        `<QDS_FACTOR name="a&amp;b">x &lt; y</QDS_FACTOR>` + f("c&amp;d", "&amp;"),
		"single quotes":     `<QDS_FACTOR name='RTI'>dos</QDS_FACTOR>`,
		"two attributes":    `<QDS_FACTOR name="RTI" x="1">dos</QDS_FACTOR><QDS_FACTOR x="2" name="CVSS">7</QDS_FACTOR>`,
		"no name":           `<QDS_FACTOR>dos</QDS_FACTOR>`,
		"empty factor":      `<QDS_FACTOR name="RTI"/><QDS_FACTOR name="CVSS"></QDS_FACTOR>`,
		"end tag spaced":    `<QDS_FACTOR name="RTI">dos</QDS_FACTOR ></QDS_FACTORS >`,
		"comment":           plain + `<!-- </QDS_FACTORS> -->` + f("CVSS", "9.8"),
		"comment in factor": `<QDS_FACTOR name="RTI">d<!-- x -->os</QDS_FACTOR>`,
		"CDATA with tag":    f("RTI", "</QDS_FACTORS>") + f("CVSS", "1"),
		"mixed CDATA":       `<QDS_FACTOR name="RTI">a<![CDATA[b]]>c</QDS_FACTOR>`,
		"unknown child":     `<OTHER><QDS_FACTOR name="x">y</QDS_FACTOR></OTHER>` + f("RTI", "dos"),
		"nested in factor":  `<QDS_FACTOR name="RTI">d<B>x</B>os</QDS_FACTOR>`,
		"bad text":          f("RTI\x01", "a\xffb\x07c\r\nd") + f("é", "€"),
		"long value":        f("RTI", strings.Repeat("v", 300)),
		"long block":        strings.Repeat(f("RTI", "dos,remote_code_execution"), 40),
		"processing instr":  `<?pi </QDS_FACTORS> ?>` + f("RTI", "dos"),
		"quote in value":    `<QDS_FACTOR name="R>T'I">"dos"</QDS_FACTOR>`,
		"empty":             ``,
	}
	names := slices.Sorted(maps.Keys(blocks))
	var b strings.Builder
	b.WriteString(hldHead)
	for host := 1; host <= 4; host++ {
		fmt.Fprintf(&b, "<HOST><ID>%d</ID><DETECTION_LIST>\n", host)
		for i, name := range names {
			block, qid := blocks[name], i+1
			for _, bad := range []string{"", "<SEVERITY>x</SEVERITY>"} {
				end := "</QDS_FACTORS>"
				if strings.HasSuffix(block, "</QDS_FACTORS >") {
					end = ""
				}
				fmt.Fprintf(&b, "<DETECTION><QID>%d</QID>%s<QDS severity=\"LOW\">5</QDS><QDS_FACTORS>%s%s<TIMES_FOUND>%d</TIMES_FOUND></DETECTION>\n",
					qid, bad, block, end, host)
			}
		}
		// The same QID with other factors, and other QIDs with the same factors.
		fmt.Fprintf(&b, "<DETECTION><QID>1</QID><QDS_FACTORS>%s</QDS_FACTORS></DETECTION>\n", f("other", "x"))
		fmt.Fprintf(&b, "<DETECTION><QID>%d</QID><QDS_FACTORS>%s</QDS_FACTORS></DETECTION>\n", 1000+host, plain)
		b.WriteString("<DETECTION><QID>7</QID><QDS_FACTORS/></DETECTION>\n")
		b.WriteString("</DETECTION_LIST></HOST>\n")
	}
	b.WriteString(hldTail)
	doc := b.String()

	for _, limit := range []int{0, 100} {
		configure := func(d *HostDetections) { d.MaxElementBytes = limit }
		want, err := decodeHLD(iotest.OneByteReader(strings.NewReader(doc)), configure)
		require.NoError(t, err)
		require.Len(t, want.dets, 4*(2*len(blocks)+3)-len(want.recErrs))
		got, err := decodeHLD(strings.NewReader(doc), configure)
		require.NoError(t, err)
		assert.Equal(t, want.dets, got.dets, "limit %d", limit)
		assert.Equal(t, fmt.Sprint(want.recErrs), fmt.Sprint(got.recErrs), "limit %d", limit)
		assert.NotEmpty(t, got.d.factors.blocks, "the cache was used")
		for _, e := range got.d.factors.blocks {
			assert.LessOrEqual(t, len(e.raw), maxFactorBlock)
		}
	}
}

// A record's factors are the caller's: changing them does not reach later records.
func TestHostDetectionsQDSFactorsCallerOwned(t *testing.T) {
	det := `<DETECTION><QID>5</QID><QDS_FACTORS><QDS_FACTOR name="RTI"><![CDATA[dos]]></QDS_FACTOR></QDS_FACTORS></DETECTION>`
	doc := hldHead + `<HOST><ID>1</ID><DETECTION_LIST>` + strings.Repeat(det, 4) + `</DETECTION_LIST></HOST>` + hldTail
	for _, fresh := range []bool{false, true} {
		d := NewHostDetections(strings.NewReader(doc))
		d.FreshRecords = fresh
		n := 0
		for {
			k, err := d.Next()
			if err == io.EOF {
				break
			}
			require.NoError(t, err)
			if k != KindDetection {
				continue
			}
			n++
			require.Equal(t, []QDSFactor{{Name: "RTI", Value: "dos"}}, d.Detection().QDSFactors)
			d.Detection().QDSFactors[0] = QDSFactor{Name: "changed", Value: "by the caller"}
		}
		assert.Equal(t, 4, n)
	}
}

// The cache stays within its bounds whatever the number of QIDs.
func TestHostDetectionsQDSFactorsCacheBounded(t *testing.T) {
	const qids = 3 * maxFactorBlocks
	doc := func(repeat int) string {
		var b strings.Builder
		b.WriteString(hldHead + "<HOST><ID>1</ID><DETECTION_LIST>")
		for qid := 1; qid <= qids; qid++ {
			for range repeat {
				fmt.Fprintf(&b, `<DETECTION><QID>%d</QID><QDS_FACTORS><QDS_FACTOR name="n">%d</QDS_FACTOR></QDS_FACTORS></DETECTION>`, qid, qid)
			}
		}
		b.WriteString("</DETECTION_LIST></HOST>" + hldTail)
		return b.String()
	}
	for _, repeat := range []int{1, 2} {
		res, err := decodeHLD(strings.NewReader(doc(repeat)), nil)
		require.NoError(t, err)
		require.Len(t, res.dets, repeat*qids)
		for i, det := range res.dets {
			require.Equal(t, []QDSFactor{{Name: "n", Value: fmt.Sprint(i/repeat + 1)}}, det.QDSFactors)
		}
		c := &res.d.factors
		if repeat == 1 {
			// Nothing repeats: past the warm-up, a miss is stored only now and then.
			assert.Less(t, len(c.blocks), maxFactorBlocks/2)
			assert.Zero(t, c.hits)
		} else {
			assert.Len(t, c.blocks, maxFactorBlocks, "full, the oldest entries evicted")
			assert.InDelta(t, qids, c.hits, 10, "all but the few cut by the end of the read buffer")
		}
	}
}
