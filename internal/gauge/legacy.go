// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package gauge // import "github.com/seed-d80aa3af/qualysreceiver/internal/gauge"

import (
	"fmt"
	"math"
)

// LegacyReader reads the body of a format 1 encoding, which each stream wrote in a layout of its
// own before one codec served them all, passing each id's counts to add. The ids a full pull had
// counted follow in the layout Marshal still writes, and Restore reads them.
type LegacyReader[K comparable] func(r *Reader, add func(id int64, counts map[K]uint32) error) error

// LegacyPerHost reads format 1 as the vulnerabilities stream wrote it: the host count, then per
// host in ascending id its difference from the previous one, its kind count and each kind (a
// uint32 that kind turns into K, or refuses) with its count.
func LegacyPerHost[K comparable](kind func(uint32) (K, bool)) LegacyReader[K] {
	return func(r *Reader, add func(int64, map[K]uint32) error) error {
		return readPerID(r, add, func(id int64, v uint64) (K, error) {
			k, ok := kind(uint32(v))
			if v > math.MaxUint32 || !ok {
				return k, fmt.Errorf("counts of host %d: kind %d out of range", id, v)
			}
			return k, nil
		})
	}
}

// LegacyPerRecord reads format 1 as the compliance stream wrote it: the kinds (a policy id as a
// varint and a status index, which kind turns into K, or refuses), then the posture count and per
// posture in ascending id its difference from the previous one and its kind index.
func LegacyPerRecord[K comparable](kind func(policy int64, status uint64) (K, bool)) LegacyReader[K] {
	return func(r *Reader, add func(int64, map[K]uint32) error) error {
		nk := r.Count("kinds")
		kinds := make([]K, 0, nk)
		for i := range nk {
			policy, status := r.Varint(), r.Uvarint()
			k, ok := kind(policy, status)
			if r.Err() == nil && !ok {
				return fmt.Errorf("counts: kind %d has policy %d, status %d", i, policy, status)
			}
			kinds = append(kinds, k)
		}
		n := r.Count("postures")
		var id int64
		for range n {
			id += r.Varint()
			idx := r.Uvarint()
			if r.Err() != nil {
				return r.Err()
			}
			if idx >= uint64(len(kinds)) {
				return fmt.Errorf("counts: posture %d has kind %d of %d", id, idx, len(kinds))
			}
			if err := add(id, map[K]uint32{kinds[idx]: 1}); err != nil {
				return err
			}
		}
		return r.Err()
	}
}
