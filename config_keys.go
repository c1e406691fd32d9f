// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualysreceiver // import "github.com/seed-d80aa3af/qualysreceiver"

import (
	"encoding"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"go.opentelemetry.io/collector/confmap"
)

// Config refuses keys it does not have. confmap alone would not: confighttp.ClientConfig, squashed
// into Config, decodes with confmap.WithIgnoreUnused() because it is made to sit beside other
// fields, and confmap then decodes the rest of Config ignoring unused keys too, at every depth. So
// Unmarshal checks the keys against the mapstructure tags of Config's fields, and Validate reports
// the unknown ones with every other problem, each line naming its key path, as the collector shows
// Validate's errors (receivers::qualys: vulnerabilities::statuss: unknown key; did you mean status?).
// The generated metrics settings keep what their Unmarshal saw for later the same way
// (enabledSetByUser in internal/metadata/generated_config.go).

var _ confmap.Unmarshaler = (*Config)(nil)

// Unmarshal decodes conf onto cfg as confmap would, keeping the defaults cfg already holds for the
// keys conf does not set. The keys that are no field of Config are kept for Validate and left out
// of decoding, where the strict decoders of some sections (configoptional.Optional) would report
// them again in mapstructure's words.
func (cfg *Config) Unmarshal(conf *confmap.Conf) error {
	raw := conf.ToStringMap()
	unknown, errs := configKeys().check(raw)
	for _, u := range unknown {
		errs = append(errs, u.err)
		if !u.inList && u.path != "" {
			conf.Delete(u.path)
		}
	}
	cfg.keyErrors = errors.Join(errs...)
	err := conf.Unmarshal(cfg)
	if err != nil && cfg.keyErrors != nil {
		// A value that cannot be decoded ends loading before Validate: name the key errors now.
		return errors.Join(cfg.keyErrors, err)
	}
	return err
}

// configKeys is the key schema of Config, derived once from its type.
var configKeys = sync.OnceValue(func() *keySchema {
	return schemaOf(reflect.TypeFor[Config](), map[reflect.Type]*keySchema{})
})

// keySchema is the keys one configuration value takes. A nil *keySchema is a value whose keys are
// not checked: a scalar, a list of scalars, or a type that decodes itself from any shape.
type keySchema struct {
	// fields are the keys of a struct, squashed structs included.
	fields map[string]*keySchema
	// anyKey accepts keys not in fields: the keys of a map, or a ",remain" field.
	anyKey bool
	// values is the schema of the values under keys accepted by anyKey.
	values *keySchema
	// items is the schema of each element of a list.
	items *keySchema
	// duration is the type of a duration leaf (time.Duration or Days), whose value needs a unit.
	duration reflect.Type
}

var (
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	confUnmarshalerType = reflect.TypeFor[confmap.Unmarshaler]()
)

// schemaOf derives the keys t takes from its mapstructure tags. seen ends recursion through
// self-referencing types: a type being derived is already in it.
func schemaOf(t reflect.Type, seen map[reflect.Type]*keySchema) *keySchema {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if s, ok := seen[t]; ok {
		return s
	}
	if isDurationType(t) {
		return &keySchema{duration: t}
	}
	if reflect.PointerTo(t).Implements(textUnmarshalerType) {
		return nil // a scalar in the configuration, whatever its Go type
	}
	if inner, ok := optionalValueType(t); ok {
		return optionalSchema(inner, seen)
	}
	if t.Kind() != reflect.Struct && reflect.PointerTo(t).Implements(confUnmarshalerType) {
		return nil // decodes itself, maybe from another shape (configopaque.MapList takes a map or a list)
	}
	switch t.Kind() {
	case reflect.Struct:
		s := &keySchema{fields: map[string]*keySchema{}}
		seen[t] = s
		addFields(s, t, seen)
		return s
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			return nil
		}
		return &keySchema{anyKey: true, values: schemaOf(t.Elem(), seen)}
	case reflect.Slice, reflect.Array:
		if items := schemaOf(t.Elem(), seen); items != nil {
			return &keySchema{items: items}
		}
	}
	return nil
}

// addFields adds the keys of struct t's exported fields to s, the way mapstructure names them: the
// tag's name, else the field's name; squashed fields add their own keys.
func addFields(s *keySchema, t reflect.Type, seen map[reflect.Type]*keySchema) {
	for f := range t.Fields() {
		if !f.IsExported() {
			continue
		}
		name, options, _ := strings.Cut(f.Tag.Get("mapstructure"), ",")
		opts := strings.Split(options, ",")
		switch {
		case name == "-":
		case slices.Contains(opts, "remain"):
			s.anyKey = true
		case slices.Contains(opts, "squash"):
			if inner := schemaOf(f.Type, seen); inner != nil {
				for k, v := range inner.fields {
					s.fields[k] = v
				}
				s.anyKey = s.anyKey || inner.anyKey
			}
		case name == "":
			s.fields[f.Name] = schemaOf(f.Type, seen)
		default:
			s.fields[name] = schemaOf(f.Type, seen)
		}
	}
}

// optionalValueType is T when t is configoptional.Optional[T], found through its Get() *T method so
// that every T is recognised.
func optionalValueType(t reflect.Type) (reflect.Type, bool) {
	if t.PkgPath() != "go.opentelemetry.io/collector/config/configoptional" || !strings.HasPrefix(t.Name(), "Optional[") {
		return nil, false
	}
	get, ok := reflect.PointerTo(t).MethodByName("Get")
	if !ok || get.Type.NumOut() != 1 || get.Type.Out(0).Kind() != reflect.Pointer {
		return nil, false
	}
	return get.Type.Out(0).Elem(), true
}

// optionalSchema is the keys of an Optional[T]: T's, and enabled, which Optional reads itself.
func optionalSchema(inner reflect.Type, seen map[reflect.Type]*keySchema) *keySchema {
	value := schemaOf(inner, seen)
	if value == nil || value.fields == nil {
		return value
	}
	s := &keySchema{fields: map[string]*keySchema{"enabled": nil}, anyKey: value.anyKey, values: value.values}
	for k, v := range value.fields {
		s.fields[k] = v
	}
	return s
}

// unknownKey is a key of the configuration that is no field.
type unknownKey struct {
	path   string // as confmap joins keys: vulnerabilities::statuss
	inList bool   // under a list element, where confmap cannot delete it
	err    error  // names path, and the nearest valid key if there is one
}

// keyFindings are what walking the user's keys beside the schema finds.
type keyFindings struct {
	unknown []unknownKey
	// unitless are the durations given as a number without a unit (unitless).
	unitless []error
}

// check walks raw beside s: the keys of raw that s does not take, and the durations without a
// unit, each sorted by path.
func (s *keySchema) check(raw map[string]any) ([]unknownKey, []error) {
	var f keyFindings
	s.walk("", false, raw, &f)
	return f.unknown, f.unitless
}

func (s *keySchema) walk(path string, inList bool, value any, out *keyFindings) {
	if s == nil {
		return
	}
	if s.duration != nil {
		if err := unitless(path, s.duration, value); err != nil {
			out.unitless = append(out.unitless, err)
		}
		return
	}
	switch v := value.(type) {
	case map[string]any:
		if s.fields == nil && !s.anyKey {
			return // a map where a list or a scalar belongs: the decoder says so
		}
		for _, key := range slices.Sorted(maps.Keys(v)) {
			sub, known := s.fields[key]
			switch {
			case known:
				sub.walk(joinKey(path, key), inList, v[key], out)
			case s.anyKey:
				s.values.walk(joinKey(path, key), inList, v[key], out)
			default:
				out.unknown = append(out.unknown, unknownKey{joinKey(path, key), inList, unknownKeyError(joinKey(path, key), key, s.fields)})
			}
		}
	case []any:
		for i, item := range v {
			s.items.walk(joinKey(path, strconv.Itoa(i)), true, item, out)
		}
	}
}

// joinKey joins keys as confmap does in its messages (vulnerabilities::status).
func joinKey(path, key string) string {
	if path == "" {
		return key
	}
	return path + confmap.KeyDelimiter + key
}

func unknownKeyError(path, key string, valid map[string]*keySchema) error {
	if near := closestKey(key, valid); near != "" {
		return fmt.Errorf("%s: unknown key; did you mean %s?", path, near)
	}
	return fmt.Errorf("%s: unknown key", path)
}

// closestKey is the valid key nearest to key: the same but for letter case, else the fewest
// single-letter edits (a letter dropped, added, changed, or two neighbours swapped), at most one
// per four letters of key and three in all, so that a suggestion stays recognisable. Ties go to the
// first alphabetically. Empty when no key is that near.
func closestKey(key string, valid map[string]*keySchema) string {
	best, bestDistance := "", maxSuggestDistance(key)+1
	for _, candidate := range slices.Sorted(maps.Keys(valid)) {
		if strings.EqualFold(candidate, key) {
			return candidate
		}
		if d := editDistance(key, candidate); d < bestDistance {
			best, bestDistance = candidate, d
		}
	}
	return best
}

func maxSuggestDistance(key string) int {
	return min(3, max(1, len([]rune(key))/4))
}

// editDistance is the optimal string alignment distance between a and b, in runes: insertions,
// deletions, substitutions and swaps of two neighbours cost one each.
func editDistance(a, b string) int {
	x, y := []rune(a), []rune(b)
	// rows i-2, i-1 and i of the distance table.
	prev2, prev, cur := make([]int, len(y)+1), make([]int, len(y)+1), make([]int, len(y)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(x); i++ {
		cur[0] = i
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(y)]
}
