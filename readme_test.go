// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualysreceiver

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The README shows examples/qualys.yaml; `make test` validates that file with the built collector,
// so the README's example is the validated one only while they are the same text.
func TestReadmeShowsTheValidatedExample(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	example, err := os.ReadFile("examples/qualys.yaml")
	require.NoError(t, err)
	assert.True(t, strings.Contains(string(readme), "```yaml\n"+string(example)+"```"),
		"README.md must contain examples/qualys.yaml verbatim in a yaml block")
}

// Every key of the default configuration appears in the README's configuration reference.
func TestReadmeDocumentsEveryKey(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	for _, key := range []string{
		"`platform`", "`api_url`", "`gateway_url`", "`username`", "`password`", "`timeout`", "`max_concurrency`",
		"`retry_on_failure`", "`storage`", "`tags::include`", "`tags::exclude`", "`tags::include_selector`",
		"`tags::exclude_selector`", "`modified_within`", "`full_sync_interval`", "`page_size`", "`status`",
		"`include_vuln_type`", "`arf_kernel_filter`", "`severities`", "`qids`", "`show_results`",
		"`max_results_bytes`", "`knowledge_base::enabled`", "`knowledge_base::refresh_interval`",
		"`knowledge_base::include_text`",
		"`policy_ids`", "`include_evidence`", "`interval`", "`enabled`",
	} {
		assert.Contains(t, string(readme), key)
	}
}

// attributeNames are the string values of the Attr* constants in internal/convert/attributes.go,
// the one place attribute names are defined, without the keys of maps (which have no dot).
func attributeNames(t *testing.T) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "internal/convert/attributes.go", nil, 0)
	require.NoError(t, err)
	var names []string
	ast.Inspect(f, func(n ast.Node) bool {
		spec, ok := n.(*ast.ValueSpec)
		if !ok {
			return true
		}
		for i, id := range spec.Names {
			lit, ok := spec.Values[i].(*ast.BasicLit)
			if !ok || !strings.HasPrefix(id.Name, "Attr") {
				continue
			}
			v, err := strconv.Unquote(lit.Value)
			require.NoError(t, err)
			if strings.Contains(v, ".") {
				names = append(names, v)
			}
		}
		return true
	})
	require.Greater(t, len(names), 50)
	return names
}

// Every attribute the receiver emits is documented: in full, or shortened to its last parts on a
// README line that names the rest (`qualys.vulnerability.cvss3.base`, `.cvss3.vector`).
func TestReadmeDocumentsEveryAttribute(t *testing.T) {
	b, err := os.ReadFile("README.md")
	require.NoError(t, err)
	readme := string(b)
	lines := strings.Split(readme, "\n")
	documented := func(name string) bool {
		if strings.Contains(readme, "`"+name+"`") {
			return true
		}
		for i := strings.IndexByte(name, '.'); i > 0; i = nextDot(name, i) {
			short, prefix := "`"+name[i:]+"`", "`"+name[:i]
			for _, l := range lines {
				if strings.Contains(l, short) && strings.Contains(l, prefix) {
					return true
				}
			}
		}
		return false
	}
	for _, name := range attributeNames(t) {
		assert.True(t, documented(name), "README.md does not document %s", name)
	}
}

func nextDot(s string, i int) int {
	if j := strings.IndexByte(s[i+1:], '.'); j >= 0 {
		return i + 1 + j
	}
	return -1
}
