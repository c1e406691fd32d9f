// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualysreceiver_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// Static checks of the deployment examples and the Dockerfile. `make test` validates the collector
// configurations themselves with the built collector (scripts/validate-examples.sh); these tests
// check what that cannot: that the Kubernetes manifests and the Dockerfile fit the configurations.

const (
	k8sDir          = "examples/kubernetes"
	k8sCollectorCfg = k8sDir + "/collector.yaml"
	k8sCR           = k8sDir + "/otelcol-qualys.yaml"
	k8sRBAC         = k8sDir + "/rbac.yaml"
	k8sSecret       = k8sDir + "/secret.yaml"
)

// The OpenTelemetryCollector resource embeds the validated examples/kubernetes/collector.yaml.
func TestKubernetesCRConfigIsCollectorYAML(t *testing.T) {
	cr := onlyDoc(t, k8sCR, "OpenTelemetryCollector")
	assert.Equal(t, "opentelemetry.io/v1beta1", cr["apiVersion"])
	embedded := dig(t, cr, "spec", "config")
	assert.Equal(t, readYAML(t, k8sCollectorCfg), embedded,
		"spec.config of %s must be the configuration in %s (edit both)", k8sCR, k8sCollectorCfg)
}

// The CR, its RBAC and its Secret refer to each other and to the collector configuration
// consistently.
func TestKubernetesManifestsFitTogether(t *testing.T) {
	cfg := readYAML(t, k8sCollectorCfg)
	cr := onlyDoc(t, k8sCR, "OpenTelemetryCollector")
	spec := dig(t, cr, "spec").(map[string]any)
	namespace := dig(t, cr, "metadata", "namespace")

	t.Run("replicas and mode", func(t *testing.T) {
		assert.Equal(t, 2, spec["replicas"])
		assert.Contains(t, []any{"statefulset", "deployment"}, spec["mode"])
	})

	t.Run("leader election", func(t *testing.T) {
		elector := dig(t, cfg, "receivers", "qualys", "leader_elector")
		assert.Equal(t, "k8s_leader_elector", elector)
		ext := dig(t, cfg, "extensions", elector.(string)).(map[string]any)
		assert.Equal(t, "serviceAccount", ext["auth_type"])
		assert.Equal(t, "${env:POD_NAMESPACE}", ext["lease_namespace"])
		assert.Contains(t, dig(t, cfg, "service", "extensions"), elector)

		role := onlyDoc(t, k8sRBAC, "Role")
		verbs := map[string]bool{}
		for _, r := range dig(t, role, "rules").([]any) {
			rule := r.(map[string]any)
			if !slices.Contains(rule["apiGroups"].([]any), any("coordination.k8s.io")) ||
				!slices.Contains(rule["resources"].([]any), any("leases")) {
				continue
			}
			if names, ok := rule["resourceNames"].([]any); ok && !slices.Contains(names, ext["lease_name"]) {
				continue
			}
			for _, v := range rule["verbs"].([]any) {
				verbs[v.(string)] = true
			}
		}
		// What client-go's Lease lock does: read, create the first time, renew.
		for _, v := range []string{"get", "create", "update"} {
			assert.True(t, verbs[v], "the Role must allow %s on Lease %v", v, ext["lease_name"])
		}
	})

	t.Run("service account and role binding", func(t *testing.T) {
		sa := onlyDoc(t, k8sRBAC, "ServiceAccount")
		role := onlyDoc(t, k8sRBAC, "Role")
		binding := onlyDoc(t, k8sRBAC, "RoleBinding")
		assert.Equal(t, dig(t, sa, "metadata", "name"), spec["serviceAccount"])
		assert.Equal(t, dig(t, role, "metadata", "name"), dig(t, binding, "roleRef", "name"))
		assert.Equal(t, "Role", dig(t, binding, "roleRef", "kind"))
		assert.Contains(t, dig(t, binding, "subjects"), map[string]any{
			"kind": "ServiceAccount", "name": spec["serviceAccount"], "namespace": namespace,
		})
		for _, doc := range []map[string]any{sa, role, binding, onlyDoc(t, k8sSecret, "Secret")} {
			assert.Equal(t, namespace, dig(t, doc, "metadata", "namespace"), "%v", doc["kind"])
		}
	})

	t.Run("environment", func(t *testing.T) {
		env := map[string]map[string]any{}
		for _, e := range spec["env"].([]any) {
			e := e.(map[string]any)
			env[e["name"].(string)] = e
		}
		// Every variable the configuration needs and has no default for is set.
		raw, err := os.ReadFile(k8sCollectorCfg)
		require.NoError(t, err)
		for _, m := range regexp.MustCompile(`\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}`).FindAllStringSubmatch(string(raw), -1) {
			assert.Contains(t, env, m[1], "spec.env must set %s", m[1])
		}
		// The credentials come from the Secret, by keys it has.
		secret := onlyDoc(t, k8sSecret, "Secret")
		for _, name := range []string{"QUALYS_USERNAME", "QUALYS_PASSWORD"} {
			require.Contains(t, env, name)
			ref := dig(t, env[name], "valueFrom", "secretKeyRef").(map[string]any)
			assert.Equal(t, dig(t, secret, "metadata", "name"), ref["name"], name)
			assert.Contains(t, dig(t, secret, "stringData"), ref["key"], name)
		}
		assert.Equal(t, "metadata.namespace", dig(t, env["POD_NAMESPACE"], "valueFrom", "fieldRef", "fieldPath"))
	})

	t.Run("health probes", func(t *testing.T) {
		// The operator derives both probes' handler from the health_check extension it finds in
		// spec.config; it must be configured and started, on an address the kubelet reaches.
		ext := dig(t, cfg, "extensions", "health_check").(map[string]any)
		assert.Equal(t, "0.0.0.0:13133", ext["endpoint"])
		assert.Contains(t, dig(t, cfg, "service", "extensions"), "health_check")
		for _, probe := range []string{"livenessProbe", "readinessProbe"} {
			require.Contains(t, spec, probe)
			assert.Positive(t, dig(t, spec, probe, "periodSeconds"), probe)
		}
	})

	t.Run("file_storage on a persistent volume", func(t *testing.T) {
		dir := dig(t, cfg, "extensions", "file_storage", "directory")
		var mounted string
		for _, m := range spec["volumeMounts"].([]any) {
			if m := m.(map[string]any); m["mountPath"] == dir {
				mounted = m["name"].(string)
			}
		}
		require.NotEmpty(t, mounted, "no volumeMount at file_storage's directory %v", dir)
		var claims []any
		for _, c := range spec["volumeClaimTemplates"].([]any) {
			claims = append(claims, dig(t, c, "metadata", "name"))
		}
		for _, v := range asSlice(spec["volumes"]) {
			if claim, ok := v.(map[string]any)["persistentVolumeClaim"]; ok && claim != nil {
				claims = append(claims, v.(map[string]any)["name"])
			}
		}
		assert.Contains(t, claims, mounted, "the volume at %v must be a PersistentVolumeClaim", dir)
		if spec["mode"] == "deployment" {
			assert.Equal(t, 1, spec["replicas"], "replicas of a deployment would share one file_storage volume")
		}
	})
}

// The Dockerfile builds what builder-config.yaml describes and runs a validated example.
func TestDockerfile(t *testing.T) {
	insts := parseDockerfile(t, "Dockerfile")
	ignore := readDockerignore(t)
	var builder struct {
		Dist struct {
			Name string `yaml:"name"`
		} `yaml:"dist"`
	}
	raw, err := os.ReadFile("builder-config.yaml")
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(raw, &builder))
	dist := builder.Dist.Name
	require.NotEmpty(t, dist)

	var (
		entrypoint, cmd     []string
		configSrc, binaryTo string
		volumes             []string
		user                string
		builds              bool
	)
	for _, in := range insts {
		switch in.cmd {
		case "RUN":
			builds = builds || regexp.MustCompile(`(^|\s)make build(\s|$)`).MatchString(in.args)
		case "COPY", "ADD":
			flags, srcs, dst := copyArgs(t, in)
			if _, fromStage := flags["from"]; fromStage {
				if path.Base(srcs[0]) == dist {
					binaryTo = dst
				}
				continue
			}
			for _, src := range srcs {
				matches, err := filepath.Glob(src)
				require.NoError(t, err)
				assert.NotEmpty(t, matches, "line %d: COPY source %s does not exist", in.line, src)
				for _, m := range matches {
					assert.False(t, ignore.excludes(m), "line %d: COPY source %s is excluded by .dockerignore", in.line, m)
				}
			}
			if dst == "/etc/otelcol-qualys/config.yaml" {
				configSrc = srcs[0]
			}
		case "ENTRYPOINT":
			entrypoint = execForm(t, in)
		case "CMD":
			cmd = execForm(t, in)
		case "VOLUME":
			volumes = append(volumes, execFormOrFields(in)...)
		case "USER":
			user = in.args
		}
	}

	assert.True(t, builds, "the build stage must run `make build` (ocb with builder-config.yaml)")
	require.NotEmpty(t, entrypoint, "no ENTRYPOINT in exec form")
	assert.Equal(t, dist, path.Base(entrypoint[0]), "ENTRYPOINT must run builder-config.yaml's dist.name")
	assert.Equal(t, entrypoint[0], binaryTo, "the binary copied from the build stage must be the ENTRYPOINT")
	assert.Contains(t, cmd, "--config=/etc/otelcol-qualys/config.yaml")
	assert.NotContains(t, []string{"", "root", "0", "0:0"}, user, "the image must not run as root")

	require.NotEmpty(t, configSrc, "no COPY to /etc/otelcol-qualys/config.yaml")
	assert.Contains(t, validatedExamples(t), filepath.ToSlash(configSrc),
		"the image's configuration must be an example scripts/validate-examples.sh validates")
	cfg := readYAML(t, configSrc)
	dir := dig(t, cfg, "extensions", "file_storage", "directory").(string)
	if m := regexp.MustCompile(`^\$\{env:[A-Za-z_][A-Za-z0-9_]*:-(.*)\}$`).FindStringSubmatch(dir); m != nil {
		dir = m[1]
	}
	assert.Contains(t, volumes, dir, "file_storage's directory must be a VOLUME")

	// The inputs of `make build` are in the build context.
	for _, f := range append(goSources(t), "go.mod", "go.sum", "Makefile", "builder-config.yaml") {
		assert.False(t, ignore.excludes(f), ".dockerignore excludes %s, which the build needs", f)
	}
}

// validatedExamples are the files scripts/validate-examples.sh runs `validate` on: YAML under
// examples/ that is not a Kubernetes manifest.
func validatedExamples(t *testing.T) []string {
	t.Helper()
	var out []string
	require.NoError(t, filepath.WalkDir("examples", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
			return err
		}
		raw, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if !regexp.MustCompile(`(?m)^apiVersion:`).Match(raw) {
			out = append(out, filepath.ToSlash(p))
		}
		return nil
	}))
	return out
}

func goSources(t *testing.T) []string {
	t.Helper()
	var out []string
	require.NoError(t, filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (p == "_build" || p == ".git") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go") {
			out = append(out, filepath.ToSlash(p))
		}
		return nil
	}))
	require.NotEmpty(t, out)
	return out
}

// dockerInstruction is one Dockerfile instruction with its continuation lines joined.
type dockerInstruction struct {
	line int
	cmd  string
	args string
}

func parseDockerfile(t *testing.T, name string) []dockerInstruction {
	t.Helper()
	raw, err := os.ReadFile(name)
	require.NoError(t, err)
	var (
		out     []dockerInstruction
		current strings.Builder
		start   int
	)
	for i, line := range strings.Split(string(raw), "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "#") || (trimmed == "" && current.Len() == 0) {
			continue
		}
		if current.Len() == 0 {
			start = i + 1
		}
		if cont, ok := strings.CutSuffix(trimmed, `\`); ok {
			current.WriteString(cont + " ")
			continue
		}
		current.WriteString(trimmed)
		cmd, args, _ := strings.Cut(strings.TrimSpace(current.String()), " ")
		out = append(out, dockerInstruction{line: start, cmd: strings.ToUpper(cmd), args: strings.TrimSpace(args)})
		current.Reset()
	}
	require.Zero(t, current.Len(), "the Dockerfile ends in a continuation line")
	require.NotEmpty(t, out)
	return out
}

// copyArgs splits COPY/ADD arguments into --flags, sources and the destination.
func copyArgs(t *testing.T, in dockerInstruction) (flags map[string]string, srcs []string, dst string) {
	t.Helper()
	flags = map[string]string{}
	fields := strings.Fields(in.args)
	for len(fields) > 0 && strings.HasPrefix(fields[0], "--") {
		k, v, _ := strings.Cut(strings.TrimPrefix(fields[0], "--"), "=")
		flags[k] = v
		fields = fields[1:]
	}
	if rest := strings.Join(fields, " "); strings.HasPrefix(rest, "[") {
		require.NoError(t, json.Unmarshal([]byte(rest), &fields), "line %d", in.line)
	}
	require.GreaterOrEqual(t, len(fields), 2, "line %d: %s needs a source and a destination", in.line, in.cmd)
	return flags, fields[:len(fields)-1], fields[len(fields)-1]
}

func execForm(t *testing.T, in dockerInstruction) []string {
	t.Helper()
	var args []string
	require.NoError(t, json.Unmarshal([]byte(in.args), &args), "line %d: %s must use the exec (JSON) form", in.line, in.cmd)
	return args
}

func execFormOrFields(in dockerInstruction) []string {
	var args []string
	if json.Unmarshal([]byte(in.args), &args) == nil {
		return args
	}
	return strings.Fields(in.args)
}

// dockerignore holds .dockerignore patterns, matched the way Docker does: * and ? within one path
// element, ** across elements, a pattern that matches a directory excludes what is in it, and a
// later !pattern includes again.
type dockerignore []struct {
	re      *regexp.Regexp
	include bool
}

func readDockerignore(t *testing.T) dockerignore {
	t.Helper()
	raw, err := os.ReadFile(".dockerignore")
	require.NoError(t, err)
	return parseDockerignore(string(raw))
}

func parseDockerignore(text string) dockerignore {
	var out dockerignore
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		include := strings.HasPrefix(line, "!")
		pattern := path.Clean(strings.TrimPrefix(strings.TrimPrefix(line, "!"), "/"))
		var re strings.Builder
		re.WriteString("^")
		for i := 0; i < len(pattern); i++ {
			switch c := pattern[i]; {
			case strings.HasPrefix(pattern[i:], "**/"):
				re.WriteString("(.*/)?")
				i += 2
			case strings.HasPrefix(pattern[i:], "**"):
				re.WriteString(".*")
				i++
			case c == '*':
				re.WriteString("[^/]*")
			case c == '?':
				re.WriteString("[^/]")
			default:
				re.WriteString(regexp.QuoteMeta(string(c)))
			}
		}
		re.WriteString("(/.*)?$")
		out = append(out, struct {
			re      *regexp.Regexp
			include bool
		}{regexp.MustCompile(re.String()), include})
	}
	return out
}

func (d dockerignore) excludes(p string) bool {
	p = path.Clean(filepath.ToSlash(p))
	excluded := false
	for _, pat := range d {
		if pat.re.MatchString(p) {
			excluded = !pat.include
		}
	}
	return excluded
}

// The .dockerignore matching the Dockerfile check relies on.
func TestDockerignoreMatching(t *testing.T) {
	d := parseDockerignore("# comment\n_build\n**/*.test\n/docs\n!docs/keep.md\n")
	for p, want := range map[string]bool{
		"_build": true, "_build/otelcol-qualys": true, "decode.test": true, "internal/decode/decode.test": true,
		"docs/deployment.md": true, "docs/keep.md": false, "go.mod": false, "examples/qualys.yaml": false,
		"_buildx": false,
	} {
		assert.Equal(t, want, d.excludes(p), p)
	}
}

// readYAML decodes one YAML document into generic values.
func readYAML(t *testing.T, name string) map[string]any {
	t.Helper()
	docs := readYAMLDocs(t, name)
	require.Len(t, docs, 1, name)
	return docs[0]
}

func readYAMLDocs(t *testing.T, name string) []map[string]any {
	t.Helper()
	raw, err := os.ReadFile(name)
	require.NoError(t, err)
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	var docs []map[string]any
	for {
		var doc map[string]any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err, name)
		if doc != nil {
			docs = append(docs, doc)
		}
	}
	return docs
}

// onlyDoc is the one document of the given kind in a (multi-document) manifest file.
func onlyDoc(t *testing.T, name, kind string) map[string]any {
	t.Helper()
	var found []map[string]any
	for _, doc := range readYAMLDocs(t, name) {
		if doc["kind"] == kind {
			found = append(found, doc)
		}
	}
	require.Len(t, found, 1, "%s must hold one %s", name, kind)
	return found[0]
}

// dig follows keys into nested maps and fails the test if one is missing.
func dig(t *testing.T, v any, keys ...string) any {
	t.Helper()
	for i, k := range keys {
		m, ok := v.(map[string]any)
		require.True(t, ok, "%s is not a map", strings.Join(keys[:i], "."))
		v, ok = m[k]
		require.True(t, ok, "%s is missing", strings.Join(keys[:i+1], "."))
	}
	return v
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}
