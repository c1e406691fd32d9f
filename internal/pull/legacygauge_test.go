// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package pull

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/seed-d80aa3af/qualysreceiver/internal/checkpoint"
)

// Which saved counts a restart uses: a completed pull's against the last completed cursor or the
// pull in progress; a stopped pull's only against the pull in progress; a full pull's counting
// goes on only for that same full pull, stopped exactly where the checkpoint's position is.
func TestGaugeCheckpointUse(t *testing.T) {
	c1 := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	c2 := c1.Add(time.Hour)
	cases := []struct {
		name               string
		saved              countsCheckpoint
		collecting         bool
		completed          time.Time
		current            *Ref
		baseline, counting bool
		restored           bool
	}{
		{"completed, last completed", countsCheckpoint{AsOf: c1, Completed: true, Baseline: true}, false, c1, nil, true, false, true},
		{"completed, then the cursor write was lost", countsCheckpoint{AsOf: c2, Completed: true, Baseline: true}, false, c1, &Ref{Cursor: c2}, true, false, true},
		{"stopped, resumed", countsCheckpoint{AsOf: c2, Baseline: true}, false, c1, &Ref{Cursor: c2}, true, false, true},
		{"stopped, then completed but the final counts were lost", countsCheckpoint{AsOf: c2, Baseline: true}, false, c2, nil, false, false, false},
		{"older pull", countsCheckpoint{AsOf: c1, Completed: true, Baseline: true}, false, c2, nil, false, false, false},
		{"full pull stopped, resumed", countsCheckpoint{AsOf: c2, Baseline: true, Position: "p"}, true, c1, &Ref{Cursor: c2, Full: true, Position: "p"}, true, true, true},
		{"first full pull stopped, resumed", countsCheckpoint{AsOf: c2, Position: "p"}, true, time.Time{}, &Ref{Cursor: c2, Full: true, Position: "p"}, false, true, true},
		{"full pull stopped, resumed, killed past the counts", countsCheckpoint{AsOf: c2, Baseline: true, Position: "p"}, true, c1, &Ref{Cursor: c2, Full: true, Position: "q"}, true, false, true},
		{"first full pull killed past the counts", countsCheckpoint{AsOf: c2, Position: "p"}, true, time.Time{}, &Ref{Cursor: c2, Full: true, Position: "q"}, false, false, true},
		{"full counting, but the pull in progress is not full", countsCheckpoint{AsOf: c2, Baseline: true, Position: "p"}, true, c1, &Ref{Cursor: c2, Position: "p"}, true, false, true},
		{"no tag", countsCheckpoint{Completed: true, Baseline: true}, false, time.Time{}, nil, false, false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			store := checkpoint.New(nil)
			saved := NewHostCounts(nil)
			if tc.collecting {
				saved.BeginFull()
			}
			saved.Set(5, map[uint32]int{1: 2})
			tc.saved.Counts = saved.Marshal()
			require.NoError(t, store.Save(t.Context(), "s.counts", &tc.saved))
			g := legacyGauge{stream: "s", what: "detection", store: store, logger: zap.NewNop()}
			counts := NewHostCounts(nil)
			baseline, counting := g.load(t.Context(), counts, tc.completed, tc.current)
			assert.Equal(t, tc.baseline, baseline, "baseline")
			assert.Equal(t, tc.counting, counting, "counting")
			assert.Equal(t, counting, counts.Collecting(), "a full pull's counting is kept only to go on with it")
			totals := map[uint32]int64{}
			counts.Each(func(k uint32, n int64) { totals[k] = n })
			if tc.restored {
				assert.Equal(t, map[uint32]int64{1: 2}, totals)
			} else {
				assert.Empty(t, totals)
			}
		})
	}
}
