// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualysreceiver

import (
	"os"
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
		"`policy_ids`", "`include_evidence`", "`interval`", "`enabled`",
	} {
		assert.Contains(t, string(readme), key)
	}
}
