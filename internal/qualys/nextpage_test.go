// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualys

import (
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-d80aa3af/qualysreceiver/internal/decode"
)

// A next page that does not move forward is an error in the answer, not an endless loop.
func TestNextPageMustMoveForward(t *testing.T) {
	w := &decode.Warning{Code: 1980, URL: "https://x/?action=list&id_min=5"}
	_, _, err := NextPage(w, 5)
	assert.ErrorContains(t, err, "not after 5")
	_, more, err := NextPage(nil, 5)
	assert.NoError(t, err)
	assert.False(t, more)
	_, _, err = NextPage(&decode.Warning{Code: 1980, URL: "https://x/?action=list"}, 5)
	assert.ErrorContains(t, err, "without a valid id_min")
}

// A WARNING laid out as in Qualys's guide, the URL on its own indented line (in CDATA or not),
// still gives the next page.
func TestNextPagePrettyPrintedWarning(t *testing.T) {
	for name, url := range map[string]string{
		"text":            "\n      https://qualysapi.example.com/api/2.0/fo/asset/host/vm/detection/?action=list&amp;id_min=1235\n    ",
		"CDATA":           "\n      <![CDATA[https://qualysapi.example.com/api/2.0/fo/asset/host/vm/detection/?action=list&id_min=1235]]>\n    ",
		"spaces in CDATA": "<![CDATA[\n https://qualysapi.example.com/api/2.0/fo/asset/host/vm/detection/?action=list&id_min=1235\n]]>",
	} {
		t.Run(name, func(t *testing.T) {
			doc := "<HOST_LIST_VM_DETECTION_OUTPUT>\n  <RESPONSE>\n    <HOST_LIST>\n    </HOST_LIST>\n    <WARNING>\n      <CODE>\n        1980\n      </CODE>\n" +
				"      <TEXT>1000 record limit exceeded. Use URL to get next batch of results.</TEXT>\n      <URL>" + url + "</URL>\n" +
				"    </WARNING>\n  </RESPONSE>\n</HOST_LIST_VM_DETECTION_OUTPUT>\n"
			d := decode.NewHostDetections(strings.NewReader(doc))
			_, err := d.Next()
			require.ErrorIs(t, err, io.EOF)
			next, more, err := NextPage(d.Warning(), 1000)
			require.NoError(t, err)
			assert.True(t, more)
			assert.Equal(t, int64(1235), next)
			assert.Equal(t, 1980, d.Warning().Code)
		})
	}
}
