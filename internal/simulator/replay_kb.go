// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/seed-d80aa3af/qualysreceiver/internal/capture"
)

// kbIndex holds every VULN element of the captured KnowledgeBase answers, byte for byte, by QID,
// and the envelope around the first answer's VULN_LIST, so any set of QIDs can be answered.
type kbIndex struct {
	vulns          map[int64][]byte
	prefix, suffix []byte
	contentType    string
}

// indexKnowledgeBase reads the captured KnowledgeBase answers. One that is cut short or malformed
// (the very surprise a capture may be about) still gives the entries before the fault; it is
// served as captured when asked for exactly.
func indexKnowledgeBase(exchanges []capture.Exchange) (*kbIndex, error) {
	idx := &kbIndex{vulns: map[int64][]byte{}}
	for _, ex := range exchanges {
		if ex.Status != http.StatusOK || !strings.Contains(ex.Path, "/fo/knowledge_base/vuln") {
			continue
		}
		raw, err := os.ReadFile(ex.BodyFile)
		if err != nil {
			return nil, err
		}
		if idx.add(raw) && idx.contentType == "" {
			idx.contentType = ex.ContentType
		}
	}
	return idx, nil
}

// complete says a whole KnowledgeBase answer was captured to build answers from.
func (k *kbIndex) complete() bool { return k.prefix != nil }

// add indexes the VULN elements of one answer and, from the first well-formed one, the envelope.
// It says whether the answer was well-formed.
func (k *kbIndex) add(raw []byte) bool {
	d := xml.NewDecoder(bytes.NewReader(raw))
	d.Strict = false
	var prefix, suffix []byte
	for {
		start := d.InputOffset()
		tok, err := d.Token()
		if errors.Is(err, io.EOF) && prefix != nil && suffix != nil && k.prefix == nil {
			k.prefix, k.suffix = prefix, suffix
		}
		if err != nil {
			return errors.Is(err, io.EOF)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local == "VULN_LIST" && prefix == nil {
				prefix = bytes.Clone(raw[:d.InputOffset()])
			}
			if t.Name.Local == "VULN" && !k.addVuln(d, &t, raw, start) {
				return false
			}
		case xml.EndElement:
			if t.Name.Local == "VULN_LIST" && suffix == nil {
				suffix = bytes.Clone(raw[start:])
			}
		}
	}
}

// addVuln keeps the VULN element that starts at start, byte for byte, under its QID.
func (k *kbIndex) addVuln(d *xml.Decoder, t *xml.StartElement, raw []byte, start int64) bool {
	var v struct {
		QID string `xml:"QID"`
	}
	if err := d.DecodeElement(&v, t); err != nil {
		return false
	}
	if qid, err := strconv.ParseInt(strings.TrimSpace(v.QID), 10, 64); err == nil {
		k.vulns[qid] = bytes.Clone(raw[start:d.InputOffset()])
	}
	return true
}

// serve writes an answer with the captured entries of the comma-separated QIDs; QIDs never
// captured are left out, as Qualys leaves out QIDs it does not know.
func (k *kbIndex) serve(w http.ResponseWriter, ids string) {
	if k.contentType != "" {
		w.Header().Set("Content-Type", k.contentType)
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(k.prefix)
	for _, id := range strings.Split(ids, ",") {
		qid, err := strconv.ParseInt(strings.TrimSpace(id), 10, 64)
		if vuln, ok := k.vulns[qid]; err == nil && ok {
			_, _ = w.Write([]byte("\n"))
			_, _ = w.Write(vuln)
		}
	}
	_, _ = w.Write([]byte("\n"))
	_, _ = w.Write(k.suffix)
}
