// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualysreceiver

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/confmap"
	"gopkg.in/yaml.v3"
)

// Fuzz targets for the configuration. Both are seeded from testdata/config.yaml and have a committed
// corpus in testdata/fuzz/<FuzzName>/; scripts/fuzz.sh (make fuzz) runs them with every other
// target of the repository.
//
// FuzzConfigUnmarshal takes a YAML document and a password, and loads them the way the collector
// does (YAML → confmap → the default config → confmap.Validate). It asserts: no panic; a config
// that loads and validates validates again, and survives a Marshal/Unmarshal round trip; loading
// is deterministic; and the password never appears in an error (the same document with a canary
// password instead gives errors with no more occurrences of the password, and never the canary).
//
// FuzzConfigScalars takes one scalar (a string and an integer) and feeds it to every typed key:
// the comma-separated lists (tags, statuses, vulnerability types), days (90d), platform, tag
// selector, severities, QIDs, policy IDs and arf_kernel_filter. It asserts: no panic; a list
// re-joined with commas unmarshals to itself, validates the same, and confmap gives the same as
// UnmarshalText in string and in list form; days marshal and unmarshal back to themselves; each
// Validate accepts exactly its documented range.

// fuzzPasswordCanary stands in for the fuzzed password; no error may ever print it.
const fuzzPasswordCanary = "Cn4ry-pw-7f3c9e1d-\u00e9\u00df"

// fuzzTestdataConfig is testdata/config.yaml decoded, one entry per config case.
func fuzzTestdataConfig(f *testing.F) map[string]any {
	f.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "config.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	var cases map[string]any
	if err := yaml.Unmarshal(data, &cases); err != nil {
		f.Fatal(err)
	}
	return cases
}

func fuzzSortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// fuzzLoad is the collector's path from YAML bytes to a validated config, with the password key
// replaced by password. ok is false when the bytes are not a YAML mapping (the collector refuses
// those before any config code runs).
func fuzzLoad(data []byte, password string) (cfg *Config, unmarshalErr, validateErr error, ok bool) {
	var raw map[string]any
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return nil, nil, nil, false
	}
	if raw == nil {
		raw = map[string]any{}
	}
	raw["password"] = password
	cfg = createDefaultConfig().(*Config)
	if unmarshalErr = confmap.NewFromStringMap(raw).Unmarshal(cfg); unmarshalErr != nil {
		return cfg, unmarshalErr, nil, true
	}
	return cfg, nil, confmap.Validate(cfg), true
}

func fuzzErrText(errs ...error) string {
	if err := errors.Join(errs...); err != nil {
		return err.Error()
	}
	return ""
}

func FuzzConfigUnmarshal(f *testing.F) {
	cases := fuzzTestdataConfig(f)
	passwords := []string{"secret", "hunter2!Qualys", `p"a's\w:rd`, "${env:QUALYS_PASSWORD}", "alice", "US1", "\u00e9t\u00e9\n2024", ""}
	for i, name := range fuzzSortedKeys(cases) {
		doc, err := yaml.Marshal(cases[name])
		if err != nil {
			f.Fatal(err)
		}
		pw := "secret"
		if m, ok := cases[name].(map[string]any); ok {
			if s, ok := m["password"].(string); ok {
				pw = s
			}
		}
		f.Add(doc, pw)
		f.Add(doc, passwords[i%len(passwords)])
	}
	// The password elsewhere in the document: echoed there by the user, not by the receiver.
	f.Add([]byte("platform: US1\nusername: hunter2pw\napi_url: http://hunter2pw@qualys.example.com\n"), "hunter2pw")
	f.Add([]byte("platform: US9\nusername: u\ntimeout: hunter2pw\n"), "hunter2pw")
	f.Add([]byte("{}"), "x")
	f.Add([]byte("- a\n- b\n"), "x")

	f.Fuzz(func(t *testing.T, data []byte, password string) {
		cfg, uerr, verr, ok := fuzzLoad(data, password)
		if !ok {
			return
		}
		got := fuzzErrText(uerr, verr)

		// Loading is deterministic (messages may come in another order: mapstructure walks maps).
		_, uerr2, verr2, _ := fuzzLoad(data, password)
		if (uerr == nil) != (uerr2 == nil) || (verr == nil) != (verr2 == nil) {
			t.Fatalf("loading twice differs: %v / %v, then %v / %v", uerr, verr, uerr2, verr2)
		}

		// Credentials never reach an error. The canary must not appear at all; the fuzzed password
		// may appear only as often as it does with the canary in its place (then the document
		// itself holds that text, or it is part of a fixed message).
		if !strings.Contains(string(data), fuzzPasswordCanary) {
			_, cuerr, cverr, _ := fuzzLoad(data, fuzzPasswordCanary)
			canary := fuzzErrText(cuerr, cverr)
			if strings.Contains(canary, fuzzPasswordCanary) {
				t.Fatalf("the password appears in an error:\n%s", canary)
			}
			if password != "" && !strings.Contains(fuzzPasswordCanary, password) &&
				strings.Count(got, password) > strings.Count(canary, password) {
				t.Fatalf("the password %q appears in an error:\n%s", password, got)
			}
		}

		if uerr != nil || verr != nil {
			return
		}
		// A valid config stays valid: validating again, and after a Marshal/Unmarshal round trip.
		if err := confmap.Validate(cfg); err != nil {
			t.Fatalf("valid config fails a second validation: %v", err)
		}
		if err := cfg.Validate(); err != nil {
			t.Fatalf("valid config fails Config.Validate: %v", err)
		}
		out := confmap.New()
		if err := out.Marshal(cfg); err != nil {
			t.Fatalf("marshal a valid config: %v", err)
		}
		if got := fmt.Sprint(out.Get("password")); got == password && password != "[REDACTED]" {
			t.Fatalf("marshalled config holds the password %q", password)
		}
		back := createDefaultConfig().(*Config)
		if err := out.Unmarshal(back); err != nil {
			t.Fatalf("unmarshal a marshalled valid config: %v\n%v", err, out.ToStringMap())
		}
		if err := confmap.Validate(back); err != nil {
			t.Fatalf("valid config is invalid after a round trip: %v\n%v", err, out.ToStringMap())
		}
		back.Password = cfg.Password // marshals as [REDACTED]
		if a, b := fmt.Sprintf("%#v", fuzzComparable(cfg)), fmt.Sprintf("%#v", fuzzComparable(back)); a != b {
			t.Fatalf("round trip changes the config:\n%s\n%s", a, b)
		}
	})
}

// fuzzComparable is the part of a config a round trip must keep, with pointers dereferenced.
func fuzzComparable(cfg *Config) []any {
	v := cfg.Vulnerabilities
	arf := "unset"
	if v.ArfKernelFilter != nil {
		arf = strconv.Itoa(int(*v.ArfKernelFilter))
	}
	id := func(p fmt.Stringer) string {
		if p == nil {
			return "unset"
		}
		return p.String()
	}
	var storage, leader fmt.Stringer
	if cfg.Storage != nil {
		storage = cfg.Storage
	}
	if cfg.LeaderElector != nil {
		leader = cfg.LeaderElector
	}
	v.ArfKernelFilter = nil
	return []any{
		cfg.Platform, cfg.APIURL, cfg.GatewayURL, cfg.Username, cfg.HTTP.Timeout, cfg.HTTP.ProxyURL,
		cfg.MaxConcurrency, cfg.Retry, id(storage), id(leader), cfg.Tags, cfg.Assets, v, arf, cfg.Compliance,
	}
}

// fuzzListCheck checks one comma-separated list type against text.
func fuzzListCheck[T ~[]string, PT interface {
	*T
	UnmarshalText([]byte) error
}](t *testing.T, name, text string, validate func(T) error) {
	t.Helper()
	var v T
	if err := PT(&v).UnmarshalText([]byte(text)); err != nil {
		t.Fatalf("%s: UnmarshalText(%q) failed: %v", name, text, err)
	}
	if strings.TrimSpace(text) == "" {
		if v != nil {
			t.Fatalf("%s: blank %q gives %q", name, text, v)
		}
	} else if len(v) != strings.Count(text, ",")+1 {
		t.Fatalf("%s: %q gives %d values %q", name, text, len(v), v)
	}
	for _, e := range v {
		if strings.TrimSpace(e) != e || strings.Contains(e, ",") {
			t.Fatalf("%s: %q gives the value %q", name, text, e)
		}
	}
	verr := validate(v)

	// Re-marshalled as one comma-separated string, the list reads back the same.
	var again T
	if err := PT(&again).UnmarshalText([]byte(strings.Join(v, ","))); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(v, again) {
		t.Fatalf("%s: %q gives %q, re-joined %q", name, text, v, again)
	}
	if fuzzErrText(verr) != fuzzErrText(validate(again)) {
		t.Fatalf("%s: validation differs after re-joining: %v vs %v", name, verr, validate(again))
	}

	// The YAML forms: a string goes through UnmarshalText, a list is taken as it is.
	type holder struct {
		V T `mapstructure:"v"`
	}
	var fromString holder
	if err := confmap.NewFromStringMap(map[string]any{"v": text}).Unmarshal(&fromString); err != nil {
		t.Fatalf("%s: confmap refuses the string %q: %v", name, text, err)
	}
	if !slices.Equal(fromString.V, v) {
		t.Fatalf("%s: confmap gives %q for the string %q, UnmarshalText %q", name, fromString.V, text, v)
	}
	if len(v) > 0 {
		list := make([]any, len(v))
		for i, e := range v {
			list[i] = e
		}
		var fromList holder
		if err := confmap.NewFromStringMap(map[string]any{"v": list}).Unmarshal(&fromList); err != nil {
			t.Fatalf("%s: confmap refuses the list %q: %v", name, v, err)
		}
		if !slices.Equal(fromList.V, v) {
			t.Fatalf("%s: confmap gives %q for the list %q", name, fromList.V, v)
		}
		if (confmap.Validate(&fromList) == nil) != (verr == nil) {
			t.Fatalf("%s: confmap.Validate and Validate disagree on %q", name, v)
		}
	}
}

func fuzzDaysCheck(t *testing.T, text string, n int64) {
	t.Helper()
	roundTrip := func(d Days) {
		b, err := d.MarshalText()
		if err != nil {
			t.Fatalf("Days(%d).MarshalText: %v", int64(d), err)
		}
		var back Days
		if err := back.UnmarshalText(b); err != nil {
			t.Fatalf("Days(%d) marshals to %q, which does not unmarshal: %v", int64(d), b, err)
		}
		if back != d {
			t.Fatalf("Days(%d) marshals to %q, which unmarshals to %d", int64(d), b, int64(back))
		}
	}
	roundTrip(Days(n))

	var d Days
	err := d.UnmarshalText([]byte(text))
	type holder struct {
		D Days `mapstructure:"d"`
	}
	var h holder
	cerr := confmap.NewFromStringMap(map[string]any{"d": text}).Unmarshal(&h)
	if (err == nil) != (cerr == nil) {
		t.Fatalf("days %q: UnmarshalText says %v, confmap %v", text, err, cerr)
	}
	if err != nil {
		if d != 0 {
			t.Fatalf("days %q: failed but set %d", text, int64(d))
		}
		return
	}
	if h.D != d {
		t.Fatalf("days %q: UnmarshalText gives %d, confmap %d", text, int64(d), int64(h.D))
	}
	roundTrip(d)

	// Nd is N whole days, and anything else a Go duration.
	trimmed := strings.TrimSpace(text)
	if num, ok := strings.CutSuffix(trimmed, "d"); ok {
		// Beyond ±106751 days time.Duration would overflow: those are rejected above, never wrapped.
		days, err := strconv.ParseInt(num, 10, 64)
		if err != nil || days < -fuzzMaxDays || days > fuzzMaxDays {
			t.Fatalf("days %q: accepted as %d but is not a number of days a duration holds", text, int64(d))
		}
		if want := Days(time.Duration(days) * 24 * time.Hour); d != want {
			t.Fatalf("days %q: %d, want %d", text, int64(d), int64(want))
		}
	} else if want, err := time.ParseDuration(trimmed); err != nil || Days(want) != d {
		t.Fatalf("days %q: %d, time.ParseDuration gives %d, %v", text, int64(d), int64(want), err)
	}
}

// fuzzMaxDays is the most whole days a time.Duration holds; Days.UnmarshalText rejects more (it
// once wrapped 213504d to about 25 minutes, which fuzzing found).
const fuzzMaxDays = int64(math.MaxInt64 / int64(24*time.Hour))

func FuzzConfigScalars(f *testing.F) {
	// Every scalar of testdata/config.yaml, and every list joined with commas.
	type seed struct {
		text string
		n    int64
	}
	seen := map[seed]bool{}
	add := func(text string, n int64) {
		if !seen[seed{text, n}] {
			seen[seed{text, n}] = true
			f.Add(text, n)
		}
	}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for _, k := range fuzzSortedKeys(v) {
				walk(v[k])
			}
		case []any:
			parts := make([]string, len(v))
			for i, e := range v {
				parts[i] = fmt.Sprint(e)
				walk(e)
			}
			add(strings.Join(parts, ", "), int64(len(v)))
		case int:
			add(strconv.Itoa(v), int64(v))
		case nil:
		default:
			add(fmt.Sprint(v), int64(0))
		}
	}
	walk(fuzzTestdataConfig(f))
	for _, s := range []string{"", " ", ",", " , ", "90d", "2160h", "-1d", "+3d", "0d", "106751d", "1h30m", "d", "9223372036854775807d", "New,Active,Re-Opened,Fixed", "Passed, Failed,Error", "us1", "Ksa1", "ALL"} {
		add(s, int64(0))
	}
	for _, n := range []int64{math.MinInt64, math.MaxInt64, -1, 1, 4, 5, 6, int64(24 * time.Hour)} {
		add("", n)
	}

	f.Fuzz(func(t *testing.T, text string, n int64) {
		fuzzListCheck(t, "tags", text, TagNames.Validate)
		fuzzListCheck(t, "vulnerabilities::status", text, DetectionStatuses.Validate)
		fuzzListCheck(t, "include_vuln_type", text, VulnTypes.Validate)
		fuzzListCheck(t, "compliance::status", text, PostureStatuses.Validate)
		fuzzDaysCheck(t, text, n)

		// Validate accepts exactly the documented values.
		check := func(what string, err error, want bool) {
			t.Helper()
			if (err == nil) != want {
				t.Fatalf("%s: Validate gives %v, want valid=%v", what, err, want)
			}
		}
		upper := strings.ToUpper(text)
		p := Platform(text)
		check("platform "+strconv.Quote(text), p.Validate(), text == "" || slices.Contains(platformNames, upper))
		if p.Validate() == nil && text != "" {
			u := p.urls()
			if !strings.HasPrefix(u.apiServer, "https://") || !strings.HasPrefix(u.gateway, "https://") {
				t.Fatalf("platform %q has no URLs: %+v", text, u)
			}
			if err := validateURL("api_url", u.apiServer); err != nil {
				t.Fatal(err)
			}
		}
		check("tag selector "+strconv.Quote(text), TagSelector(text).Validate(), text == "any" || text == "all")
		check("severity "+strconv.FormatInt(n, 10), Severities{int(n)}.Validate(), n >= 1 && n <= 5)
		check("QID "+strconv.FormatInt(n, 10), QIDs{n}.Validate(), n >= 1)
		check("policy ID "+strconv.FormatInt(n, 10), PolicyIDs{n}.Validate(), n >= 1)
		check("arf_kernel_filter "+strconv.FormatInt(n, 10), ArfKernelFilter(n).Validate(), n >= 0 && n <= 4)
		if err := (Severities{int(n)}).Validate(); err != nil && !strings.Contains(err.Error(), strconv.FormatInt(n, 10)) {
			t.Fatalf("severity %d: the error does not name it: %v", n, err)
		}
	})
}
