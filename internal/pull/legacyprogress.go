// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package pull // import "github.com/seed-d80aa3af/qualysreceiver/internal/pull"

import (
	"bytes"
	"encoding/json"
	"time"
)

// policiesProgress is the pull in progress as the compliance stream checkpointed it while it
// pulled postures in a loop of its own: its policies in the order pulled, and a position (every
// policy before Policies[Next], and the hosts of Policies[Next] below NextHost, were accepted).
// The field order and tags are that layout's, so PositionOf names its positions as it did.
type policiesProgress struct {
	Cursor   time.Time `json:"cursor"`
	Full     bool      `json:"full"`
	API      string    `json:"api"`
	Policies []int64   `json:"policies"`
	Next     int       `json:"next"`
	NextHost int64     `json:"next_host,omitempty"`
	// Pairs counted the policy-host pairs pulled.
	Pairs int64 `json:"pairs,omitempty"`
}

// UnmarshalJSON reads a pull in progress, in this layout or in policiesProgress's, which becomes
// one range per policy at the same position, so an upgrade resumes it where it stopped.
func (p *Progress) UnmarshalJSON(data []byte) error {
	type plain Progress // without this method
	if !bytes.Contains(data, []byte(`"policies"`)) {
		return json.Unmarshal(data, (*plain)(p))
	}
	var former policiesProgress
	if err := json.Unmarshal(data, &former); err != nil {
		return err
	}
	if former.Policies == nil {
		return json.Unmarshal(data, (*plain)(p))
	}
	*p = former.progress()
	return nil
}

// progress is the pull in the ranges of today's layout, remembering its position in its own
// terms for the gauge counts an even earlier layout tagged with it (legacyGauge).
func (f *policiesProgress) progress() Progress {
	p := Progress{Cursor: f.Cursor, Full: f.Full, API: f.API, HostsDone: f.Pairs, formerPosition: PositionOf(f)}
	p.Ranges = make([]IDRange, len(f.Policies))
	for i, policy := range f.Policies {
		p.Ranges[i] = IDRange{Policy: policy, Done: i < f.Next}
		if i == f.Next {
			p.Ranges[i].Next = f.NextHost
		}
	}
	return p
}
