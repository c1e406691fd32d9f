// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package pull

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/seed-d80aa3af/qualysreceiver/internal/checkpoint"
)

// BenchmarkRecordSave measures one save of a stream's record whose gauge counts hold n ids in the
// middle of a full pull, as a stream saves after each accepted batch: the bytes a save allocates
// (garbage the collector must reclaim, which sets how far the heap grows) and the bytes the store
// and the record still hold after it, per id.
func BenchmarkRecordSave(b *testing.B) {
	for _, n := range []int{1_000_000, 4_000_000} {
		b.Run(fmt.Sprintf("ids=%d", n), func(b *testing.B) {
			counts := NewHostCounts(nil)
			gauge := NewGaugeCounting("bench", "posture", counts, true, nil, zap.NewNop())
			gauge.BeginFull()
			for i := range n {
				counts.SetOne(int64(i)*7+1, uint32(i%3))
			}
			before := heapAfterGC()
			rec := Checkpointed[Progress, GaugeRecord]{Name: "bench", Store: checkpoint.New(nil), Logger: zap.NewNop(),
				Gauge: gauge, Began: (*Progress).Began}
			rec.Begin(b.Context(), Progress{Cursor: time.Unix(1e9, 0), Full: true, Ranges: []IDRange{{Min: 1, Max: int64(n) * 7}}})
			var ms0, ms1 runtime.MemStats
			runtime.ReadMemStats(&ms0)
			b.ResetTimer()
			for b.Loop() {
				rec.Save(b.Context())
			}
			b.StopTimer()
			runtime.ReadMemStats(&ms1)
			b.ReportMetric(float64(ms1.TotalAlloc-ms0.TotalAlloc)/float64(b.N)/float64(n), "alloc-B/id/save")
			b.ReportMetric((float64(heapAfterGC())-float64(before))/float64(n), "held-B/id")
			runtime.KeepAlive(&rec)
		})
	}
}

func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
