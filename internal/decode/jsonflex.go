// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"bytes"
	"fmt"
	"math"
	"time"
)

// The flex* types decode the loosely typed values of PCRS JSON: IDs and numbers arrive as numbers
// or as strings, dates with or without milliseconds, flags as booleans or 0/1. null reads as the
// zero value. Strings are sanitised like XML text (invalid UTF-8 replaced, C0 controls other
// than tab and LF dropped). A value that fits none of the accepted forms fails with an error
// wrapping ErrBadValue, which makes the record a *RecordError.

type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	switch {
	case isNull(b):
		*f = ""
	case b[0] == '"':
		s, err := unquote(b)
		if err != nil {
			return err
		}
		*f = flexString(s)
	case b[0] == '-' || (b[0] >= '0' && b[0] <= '9'):
		*f = flexString(b) // the number literal as written
	default:
		return badJSON(b)
	}
	return nil
}

type flexInt64 int64

func (f *flexInt64) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		*f = 0
		return nil
	}
	raw := b
	if b[0] == '"' {
		s, err := unquote(b)
		if err != nil {
			return err
		}
		raw = []byte(s)
	}
	v, ok := parseInt(raw)
	if !ok {
		// 12.0 or 1.2e3 from a JSON encoder that writes floats: accept exact integers.
		fv, fok := parseFloat(raw)
		if !fok || fv != math.Trunc(fv) || math.Abs(fv) > 1<<53 {
			return badJSON(b)
		}
		v = int64(fv)
	}
	*f = flexInt64(v)
	return nil
}

type flexTime time.Time

func (f *flexTime) UnmarshalJSON(b []byte) error {
	switch {
	case isNull(b):
		*f = flexTime{}
		return nil
	case b[0] == '"':
		s, err := unquote(b)
		if err != nil {
			return err
		}
		t, ok := parseTime([]byte(s))
		if !ok {
			return badJSON(b)
		}
		*f = flexTime(t)
		return nil
	}
	// A number is taken as Unix milliseconds.
	v, ok := parseInt(b)
	if !ok {
		return badJSON(b)
	}
	*f = flexTime(time.UnixMilli(v).UTC())
	return nil
}

type flexBool bool

func (f *flexBool) UnmarshalJSON(b []byte) error {
	raw := b
	if len(b) > 0 && b[0] == '"' {
		s, err := unquote(b)
		if err != nil {
			return err
		}
		raw = []byte(s)
	}
	if isNull(raw) {
		*f = false
		return nil
	}
	v, ok := parseBool(raw)
	if !ok {
		return badJSON(b)
	}
	*f = flexBool(v)
	return nil
}

func isNull(b []byte) bool { return len(b) == 0 || string(b) == "null" }

// unquote decodes a JSON string literal (already validated by the JSON decoder).
func unquote(b []byte) (string, error) {
	if bytes.IndexByte(b, '\\') < 0 && len(b) >= 2 {
		return toString(b[1 : len(b)-1]), nil
	}
	var s string
	if err := jsonUnmarshal(b, &s); err != nil {
		return "", badJSON(b)
	}
	return toString([]byte(s)), nil
}

func badJSON(b []byte) error { return fmt.Errorf("%w: %s", ErrBadValue, clip(b)) }
