// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"encoding/binary"
	"unicode/utf8"
)

// The intern cache holds short values of low-cardinality fields.
const (
	internSlots    = 1021
	maxInternedLen = 64
)

// toString converts text to a string: line ends normalised to LF, C0 controls other than tab
// and LF dropped, invalid UTF-8 replaced with U+FFFD. Clean text costs one copy.
func toString(b []byte) string {
	if !needsFix(b) {
		return string(b)
	}
	return string(fixText(make([]byte, 0, len(b)), b))
}

// repairText is toString that also reports whether the text was damaged: invalid UTF-8 or a
// control character other than tab, CR and LF. Line-end normalisation alone is no repair.
func repairText(b []byte) (string, bool) {
	if !needsFix(b) {
		return string(b), false
	}
	damaged := !utf8.Valid(b)
	for _, c := range b {
		if damaged {
			break
		}
		damaged = c < 0x20 && c != '\t' && c != '\n' && c != '\r'
	}
	return string(fixText(make([]byte, 0, len(b)), b)), damaged
}

// needsFix reports whether b contains a CR, a C0 control other than tab and LF, or invalid UTF-8.
// It tests eight bytes at a time; a word holding a tab or LF (most text has some) stays on that
// path, with the control bytes found exactly.
func needsFix(b []byte) bool {
	const ones, highs, lows = 0x0101010101010101, 0x8080808080808080, 0x7f7f7f7f7f7f7f7f
	all, high := b, uint64(0)
	for len(b) >= 8 {
		w := binary.LittleEndian.Uint64(b)
		b = b[8:]
		if (w|(w-0x20*ones))&highs == 0 {
			continue // printable ASCII only
		}
		high |= w & highs
		// Exact per byte, as no sum carries out of its byte: the high bit of ctl is set for an
		// ASCII byte below 0x20, of tab and lf for a byte equal to '\t' or '\n'.
		ctl := ^((w & lows) + (0x80-0x20)*ones) & ^w & highs
		t := w ^ ('\t' * ones)
		tab := ^(((t & lows) + lows) | t) & highs
		n := w ^ ('\n' * ones)
		lf := ^(((n & lows) + lows) | n) & highs
		if ctl&^(tab|lf) != 0 {
			return true
		}
	}
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' {
			return true
		}
		high |= uint64(c & 0x80)
	}
	return high != 0 && !utf8.Valid(all)
}

func fixText(dst, b []byte) []byte {
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '\r':
				dst = append(dst, '\n')
				if i+1 < len(b) && b[i+1] == '\n' {
					i++
				}
			case c >= 0x20 || c == '\t' || c == '\n':
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			dst = utf8.AppendRune(dst, utf8.RuneError)
		} else {
			dst = append(dst, b[i:i+size]...)
		}
		i += size
	}
	return dst
}

// str returns the text of the current leaf element as a sanitised string.
func (s *scanner) str() string {
	return toString(s.leafText())
}

// intern is str for low-cardinality fields (status, type, protocol...): repeated values share
// one string instead of allocating per record.
func (s *scanner) intern() string {
	return s.internBytes(s.leafText())
}

// internBytes interns b (an attribute value or leaf text) in a small direct-mapped cache: a
// hit costs one comparison, a miss (or a collision) allocates as str would.
func (s *scanner) internBytes(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > maxInternedLen {
		return toString(b)
	}
	h := internHash(b)
	if v := s.strs[h]; v == string(b) {
		return v
	}
	v := toString(b)
	if v == string(b) {
		s.strs[h] = v
	}
	return v
}

// internHash mixes the length and the first and last eight bytes of b (1 <= len(b)).
func internHash(b []byte) uint {
	var w1, w2 uint64
	if len(b) >= 8 {
		w1 = binary.LittleEndian.Uint64(b)
		w2 = binary.LittleEndian.Uint64(b[len(b)-8:])
	} else {
		for _, c := range b {
			w1 = w1<<8 | uint64(c)
		}
	}
	h := (w1*0x9E3779B97F4A7C15 ^ w2*0xC2B2AE3D27D4EB4F ^ uint64(len(b))) >> 40
	return uint(h % internSlots)
}
