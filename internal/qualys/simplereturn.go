// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualys // import "github.com/seed-d80aa3af/qualysreceiver/internal/qualys"

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"
)

// simpleReturn is Qualys' SIMPLE_RETURN answer: SIMPLE_RETURN/RESPONSE/{DATETIME, CODE, TEXT,
// ITEM_LIST/ITEM(KEY, VALUE)}. It is small and only read on error paths, so
// encoding/xml reads it.
type simpleReturn struct {
	code          int
	text          string
	secondsToWait int
}

type simpleReturnXML struct {
	XMLName  xml.Name `xml:"SIMPLE_RETURN"`
	Response struct {
		Code  string `xml:"CODE"`
		Text  string `xml:"TEXT"`
		Items []struct {
			Key   string `xml:"KEY"`
			Value string `xml:"VALUE"`
		} `xml:"ITEM_LIST>ITEM"`
	} `xml:"RESPONSE"`
}

// peekSimpleReturn tells whether the answer in body is a SIMPLE_RETURN without consuming the body
// when it is not. When it is, it reads it.
func peekSimpleReturn(body *bufio.Reader) (simpleReturn, bool, error) {
	root, err := peekRoot(body)
	if err != nil {
		return simpleReturn{}, false, err
	}
	if root != "SIMPLE_RETURN" {
		return simpleReturn{}, false, nil
	}
	sr, ok := parseSimpleReturn(readErrorBody(body))
	if !ok {
		return simpleReturn{}, false, errors.New("unreadable SIMPLE_RETURN answer")
	}
	return sr, true, nil
}

// peekRoot reads just enough of body to name its root element, without consuming anything: it
// peeks what has arrived and asks for more only while no element has started, so a slow answer is
// not held up until peekBytes have arrived. "" for an empty or non-XML body (JSON, gzip).
func peekRoot(body *bufio.Reader) (string, error) {
	want := 1
	for {
		head, err := body.Peek(want)
		if b := body.Buffered(); b > len(head) {
			head, _ = body.Peek(b) // examine everything that has arrived before asking for more
		}
		if len(head) > 0 && head[0] != '<' && !isSpace(head[0]) {
			return "", nil
		}
		if root := rootElement(head); root != "" {
			return root, nil
		}
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, bufio.ErrBufferFull) {
				return "", nil
			}
			return "", err
		}
		if len(head) >= peekBytes {
			return "", nil
		}
		want = len(head) + 1
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0xEF }

// rootElement is the name of the first element in an XML prefix, skipping the prolog, comments and
// the DOCTYPE (which is never fetched); "" when the prefix holds none.
func rootElement(prefix []byte) string {
	d := xml.NewDecoder(bytes.NewReader(prefix))
	d.Strict = false
	for {
		tok, err := d.RawToken()
		if err != nil {
			return ""
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se.Name.Local
		}
	}
}

func parseSimpleReturn(raw []byte) (simpleReturn, bool) {
	if rootElement(raw) != "SIMPLE_RETURN" {
		return simpleReturn{}, false
	}
	var doc simpleReturnXML
	d := xml.NewDecoder(bytes.NewReader(raw))
	d.Strict = false
	if err := d.Decode(&doc); err != nil {
		return simpleReturn{}, false
	}
	sr := simpleReturn{text: strings.TrimSpace(doc.Response.Text)}
	sr.code, _ = strconv.Atoi(strings.TrimSpace(doc.Response.Code))
	for _, it := range doc.Response.Items {
		// The first readable SECONDS_TO_WAIT counts; a damaged later one does not erase it.
		if strings.TrimSpace(it.Key) == "SECONDS_TO_WAIT" && sr.secondsToWait == 0 {
			sr.secondsToWait, _ = strconv.Atoi(strings.TrimSpace(it.Value))
		}
	}
	return sr, true
}
