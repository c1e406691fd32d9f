// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package compliance // import "github.com/seed-d80aa3af/qualysreceiver/internal/compliance"

import (
	"encoding/binary"
	"fmt"

	"github.com/seed-d80aa3af/qualysreceiver/internal/gauge"
	"github.com/seed-d80aa3af/qualysreceiver/internal/pull"
)

// postureKind is what the postures gauge counts by: the policy and the status (1-based index in
// postureStatuses; 0 is not counted). An incremental posture answer carries only the postures
// whose status changed, so the postures gauge counts posture by posture, not host by host.
type postureKind struct {
	policy int64
	status uint8
}

// postureKinds encodes a postureKind as its policy id and status index.
type postureKinds struct{}

func (postureKinds) AppendKind(buf []byte, k postureKind) []byte {
	return binary.AppendUvarint(binary.AppendVarint(buf, k.policy), uint64(k.status))
}

func (postureKinds) ReadKind(r *gauge.Reader) (postureKind, error) {
	policy, status := r.Varint(), r.Uvarint()
	k, ok := postureKindOf(policy, status)
	if r.Err() == nil && !ok {
		return postureKind{}, fmt.Errorf("counts: status %d, not 1 to %d", status, len(postureStatuses))
	}
	return k, r.Err()
}

func postureKindOf(policy int64, status uint64) (postureKind, bool) {
	return postureKind{policy: policy, status: uint8(status)}, status >= 1 && status <= uint64(len(postureStatuses))
}

// newPostureCounts are the postures gauge's counts, reading the layout of the checkpoints
// written before one codec served every gauge.
func newPostureCounts() pull.StreamCounts[postureKind] {
	return pull.StreamCounts[postureKind]{Counts: gauge.New[postureKind](postureKinds{}), Legacy: gauge.LegacyPerRecord(postureKindOf)}
}
