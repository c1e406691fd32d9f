// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualysreceiver // import "github.com/seed-d80aa3af/qualysreceiver"

import (
	"fmt"
	"reflect"
	"strings"
	"time"
)

// durationTypes are the types of the duration keys. A number without a unit is refused for any of
// them (unitless, found by the key schema's walk in config_keys.go): the collector's decoder would
// take it as nanoseconds (`interval: 14400` polls without pause, `modified_within: 90` is a 90ns
// window). Zero needs no unit.
var durationTypes = []reflect.Type{reflect.TypeFor[time.Duration](), reflect.TypeFor[Days]()}

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
