// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package pull // import "github.com/seed-d80aa3af/qualysreceiver/internal/pull"

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/seed-d80aa3af/qualysreceiver/internal/gauge"
)

// StreamCounts are a stream's gauge counts and the layout its checkpoints had before one codec
// served every gauge (see internal/gauge/legacy.go), so an upgrade restores them.
type StreamCounts[K comparable] struct {
	*gauge.Counts[K]
	Legacy gauge.LegacyReader[K]
}

func (c StreamCounts[K]) Unmarshal(data []byte) error { return c.Restore(data, c.Legacy) }

// hostKinds encodes the small kind numbers the detections and assets gauges count by; valid, when
// set, refuses a number the stream cannot have made.
type hostKinds struct{ valid func(uint32) bool }

func (hostKinds) AppendKind(buf []byte, k uint32) []byte { return binary.AppendUvarint(buf, uint64(k)) }

func (h hostKinds) ReadKind(r *gauge.Reader) (uint32, error) {
	v := r.Uvarint()
	if r.Err() == nil && (v > math.MaxUint32 || h.valid != nil && !h.valid(uint32(v))) {
		return 0, fmt.Errorf("counts: kind %d out of range", v)
	}
	return uint32(v), r.Err()
}

// NewHostCounts are per-host counts of kinds valid accepts (nil: any), reading the layout of the
// checkpoints written before one codec served every gauge.
func NewHostCounts(valid func(uint32) bool) StreamCounts[uint32] {
	legacy := gauge.LegacyPerHost(func(k uint32) (uint32, bool) { return k, valid == nil || valid(k) })
	return StreamCounts[uint32]{Counts: gauge.New[uint32](hostKinds{valid: valid}), Legacy: legacy}
}
