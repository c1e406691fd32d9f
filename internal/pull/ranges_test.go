// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package pull

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The plan covers every host once, leaves the last range open, and cuts ranges of equal host
// counts in a multiple of the workers, so that parallel pulls end together.
func TestPlanRangesBalanced(t *testing.T) {
	for _, tc := range []struct{ hosts, workers, pageSize, wantRanges int }{
		{hosts: 25, workers: 2, pageSize: 10, wantRanges: 1},
		{hosts: 600, workers: 4, pageSize: 1000, wantRanges: 12},
		{hosts: 10000, workers: 4, pageSize: 1000, wantRanges: 16},
		{hosts: 10050, workers: 4, pageSize: 1000, wantRanges: 16},
		{hosts: 100000, workers: 4, pageSize: 1000, wantRanges: 100},
		{hosts: 100000, workers: 3, pageSize: 10000, wantRanges: 12},
		{hosts: 1_000_000, workers: 4, pageSize: 10000, wantRanges: 100},
	} {
		t.Run(fmt.Sprintf("%d hosts %d workers page %d", tc.hosts, tc.workers, tc.pageSize), func(t *testing.T) {
			// Host ids ascend with gaps, listed in ID_RANGEs of up to 7 ids.
			cut := rangeCutter{perRange: fineRangeHosts}
			var ids []int64
			for id := int64(1000); len(ids) < tc.hosts; id += 3 {
				n := min(int64(1+len(ids)%7), int64(tc.hosts-len(ids)))
				cut.addRange(id, id+n-1)
				for i := range n {
					ids = append(ids, id+i)
				}
				id += n
			}
			ranges := balance(cut.finish(), rangeCount(cut.count, tc.workers, tc.pageSize))
			require.Len(t, ranges, tc.wantRanges)

			// Ranges ascend and do not overlap: walk hosts and ranges together.
			counts := make([]int, len(ranges))
			i := 0
			for _, id := range ids {
				for i < len(ranges) && ranges[i].Max != 0 && id > ranges[i].Max {
					i++
				}
				if i == len(ranges) || id < ranges[i].Min {
					t.Fatalf("host %d is in no range", id)
				}
				counts[i]++
			}
			for i := 1; i < len(ranges); i++ {
				require.Greater(t, ranges[i].Min, ranges[i-1].Max, "ranges %d and %d overlap", i-1, i)
			}
			for i, r := range ranges {
				assert.Equal(t, r.Min, r.Next, "range %d starts at its first host", i)
				assert.Equal(t, i == len(ranges)-1, r.Max == 0, "only the last range is open-ended")
			}
			if len(ranges) > 1 {
				lo, hi := counts[0], counts[0]
				for _, c := range counts[:len(counts)-1] { // the last holds the partial fine range
					lo, hi = min(lo, c), max(hi, c)
				}
				assert.LessOrEqual(t, hi-lo, fineRangeHosts, "ranges differ by at most one fine range: %v", counts)
				assert.LessOrEqual(t, hi, max(tc.pageSize, fineRangeHosts), "no range holds more than a page")
			}
		})
	}
}

func TestRangeCountIsAMultipleOfWorkers(t *testing.T) {
	for workers := 1; workers <= 10; workers++ {
		for _, hosts := range []int{0, 1, 999, 1000, 1001, 123_457} {
			n := rangeCount(hosts, workers, 1000)
			assert.Zero(t, n%workers, "hosts %d workers %d: %d ranges", hosts, workers, n)
			assert.GreaterOrEqual(t, n, workers*rangesPerWorker)
			assert.GreaterOrEqual(t, n*1000, hosts)
		}
	}
	assert.Equal(t, 4, rangeCount(10, 0, 0), "no workers counts as one")
}
