// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPCRSPolicies(t *testing.T) {
	d := NewPCRSPolicies(strings.NewReader(pcrsPolicyDoc))
	var got []*PCRSPolicy
	for {
		p, err := d.Read()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		got = append(got, p)
	}
	require.Len(t, got, 2)
	assert.Equal(t, "12345", d.SubscriptionID(), "a number keeps its literal text")
	assert.Equal(t, PCRSPolicy{ID: "55", Title: "CIS Ubuntu", CreatedBy: "admin", CreatedDate: date("2024-01-02T03:04:05Z"),
		ModifiedBy: "admin", ModifiedDate: date("2024-02-02T03:04:05.123Z"), LastEvaluatedDate: date("2026-01-14T00:00:00Z"),
		Status: "active", Locked: true}, *got[0])
	assert.Equal(t, "56", got[1].ID)
	assert.False(t, got[1].Locked)
}

func TestPCRSPoliciesShapes(t *testing.T) {
	tests := []struct {
		name    string
		doc     string
		ids     []string
		recErrs int
		err     error
	}{
		{"empty body", "", nil, 0, nil},
		{"no list", `{"subscriptionId":"1"}`, nil, 0, nil},
		{"null list", `{"policyList":null,"subscriptionId":"1"}`, nil, 0, nil},
		{"list first", `{"policyList":[{"id":1}],"subscriptionId":"1"}`, []string{"1"}, 0, nil},
		{"bad element", `{"policyList":[{"id":1,"createdDate":"soon"},{"id":{}},{"title":"x"},{"id":2}]}`, []string{"2"}, 3, nil},
		{"not an object", `[1,2]`, nil, 0, ErrSyntax},
		{"list not an array", `{"policyList":{}}`, nil, 0, ErrSyntax},
		{"cut", `{"policyList":[{"id":1}`, []string{"1"}, 0, ErrTruncated},
		{"trailing data", `{"policyList":[]} {}`, nil, 0, ErrSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := pcrsPolicyEvents(strings.NewReader(tt.doc))
			if tt.err == nil {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, tt.err)
			}
			var ids []string
			recErrs := 0
			for _, e := range ev {
				if strings.HasPrefix(e, "RecordError") {
					recErrs++
					continue
				}
				ids = append(ids, strings.Fields(strings.TrimPrefix(e, "Policy {ID:"))[0])
			}
			assert.Equal(t, tt.ids, ids)
			assert.Equal(t, tt.recErrs, recErrs)
		})
	}
}

func TestPCRSStringsSanitised(t *testing.T) {
	doc := "{\"policyList\":[{\"id\":1,\"title\":\"a\\u0001b\\r\\nc\xff\",\"status\":\"x\\u0000\"}]}"
	d := NewPCRSPolicies(strings.NewReader(doc))
	p, err := d.Read()
	require.NoError(t, err)
	assert.Equal(t, "ab\nc\uFFFD", p.Title)
	assert.Equal(t, "x", p.Status)
}

func TestPCRSHostIDs(t *testing.T) {
	d := NewPCRSHostIDs(strings.NewReader(pcrsHostIDDoc))
	p, err := d.Read()
	require.NoError(t, err)
	assert.Equal(t, &PolicyHostIDs{PolicyID: "55", SubscriptionID: "12345", HostIDs: []string{"201", "202", "203"}}, p,
		"IDs as strings or numbers")
	p, err = d.Read()
	require.NoError(t, err)
	assert.Equal(t, "57", p.PolicyID)
	assert.Empty(t, p.HostIDs)
	assert.Equal(t, "Error: Compliance Policy does not exist.", p.Error, "a per-policy error is surfaced")
	_, err = d.Read()
	assert.Equal(t, io.EOF, err)
}

func TestPCRSHostIDsErrorResponse(t *testing.T) {
	doc := `[{"response":{"datetime":"2026-01-15T12:00:00Z","code":1905,"text":"parameter policy_ids has invalid value"}},{"policyId":"1","hostIds":[1.5e1, null]}]`
	d := NewPCRSHostIDs(strings.NewReader(doc))
	_, err := d.Read()
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 1905, ae.Code)
	assert.Equal(t, "qualys: code 1905: parameter policy_ids has invalid value", ae.Error())
	p, err := d.Read()
	require.NoError(t, err)
	assert.Equal(t, []string{"1.5e1"}, p.HostIDs, "numbers keep their literal text; null is dropped")
}

func TestPCRSPostures(t *testing.T) {
	d := NewPCRSPostures(strings.NewReader(pcrsPostureDoc))
	p, err := d.Read()
	require.NoError(t, err)
	assert.Equal(t, int64(900001), p.ID)
	assert.Equal(t, "CIS Ubuntu", p.PolicyTitle)
	assert.Equal(t, "Because.", p.Rationale)
	assert.Equal(t, "Enable it.", p.Remediation)
	assert.Equal(t, Technology{45, "Ubuntu 22.x"}, p.Technology)
	assert.Equal(t, Criticality{"SERIOUS", 3}, p.Criticality)
	assert.Equal(t, date("2026-01-14T00:00:00.5Z"), p.LastFailDate, "milliseconds")
	assert.Equal(t, int64(201), p.HostID, "a string number")
	assert.Empty(t, p.NetBIOS, "null")
	assert.Equal(t, "7", p.CustomerID)
	assert.JSONEq(t, `{"expectedValues":["enabled"],"currentValues":["disabled"]}`, string(p.Evidence))
	assert.JSONEq(t, `{"unexpected":["disabled"]}`, string(p.CauseOfFailure))

	p, err = d.Read()
	require.NoError(t, err)
	assert.Equal(t, int64(900002), p.ID)
	assert.Equal(t, int64(1072), p.ControlID)
	assert.Nil(t, p.Evidence)
	_, err = d.Read()
	assert.Equal(t, io.EOF, err)
}

func TestPCRSPosturesFraming(t *testing.T) {
	tests := []struct {
		name    string
		doc     string
		n       int
		recErrs int
		err     error
	}{
		{"204 empty body", "", 0, 0, nil},
		{"blank body", " \n", 0, 0, nil},
		{"empty array", "[]", 0, 0, nil},
		{"one", `[{"id":1}]`, 1, 0, nil},
		{"no readable id is a record error, another wrong type costs its field", `[{"id":"x"},{"id":1,"status":{}},{"id":2,"firstFailDate":"2026-13-01T00:00:00Z"},{"hostId":5},{"id":3}]`, 3, 2, nil},
		{"cut before the array closes", `[{"id":1},{"id":2}`, 2, 0, ErrTruncated},
		{"cut in a record", `[{"id":1},{"id":2,"st`, 1, 0, ErrTruncated},
		{"only the bracket", `[`, 0, 0, ErrTruncated},
		{"NDJSON is not the format", "{\"id\":1}\n{\"id\":2}\n", 0, 0, ErrSyntax},
		{"garbage", `[{"id":1},x]`, 1, 0, ErrSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := pcrsPostureEvents(iotest.HalfReader(strings.NewReader(tt.doc)))
			if tt.err == nil {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, tt.err)
			}
			recErrs := 0
			for _, e := range ev {
				if strings.HasPrefix(e, "RecordError") {
					recErrs++
				}
			}
			assert.Equal(t, tt.n, len(ev)-recErrs)
			assert.Equal(t, tt.recErrs, recErrs)
		})
	}
}

func TestPCRSPosturesGzip(t *testing.T) {
	gz := gzipBytes(t, []byte(pcrsPostureDoc))
	// No Content-Encoding: the decoder recognises gzip by its first bytes.
	ev, err := pcrsPostureEvents(bytes.NewReader(gz))
	require.NoError(t, err)
	assert.Len(t, ev, 2)
	ev, err = pcrsPostureEvents(bytes.NewReader(gzipBytes(t, nil)))
	require.NoError(t, err, "gzip of an empty body")
	assert.Empty(t, ev)
	_, err = pcrsPostureEvents(bytes.NewReader([]byte{0x1f, 0x8b, 1, 2, 3}))
	require.Error(t, err, "a broken gzip header")
}

func TestPCRSPosturesLimits(t *testing.T) {
	big := `{"expectedValues":["` + strings.Repeat("v", 2000) + `"]}`
	doc := `[{"id":1,"evidence":` + big + `},{"id":2,"evidence":{"a":1}}]`
	d := NewPCRSPostures(strings.NewReader(doc))
	d.MaxEvidenceBytes = 1000
	p, err := d.Read()
	require.NoError(t, err)
	assert.Nil(t, p.Evidence, "raw JSON over the limit cannot be cut: it is dropped")
	assert.True(t, p.EvidenceTruncated)
	p, err = d.Read()
	require.NoError(t, err)
	assert.Equal(t, json.RawMessage(`{"a":1}`), p.Evidence)

	d = NewPCRSPostures(strings.NewReader(`[{"id":1,"x":"` + strings.Repeat("a", 1<<20) + `"}]`))
	d.MaxRecordBytes = 64 << 10
	_, err = d.Read()
	require.ErrorIs(t, err, ErrTooLarge, "one record over MaxRecordBytes breaks the stream")
}

// A PCRS value of the wrong type costs that field: the posture comes without it, and the field is
// reported by its JSON path.
func TestPCRSPostureFieldCostsOnlyItself(t *testing.T) {
	doc := `[{"id":"x1","hostId":5},{"id":4,"status":["Passed"],"hostId":"h","technology":"Ubuntu",` +
		`"criticality":{"label":"SERIOUS","value":"high"},"lastEvaluatedDate":"2026-01-14T00:00:00Z","controlId":7}]`
	d := NewPCRSPostures(strings.NewReader(doc))
	_, err := d.Read()
	var re *RecordError
	require.ErrorAs(t, err, &re, "no readable id")
	assert.Equal(t, `id "\"x1\"": malformed value`, re.Err.Error())
	p, err := d.Read()
	require.NoError(t, err)
	assert.Equal(t, int64(4), p.ID)
	assert.Equal(t, int64(7), p.ControlID)
	assert.Equal(t, date("2026-01-14T00:00:00Z"), p.LastEvaluatedDate)
	assert.Empty(t, p.Status)
	assert.Zero(t, p.HostID)
	assert.Equal(t, Criticality{Label: "SERIOUS"}, p.Criticality)
	assert.Equal(t, Technology{}, p.Technology)
	var paths []string
	for _, fe := range d.UnreadableFields() {
		paths = append(paths, fe.Path)
		assert.ErrorIs(t, &fe, ErrBadValue)
	}
	assert.ElementsMatch(t, []string{"technology", "status", "hostId", "criticality/value"}, paths)
	_, err = d.Read()
	assert.Equal(t, io.EOF, err)
}
