// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const classicPolicyListDoc = `<?xml version="1.0" encoding="UTF-8" ?>
<POLICY_LIST_OUTPUT>
  <RESPONSE>
    <DATETIME>2026-01-15T12:00:00Z</DATETIME>
    <POLICY_LIST>
      <POLICY><ID>11</ID><TITLE> Windows 2019 </TITLE></POLICY>
      <POLICY><ID>0</ID><TITLE>no id</TITLE></POLICY>
      <POLICY><ID>12</ID><TITLE><![CDATA[Linux & co]]></TITLE></POLICY>
    </POLICY_LIST>
    <WARNING>
      <CODE>1980</CODE>
      <TEXT>2 record limit exceeded.</TEXT>
      <URL><![CDATA[https://qualysapi.example.com/api/2.0/fo/compliance/policy/?action=list&id_min=13]]></URL>
    </WARNING>
  </RESPONSE>
</POLICY_LIST_OUTPUT>
`

func TestReadClassicPolicyList(t *testing.T) {
	l, err := ReadClassicPolicyList(strings.NewReader(classicPolicyListDoc))
	require.NoError(t, err)
	assert.Equal(t, []ClassicPolicy{{ID: 11, Title: "Windows 2019"}, {ID: 12, Title: "Linux & co"}}, l.Policies)
	assert.Equal(t, "2026-01-15T12:00:00Z", l.Datetime.Format("2006-01-02T15:04:05Z07:00"))
	require.NotNil(t, l.Warning)
	assert.Equal(t, 1980, l.Warning.Code)
	assert.Equal(t, "https://qualysapi.example.com/api/2.0/fo/compliance/policy/?action=list&id_min=13", l.Warning.URL)
}

func TestReadClassicPolicyListBroken(t *testing.T) {
	for name, tc := range map[string]struct {
		doc  string
		want error
	}{
		"empty":       {"", ErrTruncated},
		"cut":         {classicPolicyListDoc[:len(classicPolicyListDoc)/2], io.ErrUnexpectedEOF},
		"other root":  {`<SIMPLE_RETURN><RESPONSE/></SIMPLE_RETURN>`, ErrUnexpectedRoot},
		"closed root": {`<POLICY_LIST_OUTPUT><RESPONSE></POLICY_LIST_OUTPUT>`, nil},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ReadClassicPolicyList(strings.NewReader(tc.doc))
			var se *StreamError
			require.ErrorAs(t, err, &se)
			if tc.want != nil && !errors.Is(err, tc.want) {
				// encoding/xml reports a cut document as a syntax error naming EOF.
				assert.Contains(t, err.Error(), "unexpected EOF")
			}
		})
	}
}

func classicPolicyListEvents(r io.Reader) ([]string, error) {
	l, err := ReadClassicPolicyList(r)
	if err != nil {
		return nil, err
	}
	ev := make([]string, 0, len(l.Policies))
	for _, p := range l.Policies {
		if p.ID <= 0 {
			return nil, violated("policy without ID")
		}
		ev = append(ev, fmt.Sprintf("Policy %+v", p))
	}
	return ev, nil
}
