// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package pull // import "github.com/seed-d80aa3af/qualysreceiver/internal/pull"

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"slices"
	"strconv"

	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
)

// Selection names a stream's filters by a short hash of their canonical form: a checkpoint records
// it, so a cursor taken under other filters is not used. An incremental pull asks only for what
// changed since the cursor, so records the new filters take in that did not change would
// otherwise come only with the next full pull. Only what selects records goes in, with lists
// sorted and without repeats, so reordering a list in the config or changing a page size or an
// output option keeps the checkpoint.
type Selection struct{ v url.Values }

func NewSelection() *Selection { return &Selection{v: url.Values{}} }

// Strings adds a list filter; an empty list adds nothing.
func (s *Selection) Strings(key string, values []string) *Selection {
	for _, v := range slices.Compact(slices.Sorted(slices.Values(values))) {
		s.v.Add(key, v)
	}
	return s
}

func (s *Selection) Ints(key string, values []int64) *Selection {
	for _, v := range slices.Compact(slices.Sorted(slices.Values(values))) {
		s.v.Add(key, strconv.FormatInt(v, 10))
	}
	return s
}

func (s *Selection) Set(key, value string) *Selection {
	s.v.Set(key, value)
	return s
}

func (s *Selection) Tags(f qualys.TagFilter) *Selection {
	s.Strings("tag_include", f.Include).Strings("tag_exclude", f.Exclude)
	if len(f.Include) > 0 {
		s.Set("tag_include_selector", cmp.Or(f.IncludeSelector, "any"))
	}
	if len(f.Exclude) > 0 {
		s.Set("tag_exclude_selector", cmp.Or(f.ExcludeSelector, "any"))
	}
	return s
}

// Hash is the selection's name for checkpoints.
func (s *Selection) Hash() string {
	sum := sha256.Sum256([]byte(s.v.Encode()))
	return hex.EncodeToString(sum[:8])
}
