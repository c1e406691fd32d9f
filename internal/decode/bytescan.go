// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"bytes"
	"encoding/binary"
	"math/bits"
)

// Byte-level helpers of the tokenizer. Qualys tags, names and values are short, so these test
// eight bytes at a time inline (SWAR) instead of calling the general library functions, which
// pay a call and set-up cost per use.

// indexLT is bytes.IndexByte(b, '<') tuned for the short distances between Qualys tags: the first
// 32 bytes are searched eight at a time inline, which beats the call for white space and values.
func indexLT(b []byte) int {
	const ones, highs, lts = 0x0101010101010101, 0x8080808080808080, 0x3c3c3c3c3c3c3c3c
	i := 0
	for ; i+8 <= len(b) && i < 32; i += 8 {
		x := binary.LittleEndian.Uint64(b[i:]) ^ lts
		if m := (x - ones) & ^x & highs; m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	if j := bytes.IndexByte(b[i:], '<'); j >= 0 {
		return i + j
	}
	return -1
}

// nameEnd marks the bytes that end an element or attribute name.
var nameEnd = [256]bool{' ': true, '\t': true, '\n': true, '\r': true, '/': true, '>': true, '<': true, '=': true, '"': true, '\'': true}

// nameLen returns the index of the first name-ending byte in b at or after i (len(b) if none).
// Eight bytes at a time it skips words holding no byte below '0' and no '<', '=' or '>' (every
// name end is one of those); a word that might end the name is finished byte by byte.
func nameLen(b []byte, i int) int {
	for i+8 <= len(b) {
		w := binary.LittleEndian.Uint64(b[i:])
		const ones, highs = 0x0101010101010101, 0x8080808080808080
		below := (w - 0x30*ones) & ^w & highs // a byte < 0x30 ('-', '.' and ends)
		x := w ^ (0x3c * ones)                // '<' '=' '>' become 0 1 2
		angle := (x - 3*ones) & ^x & highs    // a byte of x < 3
		if below|angle != 0 {
			break
		}
		i += 8
	}
	for i < len(b) && !nameEnd[b[i]] {
		i++
	}
	return i
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// sameName compares two names of equal length; element names are short, so overlapping
// eight-byte loads beat a call to the general comparison.
func sameName(a, b []byte) bool {
	n := len(a)
	if n != len(b) {
		return false
	}
	if n < 8 {
		for i := range n {
			if a[i] != b[i] {
				return false
			}
		}
		return true
	}
	for i := 0; i < n-8; i += 8 {
		if binary.LittleEndian.Uint64(a[i:]) != binary.LittleEndian.Uint64(b[i:]) {
			return false
		}
	}
	return binary.LittleEndian.Uint64(a[n-8:]) == binary.LittleEndian.Uint64(b[n-8:])
}

// clip shortens b for an error message.
func clip(b []byte) string {
	const n = 64
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}
