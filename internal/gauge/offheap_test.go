// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package gauge

import (
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// mappedIn is how many of c's chunks are mapped off the Go heap.
func mappedIn(c *Counts[uint32]) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := int64(0)
	for _, m := range c.t.base.mapped {
		if m != nil {
			n++
		}
	}
	return n
}

// waitMapped waits until want chunks are mapped: counts dropped give theirs back when collected.
func waitMapped(t *testing.T, want int64) {
	t.Helper()
	require.Eventually(t, func() bool {
		runtime.GC()
		return mappedChunks.Load() == want
	}, 10*time.Second, 10*time.Millisecond, "%d chunks mapped, want %d", mappedChunks.Load(), want)
}

// Counts of 300,000 postures map their chunks after the first off the Go heap; a rebuild releases
// the old chunks as it builds the new ones, so only the chunks in use stay mapped; counts dropped
// whole give theirs back once collected.
func TestMappedChunksAreReleased(t *testing.T) {
	waitMapped(t, 0) // the counts of earlier tests
	ids := tenantIDs(300_000, 0, rand.New(rand.NewPCG(5, 6)))
	c := newTestCounts()
	for pull := range 3 {
		c.BeginFull()
		for _, id := range ids[:len(ids)-pull*1000] {
			c.SetOne(id, uint32(id%15+int64(pull)*(id%5/4)))
		}
		c.EndFull()
		require.Equal(t, len(ids)-pull*1000, c.Len())
		require.Equal(t, mappedIn(c), mappedChunks.Load(), "pull %d: the chunks mapped are those in use", pull)
		if runtime.GOOS == "linux" {
			require.Positive(t, mappedIn(c), "pull %d", pull)
		}
	}
	again := newTestCounts()
	require.NoError(t, again.Restore(c.Marshal(), nil))
	ids2, totals2 := snapshot(again)
	ids1, totals1 := snapshot(c)
	require.Equal(t, ids1, ids2)
	require.Equal(t, totals1, totals2)
	require.Equal(t, mappedIn(c)+mappedIn(again), mappedChunks.Load())
	runtime.KeepAlive(c)
	c = nil
	waitMapped(t, mappedIn(again))
	runtime.KeepAlive(again)
}
