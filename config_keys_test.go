// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualysreceiver

import (
	"bufio"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
	"gopkg.in/yaml.v3"
)

// loadAsCollector loads raw the way the collector does: decoded onto the factory's default config
// through a component.Config, then validated.
func loadAsCollector(raw map[string]any) (*Config, error) {
	cfg := NewFactory().CreateDefaultConfig()
	if err := confmap.NewFromStringMap(raw).Unmarshal(&cfg); err != nil {
		return cfg.(*Config), err
	}
	return cfg.(*Config), confmap.Validate(cfg)
}

// rawCase is one qualys/<name> case of a testdata file, as the collector's confmap holds it.
func rawCase(t *testing.T, file, name string) map[string]any {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", file))
	require.NoError(t, err)
	sub, err := cm.Sub("qualys/" + name)
	require.NoError(t, err)
	return sub.ToStringMap()
}

// Each typo of testdata/unknown-keys/ is refused with the message its "# want:" lines give; the
// built collector's validate is run on the same files by e2e/validate_test.go.
func TestUnknownKeysRefused(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "unknown-keys", "*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			want := wantLines(t, file)
			require.NotEmpty(t, want, "%s has no # want: line", file)
			cm, err := confmaptest.LoadConf(file)
			require.NoError(t, err)
			sub, err := cm.Sub("receivers::qualys")
			require.NoError(t, err)
			_, err = loadAsCollector(sub.ToStringMap())
			require.Error(t, err)
			assert.Equal(t, strings.Join(want, "\n"), err.Error())
		})
	}
}

// wantLines are the "# want: " comment lines of a testdata file.
func wantLines(t *testing.T, file string) []string {
	t.Helper()
	f, err := os.Open(file)
	require.NoError(t, err)
	defer f.Close()
	var want []string
	for sc := bufio.NewScanner(f); sc.Scan(); {
		if w, ok := strings.CutPrefix(sc.Text(), "# want: "); ok {
			want = append(want, w)
		}
	}
	return want
}

// The README's troubleshooting table shows the message the collector prints for a misspelt key.
func TestReadmeShowsUnknownKeyMessage(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	want := wantLines(t, filepath.Join("testdata", "unknown-keys", "tags-includ.yaml"))
	require.Len(t, want, 1)
	assert.Contains(t, string(readme), "`receivers::qualys: "+want[0]+"`")
}

// Every unknown key is reported at once, one line each, sorted by path, before the other problems.
func TestUnknownKeysAllReported(t *testing.T) {
	_, err := loadAsCollector(map[string]any{
		"platform": "US1", "usernme": "alice", "password": "secret", "Timeout": "1s",
		"vulnerabilities": map[string]any{"knowledge_base": map[string]any{"refresh_intervall": "1h"}, "page_size": 10},
		"tls":             map[string]any{"tpm": map[string]any{"pth": "/dev/tpm0"}},
		"middlewares":     []any{map[string]any{"id": "a"}, map[string]any{"idd": "b"}},
		"auth":            map[string]any{"authenticatr": "oauth2client"},
		"metrics":         map[string]any{"qualys.asset": map[string]any{"enabled": false}},
	})
	require.Error(t, err)
	assert.Equal(t, strings.Join([]string{
		"Timeout: unknown key; did you mean timeout?",
		"auth::authenticatr: unknown key; did you mean authenticator?",
		"metrics::qualys.asset: unknown key; did you mean qualys.assets?",
		"middlewares::1::idd: unknown key; did you mean id?",
		"tls::tpm::pth: unknown key; did you mean path?",
		"usernme: unknown key; did you mean username?",
		"vulnerabilities::knowledge_base::refresh_intervall: unknown key; did you mean refresh_interval?",
		"username: must be set", // and every other problem with them
	}, "\n"), err.Error())
}

// The HTTP client keys of confighttp and the generated metrics keys are accepted beside the
// receiver's own, in every form they take, and the deprecated ones still work with their warnings.
func TestHTTPAndMetricsKeysAccepted(t *testing.T) {
	t.Run("http_keys", func(t *testing.T) {
		cfg, err := loadAsCollector(rawCase(t, "config-keys.yaml", "http_keys"))
		require.NoError(t, err)
		require.NoError(t, confmap.Validate(cfg))
		assert.Equal(t, 2*time.Minute, cfg.HTTP.Timeout)
		assert.Equal(t, "qualysapi.qualys.com", cfg.HTTP.TLS.ServerName)
		// confighttp folds the keepalive section into its deprecated fields, which ToClient reads.
		assert.Equal(t, 10, cfg.HTTP.MaxIdleConns)                //nolint:staticcheck // where confighttp keeps keepalive::max_idle_conns
		assert.Equal(t, 30*time.Second, cfg.HTTP.IdleConnTimeout) //nolint:staticcheck // where confighttp keeps keepalive::idle_conn_timeout
		assert.False(t, cfg.MetricsBuilder.Metrics.QualysAssets.Enabled)
		assert.False(t, cfg.MetricsBuilder.ResourceAttributes.HostName.Enabled)
		value, ok := cfg.HTTP.Headers.Get("X-Team")
		assert.True(t, ok)
		assert.Equal(t, "vulnerability-management", string(value))
	})
	t.Run("headers_as_list", func(t *testing.T) {
		cfg, err := loadAsCollector(rawCase(t, "config-keys.yaml", "headers_as_list"))
		require.NoError(t, err)
		value, ok := cfg.HTTP.Headers.Get("X-Team")
		assert.True(t, ok)
		assert.Equal(t, "vulnerability-management", string(value))
	})
	t.Run("deprecated_http_keys", func(t *testing.T) {
		cfg, err := loadAsCollector(rawCase(t, "config-keys.yaml", "deprecated_http_keys"))
		require.NoError(t, err)
		require.NoError(t, confmap.Validate(cfg))
		assert.Equal(t, 45*time.Second, cfg.HTTP.IdleConnTimeout) //nolint:staticcheck // the deprecated key is what is tested
		assert.Equal(t, 7, cfg.HTTP.MaxIdleConns)                 //nolint:staticcheck // the deprecated key is what is tested
		assert.True(t, cfg.HTTP.DisableKeepAlives)                //nolint:staticcheck // the deprecated key is what is tested

		core, logs := observer.New(zap.WarnLevel)
		set := componenttest.NewNopTelemetrySettings()
		set.Logger = zap.New(core)
		_, err = cfg.HTTP.ToClient(t.Context(), nil, set)
		require.NoError(t, err)
		var warnings []string
		for _, e := range logs.All() {
			warnings = append(warnings, e.Message)
		}
		assert.ElementsMatch(t, []string{
			"'idle_conn_timeout' is deprecated; use 'keepalive::idle_conn_timeout' instead",
			"'max_idle_conns' is deprecated; use 'keepalive::max_idle_conns' instead",
			"'max_idle_conns_per_host' is deprecated; use 'keepalive::max_idle_conns_per_host' instead",
			"'disable_keep_alives' is deprecated; set 'keepalive::enabled' to false to disable keep-alives",
		}, warnings)
	})
}

// Decoding keeps the defaults of every key the configuration does not set, at every depth.
func TestUnmarshalKeepsDefaults(t *testing.T) {
	cfg, err := loadAsCollector(map[string]any{
		"platform": "US1", "username": "alice", "password": "secret",
		"vulnerabilities":  map[string]any{"page_size": 10, "knowledge_base": map[string]any{"enabled": false}},
		"retry_on_failure": map[string]any{"initial_interval": "1s"},
	})
	require.NoError(t, err)
	want := createDefaultConfig().(*Config)
	want.Platform, want.Username, want.Password = "US1", "alice", "secret"
	want.Vulnerabilities.PageSize = 10
	want.Vulnerabilities.KnowledgeBase.Enabled = false
	want.Retry.InitialInterval = time.Second
	assert.Equal(t, want, cfg)
}

// Every key of the complete configurations (testdata and examples/), misspelt one at a time (a
// letter dropped, two neighbours swapped), is refused with its path, and the key it stands for is
// suggested.
func TestMisspeltKeysNamed(t *testing.T) {
	sources := map[string]map[string]any{
		"testdata/config.yaml qualys/full":                      rawCase(t, "config.yaml", "full"),
		"testdata/config-keys.yaml qualys/http_keys":            rawCase(t, "config-keys.yaml", "http_keys"),
		"testdata/config-keys.yaml qualys/deprecated_http_keys": rawCase(t, "config-keys.yaml", "deprecated_http_keys"),
	}
	for name, raw := range exampleReceiverConfigs(t) {
		sources[name] = raw
	}
	tried, seen := 0, map[string]bool{}
	for _, name := range slices.Sorted(maps.Keys(sources)) {
		raw := sources[name]
		for _, path := range knownKeyPaths(configKeys(), raw, nil) {
			if seen[strings.Join(path, "::")] {
				continue // the same key at the same path in another source
			}
			seen[strings.Join(path, "::")] = true
			parent, key := path[:len(path)-1], path[len(path)-1]
			siblings := schemaAt(t, parent).fields
			for _, typo := range misspellings(key) {
				if _, valid := siblings[typo]; valid || typo == "" {
					continue
				}
				tried++
				_, err := loadAsCollector(renameKey(raw, path, typo))
				want := fmt.Sprintf("%s: unknown key; did you mean %s?", strings.Join(append(slices.Clone(parent), typo), "::"), key)
				if !assert.Error(t, err, "%s: %v misspelt as %q", name, path, typo) {
					continue
				}
				assert.Contains(t, strings.Split(err.Error(), "\n"), want, "%s: %v misspelt as %q", name, path, typo)
			}
		}
	}
	t.Log("tried", tried)
	assert.Greater(t, tried, 500, "too few misspellings tried: the sources lost their keys")
}

// schemaAt is the schema at a path of known keys and list indices.
func schemaAt(t *testing.T, path []string) *keySchema {
	t.Helper()
	s := configKeys()
	for _, p := range path {
		if _, err := strconv.Atoi(p); err == nil && s.items != nil {
			s = s.items
			continue
		}
		require.Contains(t, s.fields, p)
		s = s.fields[p]
	}
	return s
}

// knownKeyPaths are the paths of raw's keys that s names (free-form keys are not), list indices
// included, depth first.
func knownKeyPaths(s *keySchema, raw any, path []string) [][]string {
	if s == nil {
		return nil
	}
	var out [][]string
	switch v := raw.(type) {
	case map[string]any:
		for key, value := range v {
			keyPath := append(slices.Clone(path), key)
			if sub, known := s.fields[key]; known {
				out = append(out, keyPath)
				out = append(out, knownKeyPaths(sub, value, keyPath)...)
			} else if s.anyKey {
				out = append(out, knownKeyPaths(s.values, value, keyPath)...)
			}
		}
	case []any:
		for i, item := range v {
			out = append(out, knownKeyPaths(s.items, item, append(slices.Clone(path), strconv.Itoa(i)))...)
		}
	}
	return out
}

// misspellings of key: each letter dropped, each two different neighbours swapped.
func misspellings(key string) []string {
	r := []rune(key)
	var out []string
	for i := range r {
		out = append(out, string(slices.Concat(r[:i], r[i+1:])))
	}
	for i := 0; i+1 < len(r); i++ {
		if r[i] != r[i+1] {
			s := slices.Clone(r)
			s[i], s[i+1] = s[i+1], s[i]
			out = append(out, string(s))
		}
	}
	return out
}

// renameKey is a copy of raw with the key at path renamed; the rest is shared.
func renameKey(raw any, path []string, to string) map[string]any {
	return renameAt(raw, path, to).(map[string]any)
}

func renameAt(raw any, path []string, to string) any {
	switch v := raw.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, val := range v {
			out[k] = val
		}
		if len(path) == 1 {
			out[to] = out[path[0]]
			delete(out, path[0])
			return out
		}
		out[path[0]] = renameAt(v[path[0]], path[1:], to)
		return out
	case []any:
		out := slices.Clone(v)
		i, _ := strconv.Atoi(path[0])
		out[i] = renameAt(v[i], path[1:], to)
		return out
	}
	panic(fmt.Sprintf("no key at %v", path))
}

// exampleReceiverConfigs are the qualys receivers of the collector configurations under examples/
// (Kubernetes manifests, with a top-level apiVersion, are not collector configurations).
func exampleReceiverConfigs(t *testing.T) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	manifest := regexp.MustCompile(`(?m)^apiVersion:`)
	require.NoError(t, filepath.WalkDir("examples", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || (filepath.Ext(p) != ".yaml" && filepath.Ext(p) != ".yml") {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil || manifest.Match(data) {
			return err
		}
		var doc struct {
			Receivers map[string]map[string]any `yaml:"receivers"`
		}
		if err := yaml.Unmarshal(data, &doc); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		for id, raw := range doc.Receivers {
			var cid component.ID
			if err := cid.UnmarshalText([]byte(id)); err == nil && cid.Type().String() == "qualys" {
				out[p+" receivers::"+id] = confmap.NewFromStringMap(raw).ToStringMap()
			}
		}
		return nil
	}))
	require.NotEmpty(t, out, "no qualys receiver found under examples/")
	return out
}

// Every example's qualys receiver has only keys the receiver takes; the built collector's validate
// says the same in make validate-examples.
func TestExamplesHaveOnlyKnownKeys(t *testing.T) {
	for name, raw := range exampleReceiverConfigs(t) {
		unknownKeys, _ := configKeys().check(raw)
		for _, unknown := range unknownKeys {
			t.Errorf("%s: %v", name, unknown.err)
		}
	}
}

// The schema derived from Config's tags reaches through squashed, optional, list and map fields.
func TestConfigKeysSchema(t *testing.T) {
	for _, path := range [][]string{
		{"platform"}, {"timeout"}, {"proxy_url"}, {"idle_conn_timeout"}, {"keepalive", "enabled"},
		{"keepalive", "max_idle_conns"}, {"auth", "authenticator"}, {"tls", "ca_file"}, {"tls", "tpm", "path"},
		{"retry_on_failure", "max_elapsed_time"}, {"vulnerabilities", "knowledge_base", "refresh_interval"},
		{"metrics", "qualys.compliance.postures", "attributes"}, {"resource_attributes", "host.name", "enabled"},
	} {
		schemaAt(t, path)
	}
	assert.NotNil(t, configKeys().fields["middlewares"].items, "middlewares is a list of sections")
	assert.Nil(t, configKeys().fields["headers"], "header names are free-form")
	assert.NotContains(t, configKeys().fields, "HTTP", "squashed fields add their keys, not their own")
	assert.NotContains(t, configKeys().fields, "_")
}

func TestClosestKey(t *testing.T) {
	valid := map[string]*keySchema{"status": nil, "interval": nil, "page_size": nil, "modified_within": nil, "api": nil, "qids": nil}
	for typo, want := range map[string]string{
		"statuss": "status", "stauts": "status", "Status": "status", "STATUS": "status", "page-size": "page_size",
		"pagesize": "page_size", "modified_whitn": "modified_within", "intreval": "interval", "ap": "api",
		"apis": "api", "qid": "qids", "bogus": "", "bogus_key": "", "x": "", "": "", "severities": "",
	} {
		assert.Equal(t, want, closestKey(typo, valid), typo)
	}
}

func TestEditDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"", "abc", 3}, {"abc", "", 3}, {"status", "status", 0}, {"statuss", "status", 1},
		{"stauts", "status", 1}, {"sttaus", "status", 1}, {"modified_whitn", "modified_within", 3},
		{"ca", "abc", 3}, {"kitten", "sitting", 3}, {"größe", "grösse", 2},
	} {
		assert.Equal(t, tt.want, editDistance(tt.a, tt.b), "%q %q", tt.a, tt.b)
		assert.Equal(t, tt.want, editDistance(tt.b, tt.a), "%q %q", tt.b, tt.a)
	}
}
