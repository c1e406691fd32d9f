// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecodeSimpleReturn(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want SimpleReturn
	}{
		{
			name: "rate limit",
			doc:  simpleReturnDoc,
			want: SimpleReturn{
				Datetime: date("2026-01-15T12:00:00Z"), Code: 1965,
				Text:  "This API cannot be run again for another 23 hours, 57 minutes and 54 seconds.",
				Items: []Item{{Key: "SECONDS_TO_WAIT", Value: "86274"}},
			},
		},
		{
			name: "concurrency limit",
			doc: `<SIMPLE_RETURN><RESPONSE><CODE>1960</CODE><TEXT>This API cannot be run again until 1 currently running API instance has finished.</TEXT>` +
				`<ITEM_LIST><ITEM><KEY>CALLS_TO_FINISH</KEY><VALUE>1</VALUE></ITEM><ITEM><KEY>OTHER</KEY><VALUE/></ITEM></ITEM_LIST></RESPONSE></SIMPLE_RETURN>`,
			want: SimpleReturn{Code: 1960, Text: "This API cannot be run again until 1 currently running API instance has finished.",
				Items: []Item{{Key: "CALLS_TO_FINISH", Value: "1"}, {Key: "OTHER"}}},
		},
		{
			name: "account expired, no items",
			doc:  `<?xml version="1.0"?><SIMPLE_RETURN><RESPONSE><DATETIME>2026-01-15T12:00:00Z</DATETIME><CODE>2001</CODE><TEXT>This account has expired.</TEXT></RESPONSE></SIMPLE_RETURN>`,
			want: SimpleReturn{Datetime: date("2026-01-15T12:00:00Z"), Code: 2001, Text: "This account has expired."},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeSimpleReturn(strings.NewReader(tt.doc))
			require.NoError(t, err)
			assert.Equal(t, tt.want, *got)
		})
	}
}

func TestSimpleReturnItems(t *testing.T) {
	sr, err := DecodeSimpleReturn(strings.NewReader(simpleReturnDoc))
	require.NoError(t, err)
	v, ok := sr.ItemInt("SECONDS_TO_WAIT")
	assert.True(t, ok)
	assert.Equal(t, int64(86274), v)
	_, ok = sr.Item("CALLS_TO_FINISH")
	assert.False(t, ok)
	assert.Equal(t, "qualys: code 1965: This API cannot be run again for another 23 hours, 57 minutes and 54 seconds.", sr.Error())
}

func TestDecodeSimpleReturnErrors(t *testing.T) {
	_, err := DecodeSimpleReturn(strings.NewReader(`<SIMPLE_RETURN><RESPONSE><CODE>19x</CODE></RESPONSE></SIMPLE_RETURN>`))
	assert.ErrorIs(t, err, ErrBadValue)
	_, err = DecodeSimpleReturn(strings.NewReader(`<SIMPLE_RETURN><RESPONSE><CODE>1965</CODE>`))
	assert.ErrorIs(t, err, ErrTruncated)
	_, err = DecodeSimpleReturn(strings.NewReader(hldEmptyDoc))
	assert.ErrorIs(t, err, ErrUnexpectedRoot)
}

func TestSniffRoot(t *testing.T) {
	tests := []struct {
		name, prefix, want string
	}{
		{"simple return", simpleReturnDoc, "SIMPLE_RETURN"},
		{"detections", hldDoc[:400], "HOST_LIST_VM_DETECTION_OUTPUT"},
		{"byte order mark", "\xEF\xBB\xBF<?xml version=\"1.0\"?><HOST_LIST_OUTPUT>", "HOST_LIST_OUTPUT"},
		{"attributes", `<ServiceResponse xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`, "ServiceResponse"},
		{"self-closing", `<A/>`, "A"},
		{"doctype with subset", `<!DOCTYPE X [ <!ENTITY a "<B>"> ]><!-- <C> --><X>`, "X"},
		{"leading white space", "\n\t <X>", "X"},
		{"cut in the root tag", `<?xml version="1.0"?><SIMPLE_RET`, ""},
		{"cut in the prolog", `<?xml version="1.0"`, ""},
		{"cut in a comment", `<!-- <X>`, ""},
		{"JSON", `[{"id":1}]`, ""},
		{"empty", ``, ""},
		{"html", `<html><body>503</body></html>`, "html"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prefix := []byte(tt.prefix)
			orig := string(prefix)
			assert.Equal(t, tt.want, SniffRoot(prefix))
			assert.Equal(t, orig, string(prefix), "prefix not modified")
		})
	}
	// Every cut of a document either names its root or says "" — never another name.
	for n := range len(simpleReturnDoc) {
		if got := SniffRoot([]byte(simpleReturnDoc[:n])); got != "" {
			assert.Equal(t, "SIMPLE_RETURN", got, "prefix %d", n)
		}
	}
}
