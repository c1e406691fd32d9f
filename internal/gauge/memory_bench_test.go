// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package gauge

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/metrics"
	"testing"
)

// heapInUse is the live heap after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// tenantIDs are n ids with gaps of 1 to 64, in the order pages bring them: pages of 1000 ascending
// ids, the pages of `streams` id ranges interleaved (ranges pulled in parallel), or shuffled when
// streams is 0 (postures come by policy and host, not by id).
func tenantIDs(n, streams int, rng *rand.Rand) []int64 {
	ids := make([]int64, n)
	var id int64
	for i := range ids {
		id += 1 + rng.Int64N(64)
		ids[i] = id
	}
	const page = 1000
	pages := make([][]int64, 0, n/page+1)
	for i := 0; i < n; i += page {
		pages = append(pages, ids[i:min(i+page, n)])
	}
	if streams == 0 {
		rng.Shuffle(len(pages), func(i, j int) { pages[i], pages[j] = pages[j], pages[i] })
	} else {
		per := (len(pages) + streams - 1) / streams
		interleaved := make([][]int64, 0, len(pages))
		for i := range per {
			for s := range streams {
				if j := s*per + i; j < len(pages) && i < per {
					interleaved = append(interleaved, pages[j])
				}
			}
		}
		pages = interleaved
	}
	out := make([]int64, 0, n)
	for _, p := range pages {
		out = append(out, p...)
	}
	return out
}

// offHeap is the memory of c's chunks mapped off the Go heap (offheap.go) that the system backs:
// the pages written.
func offHeap(c *Counts[uint32]) uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	page := uint64(os.Getpagesize())
	var n uint64
	for i, m := range c.t.base.mapped {
		if m != nil {
			n += (uint64(len(c.t.base.chunks[i])) + page - 1) / page * page
		}
	}
	return n
}

// benchmarkGauge measures what counts of n ids cost on the heap and off it: after a first full pull
// (bytes/id), and at the end of a second full pull over them, before it completes, when the old
// state and the pull's are both held (peak-bytes/id); and the size of their checkpoint encoding.
// set puts an id as a stream does.
func benchmarkGauge(b *testing.B, n, streams int, set func(c *Counts[uint32], id int64, gen int)) {
	rng := rand.New(rand.NewPCG(uint64(n), 9))
	ids := tenantIDs(n, streams, rng)
	var steady, peak uint64
	var encoded int
	b.ResetTimer()
	for range b.N {
		before := heapInUse()
		c := newTestCounts()
		c.BeginFull()
		for _, id := range ids {
			set(c, id, 0)
		}
		c.EndFull()
		steady = heapInUse() - before + offHeap(c)
		encoded = len(c.Marshal())
		c.BeginFull()
		for _, id := range ids[:len(ids)-len(ids)/100] { // 1% of the ids vanished
			set(c, id, 1)
		}
		peak = heapInUse() - before + offHeap(c)
		c.EndFull()
		if c.Len() != len(ids)-len(ids)/100 {
			b.Fatalf("%d ids, want %d", c.Len(), len(ids)-len(ids)/100)
		}
		runtime.KeepAlive(c)
	}
	b.ReportMetric(float64(steady)/float64(n), "bytes/id")
	b.ReportMetric(float64(peak)/float64(n), "peak-bytes/id")
	b.ReportMetric(float64(encoded)/float64(n), "checkpoint-bytes/id")
	b.ReportMetric(float64(steady), "held-bytes")
	b.ReportMetric(float64(peak), "peak-held-bytes")
}

// BenchmarkGaugeHosts: the detections gauge, one detection a host (as in the collector
// runs), a tenth of the hosts with another count in the second pull. Four id ranges in parallel.
func BenchmarkGaugeHosts(b *testing.B) {
	for _, n := range []int{10_000, 1_000_000} {
		b.Run(fmt.Sprintf("hosts=%d", n), func(b *testing.B) {
			kinds := map[uint32]int{}
			benchmarkGauge(b, n, 4, func(c *Counts[uint32], id int64, gen int) {
				clear(kinds)
				kinds[uint32(id%5)] = 1 + gen*int(id%10/9)
				c.Set(id, kinds)
			})
		})
	}
}

// BenchmarkGaugePostures: the postures gauge, one record of one of 15 kinds (5 policies, 3
// statuses), pages in no id order, a fifth of the statuses changed in the second pull.
func BenchmarkGaugePostures(b *testing.B) {
	for _, n := range []int{1_000_000, 4_000_000} {
		b.Run(fmt.Sprintf("postures=%d", n), func(b *testing.B) {
			benchmarkGauge(b, n, 0, func(c *Counts[uint32], id int64, gen int) {
				c.SetOne(id, uint32(id%15+int64(gen)*(id%5/4)))
			})
		})
	}
}

// BenchmarkGaugeHeapGoal: the highest heap goal of the garbage collector (twice what was live at
// the last collection, by default), above what it was before, plus the chunks mapped off the heap
// at that moment, while a first full pull of postures (pages in no id order) fills the counts and
// completes: with what the counts hold for a moment (changes pending, a rebuild), what they cost
// in resident memory at their peak. It varies from run to run with when collections fall; a
// rebuild's moment, old and new chunks both mapped, falls between samples (it releases each old
// chunk as it passes it).
func BenchmarkGaugeHeapGoal(b *testing.B) {
	for _, n := range []int{1_000_000, 4_000_000} {
		b.Run(fmt.Sprintf("postures=%d", n), func(b *testing.B) {
			ids := tenantIDs(n, 0, rand.New(rand.NewPCG(uint64(n), 9)))
			goal := []metrics.Sample{{Name: "/gc/heap/goal:bytes"}}
			runtime.GC()
			metrics.Read(goal)
			before, highest, mapped := goal[0].Value.Uint64(), uint64(0), uint64(0)
			for range b.N {
				c := newTestCounts()
				c.BeginFull()
				for i, id := range ids {
					c.SetOne(id, uint32(id%15))
					if i%1000 == 0 {
						metrics.Read(goal)
						highest = max(highest, goal[0].Value.Uint64()+offHeap(c))
					}
				}
				c.EndFull()
				metrics.Read(goal)
				highest = max(highest, goal[0].Value.Uint64()+offHeap(c))
				mapped = offHeap(c)
				runtime.KeepAlive(c)
			}
			b.ReportMetric(float64(highest-before)/float64(n), "goal-and-mapped-bytes/id")
			b.ReportMetric(float64(mapped)/float64(n), "mapped-bytes/id")
		})
	}
}
