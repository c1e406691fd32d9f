// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"fmt"
	"reflect"
	"time"
)

// valueDiff is one scalar that differs between two decoded values.
type valueDiff struct {
	path     string
	was, got any
	zero     bool // got is its type's zero value
}

// diffValues lists the scalars (strings, numbers, booleans, times) that differ between a and b,
// walking structs, pointers and slices; a slice of another length differs as a whole.
func diffValues(a, b any) []valueDiff {
	var out []valueDiff
	diffValue(reflect.ValueOf(a), reflect.ValueOf(b), "", &out)
	return out
}

var timeType = reflect.TypeFor[time.Time]()

func diffValue(a, b reflect.Value, path string, out *[]valueDiff) {
	if a.IsValid() != b.IsValid() || (a.IsValid() && a.Type() != b.Type()) {
		*out = append(*out, valueDiff{path: path, was: a, got: b})
		return
	}
	if !a.IsValid() {
		return
	}
	add := func() {
		*out = append(*out, valueDiff{path: path, was: a.Interface(), got: b.Interface(), zero: b.IsZero()})
	}
	if a.Type() == timeType {
		if !a.Interface().(time.Time).Equal(b.Interface().(time.Time)) {
			add()
		}
		return
	}
	switch a.Kind() {
	case reflect.Struct:
		for i := range a.NumField() {
			diffValue(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name, out)
		}
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				add()
			}
			return
		}
		diffValue(a.Elem(), b.Elem(), path, out)
	case reflect.Slice:
		if a.Len() != b.Len() {
			add()
			return
		}
		for i := range a.Len() {
			diffValue(a.Index(i), b.Index(i), fmt.Sprintf("%s[%d]", path, i), out)
		}
	default:
		if !a.CanInterface() {
			return
		}
		if a.Interface() != b.Interface() {
			add()
		}
	}
}
