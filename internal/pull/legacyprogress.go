// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package pull // import "github.com/seed-d80aa3af/qualysreceiver/internal/pull"

import (
	"bytes"
	"encoding/json"
)

// UnmarshalJSON reads a pull in progress, in this layout or in the one the compliance stream
// wrote while it pulled postures in a loop of its own: the pull's policies in the order pulled
// and a position (every policy before Policies[Next], and the hosts of Policies[Next] below
// NextHost, were accepted). That pull becomes one range per policy at the same position, so an
// upgrade resumes it where it stopped.
func (p *Progress) UnmarshalJSON(data []byte) error {
	type plain Progress // without this method
	var read struct {
		plain
		Policies []int64 `json:"policies"`
		Next     int     `json:"next"`
		NextHost int64   `json:"next_host"`
		// Pairs counted the policy-host pairs pulled.
		Pairs int64 `json:"pairs"`
	}
	if err := json.Unmarshal(data, &read); err != nil {
		return err
	}
	*p = Progress(read.plain)
	if read.Policies == nil {
		return nil
	}
	p.HostsDone = read.Pairs
	p.Ranges = make([]IDRange, len(read.Policies))
	for i, policy := range read.Policies {
		p.Ranges[i] = IDRange{Policy: policy, Done: i < read.Next}
		if i == read.Next {
			p.Ranges[i].Next = read.NextHost
		}
	}
	// The gauge counts an even earlier layout kept under a second key are tagged with the
	// position as that layout wrote it (PositionOf of its form, which these bytes are).
	var compact bytes.Buffer
	if json.Compact(&compact, data) == nil {
		p.formerPosition = positionOfJSON(compact.Bytes())
	}
	return nil
}
