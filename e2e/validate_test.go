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
	assertValidateRefuses(t, "unknown-keys")
}

// The same for testdata/refused/: mistakes a new user made that used to pass validate (durations
// without a unit, a private cloud's api_url without its gateway, a storage extension the service
// does not start). Each "# want:" line must be in the output.
func TestValidateRefusesNewUserMistakes(t *testing.T) {
	assertValidateRefuses(t, "refused")
}

func assertValidateRefuses(t *testing.T, dir string) {
	collector := builtCollector(t)
	files, err := filepath.Glob(filepath.Join("..", "testdata", dir, "*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			want := wantLines(t, file)
			require.NotEmpty(t, want, "%s: a # want: line", file)
			out, err := exec.Command(collector, "validate", "--config="+file).CombinedOutput()
			var exit *exec.ExitError
			require.True(t, errors.As(err, &exit), "validate accepted %s (%v):\n%s", file, err, out)
			// The collector names the receiver once, before the first of the receiver's lines.
			assert.Contains(t, string(out), "receivers::qualys: "+want[0])
			for _, w := range want[1:] {
				assert.Contains(t, string(out), w)
			}
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
