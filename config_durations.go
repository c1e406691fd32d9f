// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualysreceiver // import "github.com/seed-d80aa3af/qualysreceiver"

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"go.opentelemetry.io/collector/confmap"
)

var durationTypes = []reflect.Type{reflect.TypeFor[time.Duration](), reflect.TypeFor[Days]()}

// rejectUnitlessDurations refuses a number without a unit for any duration key. The collector's
// decoder would take it as nanoseconds: `interval: 14400` polls without pause, `modified_within: 90`
// is a 90ns window. Zero needs no unit.
func rejectUnitlessDurations(conf *confmap.Conf) error {
	return errors.Join(unitlessDurations(conf.ToStringMap(), reflect.TypeFor[Config](), "")...)
}

// unitlessDurations walks raw (the user's keys) beside t (the struct they decode into), following
// mapstructure names, squashed embedded structs and pointers.
func unitlessDurations(raw map[string]any, t reflect.Type, prefix string) []error {
	var errs []error
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("mapstructure"), ",")
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if name == "" && strings.Contains(opts, "squash") && ft.Kind() == reflect.Struct {
			errs = append(errs, unitlessDurations(raw, ft, prefix)...)
			continue
		}
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		v, ok := raw[name]
		if !ok {
			continue
		}
		key := prefix + name
		switch {
		case isDurationType(ft):
			if err := unitless(key, ft, v); err != nil {
				errs = append(errs, err)
			}
		case ft.Kind() == reflect.Struct:
			if sub, ok := v.(map[string]any); ok {
				errs = append(errs, unitlessDurations(sub, ft, key+"::")...)
			}
		}
	}
	return errs
}

func isDurationType(t reflect.Type) bool {
	for _, d := range durationTypes {
		if t == d {
			return true
		}
	}
	return false
}

// unitless reports a non-zero number given for a duration, with the units the user most likely meant.
func unitless(key string, t reflect.Type, v any) error {
	var n float64
	switch x := v.(type) {
	case int:
		n = float64(x)
	case int64:
		n = float64(x)
	case uint64:
		n = float64(x)
	case float64:
		n = x
	default:
		return nil
	}
	if n == 0 {
		return nil
	}
	if t == reflect.TypeFor[Days]() {
		return fmt.Errorf("%s: %v has no unit; write a duration such as %vd or %vh", key, v, v, v)
	}
	suggestion := fmt.Sprintf("%vs", v)
	if secs := time.Duration(n * float64(time.Second)); n == float64(int64(n)) && n >= 60 {
		suggestion = shortDuration(secs) + " or " + suggestion
	}
	return fmt.Errorf("%s: %v has no unit; write a duration such as %s", key, v, suggestion)
}

// shortDuration prints 4h and 10m rather than time.Duration's 4h0m0s and 10m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
