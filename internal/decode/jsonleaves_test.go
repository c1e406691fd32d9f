// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestPCRSPostureFieldNeverCostsItsRecord is TestAFieldNeverCostsItsRecord for PCRS postures
// (JSON): each scalar of each posture, one at a time, becomes "x!".
func TestPCRSPostureFieldNeverCostsItsRecord(t *testing.T) {
	const bad = "x!"
	var doc []map[string]any
	d := json.NewDecoder(bytes.NewReader([]byte(pcrsPostureDoc)))
	d.UseNumber()
	require.NoError(t, d.Decode(&doc))
	base := decodeAllPCRSPostures(t, doc)
	require.NotEmpty(t, base.records)
	for i, rec := range doc {
		for _, path := range jsonLeaves(rec, "") {
			restore := setJSONLeaf(rec, path, bad)
			got := decodeAllPCRSPostures(t, doc)
			restore()
			if msg := onlyLeafChanged(base, got, fmt.Sprintf("posture%d/%s", i, path), bad); msg != "" {
				t.Errorf("%d/%s = %q: %s", i, path, bad, msg)
			}
		}
	}
}

// jsonLeaves lists the paths of the scalars of obj; evidence and causeOfFailure are kept as raw
// JSON, so they count as one leaf each.
func jsonLeaves(obj map[string]any, prefix string) []string {
	var out []string
	for k, v := range obj {
		if sub, ok := v.(map[string]any); ok && k != "evidence" && k != "causeOfFailure" {
			out = append(out, jsonLeaves(sub, prefix+k+"/")...)
			continue
		}
		out = append(out, prefix+k)
	}
	return out
}

// setJSONLeaf sets the value at path and returns the function that puts the old one back.
func setJSONLeaf(obj map[string]any, path, v string) func() {
	for i := 0; i < len(path); i++ {
		if path[i] == '/' {
			return setJSONLeaf(obj[path[:i]].(map[string]any), path[i+1:], v)
		}
	}
	old := obj[path]
	obj[path] = v
	return func() { obj[path] = old }
}

func decodeAllPCRSPostures(t *testing.T, doc []map[string]any) decodedDoc {
	b, err := json.Marshal(doc)
	require.NoError(t, err)
	d := NewPCRSPostures(bytes.NewReader(b))
	recs, err := readAll("posture", d.Read, d.UnreadableFields)
	return decodedDoc{records: recs, err: err}
}
