// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package vulnerabilities

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-d80aa3af/qualysreceiver/internal/pull"
	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
)

// A vulnerabilities selection is the same for the same filters in another order or with repeats, and for changes
// that select nothing else (page size, output options); it differs when a filter changes.
func TestSelectionIsCanonical(t *testing.T) {
	two := 2
	base := qualys.DetectionQuery{Status: []string{"New", "Active"}, Severities: []int{4, 5}, QIDs: []int64{9, 3},
		Tags: qualys.TagFilter{Include: []string{"b", "a"}}, ArfKernelFilter: &two}
	same := []qualys.DetectionQuery{
		{Status: []string{"Active", "New", "New"}, Severities: []int{5, 4}, QIDs: []int64{3, 9}, Tags: qualys.TagFilter{Include: []string{"a", "b"}, IncludeSelector: "any"}, ArfKernelFilter: &two},
		func() qualys.DetectionQuery {
			q := base
			q.PageSize, q.ShowResults, q.ProcessedAfter = 7, true, time.Now()
			return q
		}(),
	}
	for i, q := range same {
		assert.Equal(t, vulnerabilitiesSelection(base), vulnerabilitiesSelection(q), "case %d", i)
	}
	differ := []func(*qualys.DetectionQuery){
		func(q *qualys.DetectionQuery) { q.Status = []string{"Active"} },
		func(q *qualys.DetectionQuery) { q.Severities = nil },
		func(q *qualys.DetectionQuery) { q.QIDs = append(q.QIDs, 1) },
		func(q *qualys.DetectionQuery) { q.Tags.Include = []string{"a"} },
		func(q *qualys.DetectionQuery) { q.Tags.IncludeSelector = "all" },
		func(q *qualys.DetectionQuery) { q.Tags.Exclude = []string{"a"} },
		func(q *qualys.DetectionQuery) { q.ArfKernelFilter = nil },
		func(q *qualys.DetectionQuery) { q.IncludeVulnType = []string{"confirmed"} },
	}
	for i, change := range differ {
		q := base
		q.Tags.Include = slices.Clone(base.Tags.Include)
		change(&q)
		assert.NotEqual(t, vulnerabilitiesSelection(base), vulnerabilitiesSelection(q), "change %d", i)
	}
	// Both vulnerability types, like none, filter nothing.
	both := base
	both.IncludeVulnType = []string{"potential", "confirmed"}
	assert.Equal(t, vulnerabilitiesSelection(base), vulnerabilitiesSelection(both))

}

// The detections gauge's counts accept only kinds the stream makes: a damaged kind would index past the
// status or type enums when the gauge is emitted.
func TestCountsRefuseKindsTheStreamCannotMake(t *testing.T) {
	good := pull.NewHostCounts(nil)
	good.Set(1, map[uint32]int{uint32(4) | uint32(statusIndex("Fixed"))<<8 | uint32(typeIndex("Info"))<<16: 2})
	require.NoError(t, pull.NewHostCounts(validDetectionKind).Unmarshal(good.Marshal()))
	for _, kind := range []uint32{9 << 8, 4 << 16, 1 << 24} {
		bad := pull.NewHostCounts(nil)
		bad.Set(1, map[uint32]int{kind: 1})
		assert.Error(t, pull.NewHostCounts(validDetectionKind).Unmarshal(bad.Marshal()), "kind %#x", kind)
	}

}
