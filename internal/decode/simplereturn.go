// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"fmt"
	"io"
	"strconv"
	"time"
)

// SimpleReturn is SIMPLE_RETURN/RESPONSE, the body of Qualys VM/PC API errors and of some
// confirmations: for example 1960 (concurrency limit, ITEM CALLS_TO_FINISH),
// 1965 (rate limit, ITEM SECONDS_TO_WAIT), 2001 (account expired, under HTTP 200).
type SimpleReturn struct {
	Datetime time.Time
	Code     int
	Text     string
	Items    []Item
}

// Item is SIMPLE_RETURN/RESPONSE/ITEM_LIST/ITEM.
type Item struct {
	Key   string
	Value string
}

// Item returns the value of the first item with the given key.
func (r *SimpleReturn) Item(key string) (string, bool) {
	for _, it := range r.Items {
		if it.Key == key {
			return it.Value, true
		}
	}
	return "", false
}

// ItemInt returns the value of the first item with the given key as an integer (for example
// SECONDS_TO_WAIT); ok is false when the item is absent or not a number.
func (r *SimpleReturn) ItemInt(key string) (int64, bool) {
	v, ok := r.Item(key)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(v, 10, 64)
	return n, err == nil
}

// Error formats the return as an error message.
func (r *SimpleReturn) Error() string {
	return fmt.Sprintf("qualys: code %d: %s", r.Code, r.Text)
}

// DecodeSimpleReturn reads a whole SIMPLE_RETURN document (small: one response) from r. Each
// element is limited to DefaultMaxElementBytes (a longer TEXT or ITEM is left out). A malformed
// CODE is an error wrapping ErrBadValue; other errors are stream errors as for the record decoders.
func DecodeSimpleReturn(r io.Reader) (*SimpleReturn, error) {
	var s scanner
	s.initSize(r, 0, 4<<10) // error bodies are small
	env := envelope{root: "SIMPLE_RETURN", wrapper: "RESPONSE"}
	sr := &SimpleReturn{}
	for {
		err := env.next(&s)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch string(s.name) {
		case "CODE":
			sr.Code = s.int()
			if len(s.lost) > 0 { // CODE is what the caller acts on: without it the answer is unusable
				fe := s.lost[0]
				return nil, &StreamError{Offset: s.offset(), Err: &fe}
			}
		case "TEXT":
			sr.Text = s.str()
		case "ITEM_LIST":
			sr.Items = readItems(&s, sr.Items)
		default:
			s.skip()
		}
		if s.err != nil {
			return nil, s.err
		}
		s.lost = s.lost[:0] // a TEXT over the limit is left out
	}
	sr.Datetime = env.datetime
	return sr, nil
}

func readItems(s *scanner, dst []Item) []Item {
	if s.empty {
		return dst
	}
	for s.next() == tokStart {
		if string(s.name) != "ITEM" || s.empty {
			s.skip()
			continue
		}
		var it Item
		for s.next() == tokStart {
			switch string(s.name) {
			case "KEY":
				it.Key = s.str()
			case "VALUE":
				it.Value = s.str()
			default:
				s.skip()
			}
		}
		dst = append(dst, it)
	}
	return dst
}

// SniffRoot returns the name of the root element of the XML document that starts with prefix,
// skipping the XML declaration, comments, processing instructions and DOCTYPE, or "" when prefix
// is not XML or ends before the root element's name. The client passes a bufio.Reader Peek of
// the body to recognise a SIMPLE_RETURN under HTTP 200 without consuming it. prefix is not
// modified or retained.
func SniffRoot(prefix []byte) string {
	if len(prefix) >= 3 && prefix[0] == 0xEF && prefix[1] == 0xBB && prefix[2] == 0xBF {
		prefix = prefix[3:] // UTF-8 byte order mark
	}
	var s scanner
	s.initBytes(prefix)
	for s.pos < s.end && isSpace(s.buf[s.pos]) {
		s.pos++
	}
	if s.pos == s.end || s.buf[s.pos] != '<' {
		return ""
	}
	if s.next() != tokStart {
		return ""
	}
	return string(s.name)
}
