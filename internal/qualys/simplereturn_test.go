// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualys

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"testing"
)

// FuzzClientSimpleReturn checks the client's own SIMPLE_RETURN reading, which decides whether an
// answer is a Qualys error (under HTTP 200 too). Besides f.Add's seeds it has a committed corpus in
// testdata/fuzz/FuzzClientSimpleReturn/. It asserts: no panic; a body that is not a SIMPLE_RETURN
// is left unread for the decoders; a short body starting like XML is taken for a SIMPLE_RETURN
// under HTTP 200 (peekSimpleReturn) exactly when it is on an error status (parseSimpleReturn),
// with the same code and text; and what is read survives a round trip through a plain
// SIMPLE_RETURN, so the code and text are the document's, not an artefact of how it was written.
func FuzzClientSimpleReturn(f *testing.F) {
	for _, seed := range []string{
		simpleReturnBody(CodeRateLimit, "This API cannot be run again for another 1 hour.", "SECONDS_TO_WAIT", "3600"),
		simpleReturnBody(2001, "This account has expired."),
		"\n<SIMPLE_RETURN><RESPONSE><CODE> 1960 </CODE><TEXT>a &amp; b &#xD;</TEXT></RESPONSE></SIMPLE_RETURN>",
		okBody,
		`{"status":429,"error":"Too Many Requests"}`,
		"\x1f\x8b\x08\x00",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		body := bufio.NewReaderSize(bytes.NewReader(data), peekBytes)
		peeked, isSimpleReturn, err := peekSimpleReturn(body)
		parsed, parsedOK := parseSimpleReturn(data)
		if !isSimpleReturn && err == nil {
			if rest, _ := io.ReadAll(body); !bytes.Equal(rest, data) {
				t.Fatalf("a body that is no SIMPLE_RETURN was consumed: %d of %d bytes left", len(rest), len(data))
			}
		}
		startsLikeXML := len(data) > 0 && (data[0] == '<' || isSpace(data[0]))
		if len(data) <= peekBytes && startsLikeXML && isSimpleReturn != parsedOK {
			t.Fatalf("SIMPLE_RETURN under HTTP 200: %v, on an error status: %v", isSimpleReturn, parsedOK)
		}
		if isSimpleReturn && len(data) <= errorBodyBytes && peeked != parsed {
			t.Fatalf("read as %+v under HTTP 200, %+v on an error status", peeked, parsed)
		}
		if !parsedOK {
			return
		}
		again, ok := parseSimpleReturn(plainSimpleReturn(parsed))
		if !ok || again != parsed {
			t.Fatalf("%+v reads back as %+v (%v)", parsed, again, ok)
		}
	})
}

// plainSimpleReturn writes sr as Qualys would, escaping the text.
func plainSimpleReturn(sr simpleReturn) []byte {
	var text bytes.Buffer
	_ = xml.EscapeText(&text, []byte(sr.text))
	return fmt.Appendf(nil, "<SIMPLE_RETURN><RESPONSE><CODE>%d</CODE><TEXT>%s</TEXT><ITEM_LIST><ITEM>"+
		"<KEY>SECONDS_TO_WAIT</KEY><VALUE>%d</VALUE></ITEM></ITEM_LIST></RESPONSE></SIMPLE_RETURN>",
		sr.code, text.String(), sr.secondsToWait)
}

// A damaged SECONDS_TO_WAIT after a readable one does not shorten the wait to nothing.
func TestSimpleReturnKeepsFirstReadableWait(t *testing.T) {
	sr, ok := parseSimpleReturn([]byte(simpleReturnBody(CodeRateLimit, "later", "SECONDS_TO_WAIT", "120", "SECONDS_TO_WAIT", "soon")))
	if !ok || sr.code != CodeRateLimit || sr.secondsToWait != 120 {
		t.Fatalf("read %+v (%v), want code %d and a wait of 120 s", sr, ok, CodeRateLimit)
	}
}
