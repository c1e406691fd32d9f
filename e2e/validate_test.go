// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The built collector's validate refuses each configuration of testdata/unknown-keys/ (a key the
// qualys receiver does not have), printing after the receiver's id the message each file's
// "# want:" line gives. config_keys_test.go loads the same files in process.
func TestValidateRefusesUnknownKeys(t *testing.T) {
	collector := builtCollector(t)
	files, err := filepath.Glob(filepath.Join("..", "testdata", "unknown-keys", "*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			want := wantLines(t, file)
			require.Len(t, want, 1, "%s: one # want: line", file)
			out, err := exec.Command(collector, "validate", "--config="+file).CombinedOutput()
			var exit *exec.ExitError
			require.True(t, errors.As(err, &exit), "validate accepted %s (%v):\n%s", file, err, out)
			assert.Contains(t, string(out), "receivers::qualys: "+want[0])
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
