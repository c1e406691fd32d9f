// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
)

// IDRange is an inclusive range of IDs; a single ID has Lo == Hi.
type IDRange struct{ Lo, Hi uint64 }

// IDSet is a sorted, merged list of ID ranges, the value of Qualys parameters such as ids=1,3-5.
// A nil IDSet means "no restriction" wherever a Query uses one.
type IDSet []IDRange

var errBadIDSet = errors.New("expected a comma-separated list of numbers and ranges like 1,3-5")

// ParseIDSet parses "1,3-5, 9" into an IDSet. Empty items are rejected, as Qualys rejects them.
func ParseIDSet(s string) (IDSet, error) {
	var set IDSet
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		lo, hi, isRange := strings.Cut(item, "-")
		a, err := strconv.ParseUint(strings.TrimSpace(lo), 10, 64)
		if err != nil {
			return nil, errBadIDSet
		}
		b := a
		if isRange {
			if b, err = strconv.ParseUint(strings.TrimSpace(hi), 10, 64); err != nil || b < a {
				return nil, errBadIDSet
			}
		}
		set = append(set, IDRange{a, b})
	}
	return set.normalize(), nil
}

// NewIDSet builds an IDSet from single IDs.
func NewIDSet(ids ...uint64) IDSet {
	set := make(IDSet, 0, len(ids))
	for _, id := range ids {
		set = append(set, IDRange{id, id})
	}
	return set.normalize()
}

func (s IDSet) normalize() IDSet {
	slices.SortFunc(s, func(a, b IDRange) int {
		switch {
		case a.Lo < b.Lo:
			return -1
		case a.Lo > b.Lo:
			return 1
		}
		return 0
	})
	out := s[:0]
	for _, r := range s {
		if n := len(out); n > 0 && r.Lo <= out[n-1].Hi+1 {
			out[n-1].Hi = max(out[n-1].Hi, r.Hi)
			continue
		}
		out = append(out, r)
	}
	return out
}

// Contains reports whether id is in the set.
func (s IDSet) Contains(id uint64) bool {
	i, _ := slices.BinarySearchFunc(s, id, func(r IDRange, id uint64) int {
		switch {
		case r.Hi < id:
			return -1
		case r.Lo > id:
			return 1
		}
		return 0
	})
	return i < len(s) && s[i].Lo <= id && id <= s[i].Hi
}

// String renders the set the way Qualys compresses ID lists: "1,3-5,9".
func (s IDSet) String() string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatUint(r.Lo, 10))
		if r.Hi != r.Lo {
			b.WriteByte('-')
			b.WriteString(strconv.FormatUint(r.Hi, 10))
		}
	}
	return b.String()
}

// span is the number of IDs the set covers (saturating).
func (s IDSet) span() uint64 {
	var n uint64
	for _, r := range s {
		n += r.Hi - r.Lo + 1
		if n == 0 || r.Hi-r.Lo == math.MaxUint64 {
			return math.MaxUint64
		}
	}
	return n
}
