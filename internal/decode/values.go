// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"time"
)

// maxLostFields bounds the unreadable fields kept per record; one is enough to count the record.
const maxLostFields = 32

// leafText returns the text of the element just opened, bounded by the element limit; a longer
// value is lost (nil) and reported as an unreadable field.
func (s *scanner) leafText() []byte {
	b, truncated := s.text(s.maxText)
	if truncated {
		s.bad(ErrTooLarge, nil)
		return nil
	}
	return b
}

// beginRecord starts collecting the unreadable fields of the record whose start tag next just
// returned; field paths start at its element.
func (s *scanner) beginRecord() {
	s.lost = s.lost[:0]
	s.recDepth = len(s.offs)
	if !s.leaf && !s.empty {
		s.recDepth-- // the record's element is open on the stack
	}
}

// bad records a field of the current record that cannot be read, naming the element text()
// closed.
func (s *scanner) bad(cause error, value []byte) {
	if s.err != nil || len(s.lost) >= maxLostFields {
		return
	}
	name := s.lastName()
	s.lost = append(s.lost, FieldError{Path: s.fieldPath(name), Value: clip(value), Err: cause})
}

// badAttr records an attribute of the current start tag that cannot be read.
func (s *scanner) badAttr(key string, value []byte) {
	if s.err != nil || len(s.lost) >= maxLostFields {
		return
	}
	leaf := "@" + key
	if s.leaf || s.empty { // the element is not on the stack
		leaf = string(s.name) + "/" + leaf
	}
	s.lost = append(s.lost, FieldError{Path: s.fieldPath(leaf), Value: clip(value), Err: ErrBadValue})
}

// fieldPath joins the open elements from the record's element down, then leaf.
func (s *scanner) fieldPath(leaf string) string {
	var b []byte
	for i := max(s.recDepth, 0); i < len(s.offs); i++ {
		end := len(s.names)
		if i+1 < len(s.offs) {
			end = s.offs[i+1]
		}
		b = append(append(b, s.names[s.offs[i]:end]...), '/')
	}
	return string(append(b, leaf...))
}

// missingID is the record error of a record without a usable ID: the ID's own read error when
// it had one (its path ends with /idName), else ErrMissingID.
func (s *scanner) missingID(off int64, idName string) *RecordError {
	for i := range s.lost {
		if p := s.lost[i].Path; strings.HasSuffix(p, "/"+idName) && strings.Count(p, "/") == 1 {
			fe := s.lost[i] // s.lost is reused by the next record
			return &RecordError{Offset: off, Err: &fe}
		}
	}
	return &RecordError{Offset: off, Err: ErrMissingID}
}

// unreadable returns the fields lost in the current record, nil when none.
func (s *scanner) unreadable() []FieldError {
	if len(s.lost) == 0 {
		return nil
	}
	return s.lost
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// parseInt parses a decimal integer with an optional sign and surrounding white space, without
// allocating. Empty input is 0.
func parseInt(b []byte) (int64, bool) {
	b = trimSpace(b)
	if len(b) == 0 {
		return 0, true
	}
	neg := false
	switch b[0] {
	case '-':
		neg, b = true, b[1:]
	case '+':
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}

// parseFloat parses a decimal number; empty input is 0.
func parseFloat(b []byte) (float64, bool) {
	b = trimSpace(b)
	if len(b) == 0 {
		return 0, true
	}
	v, err := strconv.ParseFloat(string(b), 64)
	return v, err == nil && !math.IsNaN(v) && !math.IsInf(v, 0)
}

// parseBool accepts 0/1 (any integer: non-zero is true) and true/false in any case; empty is false.
func parseBool(b []byte) (bool, bool) {
	b = trimSpace(b)
	if len(b) == 0 {
		return false, true
	}
	if v, ok := parseInt(b); ok {
		return v != 0, true
	}
	switch string(b) {
	case "true", "True", "TRUE":
		return true, true
	case "false", "False", "FALSE":
		return false, true
	}
	return false, false
}

// valueText returns the text of the current leaf for a number, boolean or date. A leaf found
// whole in the buffer comes back raw (references not decoded, which values never need); retry
// decodes and parses again only if parsing the raw form failed.
func (s *scanner) valueText() (b []byte, raw bool) {
	if s.leaf && !s.leafCDATA {
		s.leaf, s.lastLeaf = false, true
		s.pos = s.leafNext
		return s.buf[s.leafStart:s.leafEnd], true
	}
	return s.leafText(), false
}

// retry handles a value whose first parse failed: with references decoded it may still parse;
// otherwise the field is lost (reported with bad) and reads as the zero value.
func retry[T any](s *scanner, b []byte, raw bool, parse func([]byte) (T, bool)) T {
	if raw && bytes.IndexByte(b, '&') >= 0 {
		s.tbuf = unescape(s.tbuf[:0], b)
		b = s.tbuf
		if v, ok := parse(b); ok {
			return v
		}
	}
	s.bad(ErrBadValue, b)
	var zero T
	return zero
}

// The typed readers call their parser directly (most elements of a detection go through them,
// and a direct call can be inlined); only failures take the generic path.

// int64 reads the current leaf as an integer.
func (s *scanner) int64() int64 {
	b, raw := s.valueText()
	if v, ok := parseInt(b); ok {
		return v
	}
	return retry(s, b, raw, parseInt)
}

// int reads the current leaf as an integer that fits in 32 bits (ports, scores, counts).
func (s *scanner) int() int {
	b, raw := s.valueText()
	if v, ok := parseInt32(b); ok {
		return v
	}
	return retry(s, b, raw, parseInt32)
}

func (s *scanner) float() float64 {
	b, raw := s.valueText()
	if v, ok := parseFloat(b); ok {
		return v
	}
	return retry(s, b, raw, parseFloat)
}

func (s *scanner) bool() bool {
	b, raw := s.valueText()
	if v, ok := parseBool(b); ok {
		return v
	}
	return retry(s, b, raw, parseBool)
}

func (s *scanner) time() time.Time {
	b, raw := s.valueText()
	if v, ok := parseTime(b); ok {
		return v
	}
	return retry(s, b, raw, parseTime)
}

func parseInt32(b []byte) (int, bool) {
	v, ok := parseInt(b)
	if !ok || v > math.MaxInt32 || v < math.MinInt32 {
		return 0, false
	}
	return int(v), true
}

// attrInt reads an integer attribute of the current start tag; absent is 0.
func (s *scanner) attrInt(key string) int64 {
	b, ok := s.attr(key)
	if !ok {
		return 0
	}
	v, ok := parseInt(b)
	if !ok {
		s.badAttr(key, b)
	}
	return v
}

// attrStr reads a string attribute of the current start tag; absent is "".
func (s *scanner) attrStr(key string) string {
	b, ok := s.attr(key)
	if !ok {
		return ""
	}
	return s.internBytes(b)
}
