// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// No attribute name is also the namespace of another (qualys.detection.qds beside
// qualys.detection.qds.severity): the OpenTelemetry naming rules forbid it, and a store that nests
// dotted names cannot hold a field that is both a value and an object. The names are every
// resource, record and data point attribute of every stream's golden files (full simulator polls),
// and every attribute constant of internal/convert, so a name no golden file shows yet counts too.
func TestNoAttributeNameIsAnotherNamesPrefix(t *testing.T) {
	names := map[string]string{} // name → where it was seen
	require.NoError(t, filepath.WalkDir("testdata", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".yaml" {
			return err
		}
		switch {
		case strings.HasSuffix(path, "logs.yaml"):
			collectLogNames(t, path, names)
		case strings.HasSuffix(path, "metrics.yaml"):
			collectMetricNames(t, path, names)
		}
		return nil
	}))
	for _, name := range convertAttributeNames(t) {
		if _, ok := names[name]; !ok {
			names[name] = "internal/convert"
		}
	}
	require.Contains(t, names, "qualys.detection.qds.severity", "the golden files hold the detections")
	require.Contains(t, names, "server.address", "the golden files hold the source")

	assert.Empty(t, namespaceClashes(names))
}

// The check itself finds a name that is another's namespace, and only that.
func TestNamespaceClashesFound(t *testing.T) {
	clashes := namespaceClashes(map[string]string{
		"qualys.detection.qds": "a", "qualys.detection.qds.severity": "b", "qualys.detection.qdsx": "c",
		"server.address": "d", "server.port": "e",
	})
	assert.Equal(t, []string{"qualys.detection.qds (a) is the namespace of qualys.detection.qds.severity (b)"}, clashes)
}

func namespaceClashes(names map[string]string) []string {
	sorted := slices.Sorted(func(yield func(string) bool) {
		for n := range names {
			if !yield(n) {
				return
			}
		}
	})
	var clashes []string
	for _, name := range sorted {
		for _, other := range sorted {
			if strings.HasPrefix(other, name+".") {
				clashes = append(clashes, name+" ("+names[name]+") is the namespace of "+other+" ("+names[other]+")")
			}
		}
	}
	return clashes
}

func addNames(attrs pcommon.Map, where string, names map[string]string) {
	for k := range attrs.All() {
		if _, ok := names[k]; !ok {
			names[k] = where
		}
	}
}

func collectLogNames(t *testing.T, path string, names map[string]string) {
	t.Helper()
	ld, err := golden.ReadLogs(path)
	require.NoError(t, err)
	for _, rl := range ld.ResourceLogs().All() {
		addNames(rl.Resource().Attributes(), path+" resource", names)
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				addNames(lr.Attributes(), path+" record", names)
			}
		}
	}
}

func collectMetricNames(t *testing.T, path string, names map[string]string) {
	t.Helper()
	md, err := golden.ReadMetrics(path)
	require.NoError(t, err)
	for _, rm := range md.ResourceMetrics().All() {
		addNames(rm.Resource().Attributes(), path+" resource", names)
		for _, sm := range rm.ScopeMetrics().All() {
			for _, m := range sm.Metrics().All() {
				var dps pmetric.NumberDataPointSlice
				switch m.Type() {
				case pmetric.MetricTypeGauge:
					dps = m.Gauge().DataPoints()
				case pmetric.MetricTypeSum:
					dps = m.Sum().DataPoints()
				default:
					t.Fatalf("%s: metric %s of type %s", path, m.Name(), m.Type())
				}
				for _, dp := range dps.All() {
					addNames(dp.Attributes(), path+" "+m.Name(), names)
				}
			}
		}
	}
}

// convertAttributeNames reads the values of internal/convert's Attr* constants.
func convertAttributeNames(t *testing.T) []string {
	t.Helper()
	pkgs, err := parser.ParseDir(token.NewFileSet(), filepath.Join("..", "internal", "convert"), func(fi fs.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go")
	}, 0)
	require.NoError(t, err)
	var out []string
	for _, pkg := range pkgs {
		ast.Inspect(pkg, func(n ast.Node) bool {
			spec, ok := n.(*ast.ValueSpec)
			if !ok {
				return true
			}
			for i, id := range spec.Names {
				if !strings.HasPrefix(id.Name, "Attr") || i >= len(spec.Values) {
					continue
				}
				if lit, ok := spec.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					v, err := strconv.Unquote(lit.Value)
					require.NoError(t, err)
					out = append(out, v)
				}
			}
			return true
		})
	}
	require.NotEmpty(t, out)
	return out
}
