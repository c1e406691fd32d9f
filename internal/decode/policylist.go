// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// ClassicPolicy is a policy of the classic policy list (POLICY_LIST/POLICY).
type ClassicPolicy struct {
	ID    int64
	Title string
}

// ClassicPolicyList is one page of the classic policy list (POLICY_LIST_OUTPUT).
type ClassicPolicyList struct {
	Policies []ClassicPolicy
	// Datetime is RESPONSE/DATETIME, zero when absent.
	Datetime time.Time
	// Warning names the next page of a truncated list; nil on the last page.
	Warning *Warning
}

// ReadClassicPolicyList reads POLICY_LIST_OUTPUT/RESPONSE: DATETIME, the ID and TITLE of each
// POLICY_LIST/POLICY, and the WARNING that names the next page of a truncated list. A policy list
// is small (policies, not hosts), so it is read whole with encoding/xml. A policy without a
// positive ID is left out. A broken document returns a *StreamError.
func ReadClassicPolicyList(r io.Reader) (*ClassicPolicyList, error) {
	d := xml.NewDecoder(r)
	out := &ClassicPolicyList{}
	var path []string
	sawRoot := false
	fail := func(err error) (*ClassicPolicyList, error) {
		return nil, &StreamError{Offset: d.InputOffset(), Err: fmt.Errorf("policy list: %w", err)}
	}
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			if len(path) > 0 || !sawRoot {
				return fail(ErrTruncated)
			}
			return out, nil
		}
		if err != nil {
			return fail(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			pushed, err := out.element(d, &t, path)
			if err != nil {
				return fail(err)
			}
			sawRoot = true
			if pushed {
				path = append(path, t.Name.Local)
			}
		case xml.EndElement:
			path = path[:len(path)-1]
		}
	}
}

// element reads the element t at path, or reports that the caller descends into it (pushed).
func (l *ClassicPolicyList) element(d *xml.Decoder, t *xml.StartElement, path []string) (pushed bool, err error) {
	name := t.Name.Local
	switch {
	case len(path) == 0 && name != "POLICY_LIST_OUTPUT":
		return false, fmt.Errorf("%w: %s, not POLICY_LIST_OUTPUT", ErrUnexpectedRoot, name)
	case name == "POLICY" && len(path) == 3 && path[2] == "POLICY_LIST":
		var p struct {
			ID    int64  `xml:"ID"`
			Title string `xml:"TITLE"`
		}
		if err := d.DecodeElement(&p, t); err != nil {
			return false, err
		}
		if p.ID > 0 {
			l.Policies = append(l.Policies, ClassicPolicy{ID: p.ID, Title: strings.TrimSpace(p.Title)})
		}
		return false, nil
	case name == "DATETIME" && len(path) == 2:
		var text string
		if err := d.DecodeElement(&text, t); err != nil {
			return false, err
		}
		l.Datetime, _ = time.Parse(time.RFC3339, strings.TrimSpace(text))
		return false, nil
	case name == "WARNING" && len(path) == 2:
		var w struct {
			Code int    `xml:"CODE"`
			Text string `xml:"TEXT"`
			URL  string `xml:"URL"`
		}
		if err := d.DecodeElement(&w, t); err != nil {
			return false, err
		}
		l.Warning = &Warning{Code: w.Code, Text: strings.TrimSpace(w.Text), URL: strings.TrimSpace(w.URL)}
		return false, nil
	}
	return true, nil
}
