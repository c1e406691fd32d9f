// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"go/parser"
	gotoken "go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNothingIsEverFetched asserts by construction that a DOCTYPE's SYSTEM URL (or any entity)
// can never be fetched or opened: the package imports nothing that reaches the network or the
// file system, and it stays on the standard library.
func TestNothingIsEverFetched(t *testing.T) {
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	forbidden := []string{"net", "os", "syscall", "plugin", "unsafe"}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		ast, err := parser.ParseFile(gotoken.NewFileSet(), f, nil, parser.ImportsOnly)
		require.NoError(t, err)
		for _, imp := range ast.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			root := strings.SplitN(path, "/", 2)[0]
			assert.NotContains(t, forbidden, root, "%s imports %s", f, path)
			assert.NotContains(t, root, ".", "%s imports %s: standard library only", f, path)
		}
	}
}
