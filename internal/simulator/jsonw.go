// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"time"
	"unicode/utf8"
)

// The JSON helpers write PCRS objects field by field, in a fixed key order, straight into the
// stream; encoding/json would need a struct per version and a buffer per record.

// jsonObj writes the fields of one object; first tracks whether a comma is needed.
type jsonObj struct {
	o     *out
	first bool
}

func (o *out) object() *jsonObj {
	o.raw("{")
	return &jsonObj{o: o, first: true}
}

func (j *jsonObj) end() { j.o.raw("}") }

func (j *jsonObj) key(k string) {
	if !j.first {
		j.o.raw(",")
	}
	j.first = false
	j.o.raw(`"` + k + `":`)
}

func (j *jsonObj) str(k, v string) {
	j.key(k)
	j.o.jsonString(v)
}

func (j *jsonObj) num(k string, v uint64) {
	j.key(k)
	j.o.uintText(v)
}

func (j *jsonObj) int(k string, v int) {
	j.key(k)
	j.o.intText(v)
}

// date writes a timestamp, or null for the zero time (dates that never happened are null).
func (j *jsonObj) date(k string, t time.Time) {
	j.key(k)
	if t.IsZero() {
		j.o.raw("null")
		return
	}
	j.o.raw(`"`)
	j.o.dateText(t)
	j.o.raw(`"`)
}

func (j *jsonObj) strOrNull(k, v string) {
	if v == "" {
		j.key(k)
		j.o.raw("null")
		return
	}
	j.str(k, v)
}

func (j *jsonObj) strings(k string, vs []string) {
	j.key(k)
	j.o.raw("[")
	for i, v := range vs {
		if i > 0 {
			j.o.raw(",")
		}
		j.o.jsonString(v)
	}
	j.o.raw("]")
}

const hexDigits = "0123456789abcdef"

// jsonString writes a JSON string literal: quotes, backslashes and control characters escaped,
// valid UTF-8 passed through (invalid bytes only ever come from the bad_chars fault, which writes
// them raw on purpose).
func (o *out) jsonString(s string) {
	b := append(o.scratch[:0], '"')
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		case c < utf8.RuneSelf:
			b = append(b, c)
		default:
			_, size := utf8.DecodeRuneInString(s[i:])
			b = append(b, s[i:i+size]...)
			i += size
			continue
		}
		i++
	}
	b = append(b, '"')
	o.scratch = b
	o.rawBytes(b)
}
