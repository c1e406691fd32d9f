// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualysreceiver

import (
	"regexp"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/confmap"
)

// FuzzConfigKeys puts one key, named by the fuzzer, into one section of a valid configuration (the
// top level, a receiver section, a confighttp section, a metrics section, a list element or the
// free-form headers) and loads it as the collector does. It asserts: no panic; a key the section
// does not take is refused with its path, and a suggested key is one the section takes, near the
// key; a key the section takes, or any key where keys are free-form, is never called unknown; an
// unknown key costs nothing else: the configuration's other keys still decode. Run by
// scripts/fuzz.sh (make fuzz) with the targets of fuzz_config_test.go.

// fuzzKeySections are the sections FuzzConfigKeys puts its key in; fuzzKeysBase has each of them.
var fuzzKeySections = []string{
	"", "tags", "assets", "vulnerabilities", "vulnerabilities::knowledge_base", "compliance",
	"retry_on_failure", "tls", "tls::tpm", "keepalive", "auth", "middlewares::0", "headers",
	"metrics", "metrics::qualys.assets", "resource_attributes::host.name",
}

// fuzzKeysBase is a valid configuration with every section of fuzzKeySections, built afresh for
// each input since loading deletes the unknown keys from what it is given.
func fuzzKeysBase() map[string]any {
	return map[string]any{
		"platform": "US1", "username": "alice", "password": "secret",
		"tags":             map[string]any{"include": []any{"Production"}},
		"assets":           map[string]any{"page_size": 5},
		"vulnerabilities":  map[string]any{"page_size": 7, "knowledge_base": map[string]any{"enabled": true}},
		"compliance":       map[string]any{"include_evidence": true},
		"retry_on_failure": map[string]any{"enabled": true},
		"tls":              map[string]any{"insecure": false, "tpm": map[string]any{"enabled": false}},
		"keepalive":        map[string]any{"max_idle_conns": 9},
		"auth":             map[string]any{"authenticator": "oauth2client"},
		"middlewares":      []any{map[string]any{"id": "middleware"}},
		"headers":          map[string]any{"X-Team": "vm"},
		"metrics":          map[string]any{"qualys.assets": map[string]any{"enabled": true}},
		"resource_attributes": map[string]any{
			"host.name": map[string]any{"enabled": true},
		},
	}
}

// fuzzSuggestion is the key an unknown-key message suggests.
var fuzzSuggestion = regexp.MustCompile(`: unknown key; did you mean (.*)\?$`)

func FuzzConfigKeys(f *testing.F) {
	for i, section := range fuzzKeySections {
		for key := range schemaAtPath(section).fields {
			f.Add(key, uint8(i))
		}
	}
	for _, seed := range []struct {
		key     string
		section string
	}{
		{"bogus_key", ""}, {"bogus", "vulnerabilities"}, {"bogus3", ""}, {"includ", "tags"},
		{"statuss", "vulnerabilities"}, {"modified_whitn", "assets"}, {"Status", "vulnerabilities"},
		{"PLATFORM", ""}, {"stätus", "compliance"}, {"", ""}, {"::", ""}, {"a::b", "tags"},
		{"vulnerabilities::statuss", ""}, {"page_size\n", "assets"}, {"X-Anything", "headers"},
		{"enabled", "keepalive"}, {"enabled", "auth"}, {"idd", "middlewares::0"}, {"qualys.asset", "metrics"},
		{strings.Repeat("refresh_interval", 64), "vulnerabilities::knowledge_base"},
	} {
		for i, s := range fuzzKeySections {
			if s == seed.section {
				f.Add(seed.key, uint8(i))
			}
		}
	}

	f.Fuzz(func(t *testing.T, key string, at uint8) {
		section := fuzzKeySections[int(at)%len(fuzzKeySections)]
		raw := fuzzKeysBase()
		putKey(raw, section, key)
		cfg, err := loadAsCollector(raw)
		if strings.Contains(key, ":") {
			return // confmap splits keys at "::": the key is then a path, not one key
		}

		path := joinKey(section, key)
		schema := schemaAtPath(section)
		_, known := schema.fields[key]
		unknownLine := path + ": unknown key"
		if known || schema.anyKey {
			if err != nil && strings.Contains(err.Error(), unknownLine) {
				t.Fatalf("%q in %q is a key there, yet: %v", key, section, err)
			}
			return
		}
		if err == nil || !strings.Contains(err.Error(), unknownLine) {
			t.Fatalf("%q in %q: the error does not name %q: %v", key, section, unknownLine, err)
		}
		for _, line := range strings.Split(err.Error(), "\n") {
			m := fuzzSuggestion.FindStringSubmatch(line)
			if m == nil || !strings.HasSuffix(line[:len(line)-len(m[0])], key) {
				continue
			}
			if _, ok := schema.fields[m[1]]; !ok {
				t.Fatalf("%q in %q: the suggestion %q is no key of that section", key, section, m[1])
			}
			if !strings.EqualFold(m[1], key) && editDistance(m[1], key) > maxSuggestDistance(key) {
				t.Fatalf("%q in %q: the suggestion %q is too far", key, section, m[1])
			}
		}
		// Only the unknown key was refused: everything else decoded.
		if cfg.Assets.PageSize != 5 || cfg.Vulnerabilities.PageSize != 7 || cfg.HTTP.MaxIdleConns != 9 { //nolint:staticcheck // where confighttp keeps keepalive::max_idle_conns
			t.Fatalf("%q in %q: the other keys were lost: %+v", key, section, cfg)
		}
		if strings.Contains(err.Error(), "decoding failed") {
			t.Fatalf("%q in %q: an unknown key reached the decoder: %v", key, section, err)
		}
	})
}

// schemaAtPath is the schema at a section of fuzzKeySections.
func schemaAtPath(section string) *keySchema {
	s := configKeys()
	if section == "" {
		return s
	}
	for _, p := range strings.Split(section, confmap.KeyDelimiter) {
		if p == "0" && s.items != nil {
			s = s.items
			continue
		}
		if s.anyKey && s.fields[p] == nil {
			s = s.values
			continue
		}
		s = s.fields[p]
	}
	if s == nil {
		return &keySchema{anyKey: true} // free-form: headers
	}
	return s
}

// putKey sets key to 1 in the section of raw at path (a section of fuzzKeySections).
func putKey(raw map[string]any, section, key string) {
	var at any = raw
	if section != "" {
		for _, p := range strings.Split(section, confmap.KeyDelimiter) {
			switch v := at.(type) {
			case map[string]any:
				at = v[p]
			case []any:
				at = v[0]
			}
		}
	}
	at.(map[string]any)[key] = 1
}
