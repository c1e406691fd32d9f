// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver // import "github.com/seed-d80aa3af/qualysreceiver/receiver"

import (
	"github.com/seed-d80aa3af/qualysreceiver/internal/pull"
)

// progressRef is a pull in progress as the gauge counts of the former layout see it; nil for no
// pull.
func progressRef(p *pull.Progress) *pullRef {
	if p == nil {
		return nil
	}
	return &pullRef{cursor: p.Cursor, full: p.Full, position: positionOf(p)}
}

// streamState is what a stream that pulls host id ranges checkpoints.
type streamState = pull.Record[pull.Progress, gaugeRecord]
