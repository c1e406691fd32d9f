// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
)

// loose wraps a flex value so that a value of the wrong type costs that field only: it reads as
// the zero value and unreadableJSON lists it, instead of the record failing.
type loose[T any, P interface {
	*T
	json.Unmarshaler
}] struct {
	v     T
	raw   string // the value as sent, clipped, when it could not be read
	isBad bool
}

func (l *loose[T, P]) UnmarshalJSON(b []byte) error {
	var v T
	if err := P(&v).UnmarshalJSON(b); err != nil {
		if !errors.Is(err, ErrBadValue) {
			return err
		}
		l.raw, l.isBad = clip(b), true
		return nil
	}
	l.v, l.isBad = v, false
	return nil
}

func (l *loose[T, P]) unreadable() (string, bool) { return l.raw, l.isBad }

type (
	looseString = loose[flexString, *flexString]
	looseInt64  = loose[flexInt64, *flexInt64]
	looseTime   = loose[flexTime, *flexTime]
)

type unreadableValue interface{ unreadable() (string, bool) }

// unreadableJSON appends the loose fields of the struct v points to that could not be read, with
// their JSON paths (nested objects' keys joined with '/'), to dst.
func unreadableJSON(dst []FieldError, v any) []FieldError {
	return unreadableFields(dst, reflect.ValueOf(v).Elem(), "")
}

func unreadableFields(dst []FieldError, v reflect.Value, prefix string) []FieldError {
	t := v.Type()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		f := v.Field(i)
		if u, ok := f.Addr().Interface().(unreadableValue); ok {
			if raw, bad := u.unreadable(); bad {
				dst = append(dst, FieldError{Path: prefix + name, Value: raw, Err: ErrBadValue})
			}
			continue
		}
		if f.Kind() == reflect.Pointer && !f.IsNil() && f.Elem().Kind() == reflect.Struct {
			dst = unreadableFields(dst, f.Elem(), prefix+name+"/")
		}
	}
	return dst
}

// typeErrorField turns the error of a record whose only problem is a value of the wrong JSON
// type (an object where a string is due, say) into that field: encoding/json fills the rest.
func typeErrorField(err error) (FieldError, bool) {
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) || te.Field == "" {
		return FieldError{}, false
	}
	return FieldError{Path: strings.ReplaceAll(te.Field, ".", "/"), Value: te.Value, Err: ErrBadValue}, true
}
