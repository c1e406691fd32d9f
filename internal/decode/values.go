// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"time"
)

// leafText returns the text of the element just opened, bounded by the element limit; a longer
// value is a record error.
func (s *scanner) leafText() []byte {
	b, truncated := s.text(s.maxText)
	if truncated {
		s.bad(ErrTooLarge, nil)
	}
	return b
}

// bad records the first field problem of the current record, naming the element text() closed.
func (s *scanner) bad(cause error, value []byte) {
	if s.recErr != nil || s.err != nil {
		return
	}
	if cause == ErrTooLarge {
		s.recErr = fmt.Errorf("%s: %w", s.lastName(), cause)
		return
	}
	s.recErr = fmt.Errorf("%s %q: %w", s.lastName(), clip(value), cause)
}

// recordError turns the record's first field problem (or cause, if set) into a *RecordError.
func (s *scanner) recordError(off int64, id string, cause error) *RecordError {
	if cause == nil {
		cause = s.recErr
	}
	return &RecordError{Offset: off, ID: id, Err: cause}
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
// otherwise it is a record error and the zero value.
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
	if !ok && s.recErr == nil {
		s.recErr = fmt.Errorf("attribute %s %q: %w", key, clip(b), ErrBadValue)
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
