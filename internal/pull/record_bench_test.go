// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package pull

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/filestorage"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.uber.org/zap"

	"github.com/seed-d80aa3af/qualysreceiver/internal/checkpoint"
)

// BenchmarkRecordSave measures one save of a stream's record whose gauge counts hold n ids in the
// middle of a full pull, as a stream saves after each accepted batch, without storage and with the
// contrib file_storage: the bytes a save allocates (garbage the collector must reclaim, which sets
// how far the heap grows) and the bytes the store and the record still hold after it, per id.
func BenchmarkRecordSave(b *testing.B) {
	for _, withStorage := range []bool{false, true} {
		for _, n := range []int{1_000_000, 4_000_000} {
			name := fmt.Sprintf("storage=none/ids=%d", n)
			if withStorage {
				name = fmt.Sprintf("storage=file/ids=%d", n)
			}
			b.Run(name, func(b *testing.B) { benchmarkRecordSave(b, n, withStorage) })
		}
	}
}

func benchmarkRecordSave(b *testing.B, n int, withStorage bool) {
	counts := NewHostCounts(nil)
	gauge := NewGaugeCounting("bench", "posture", counts, true, nil, zap.NewNop())
	gauge.BeginFull()
	for i := range n {
		counts.SetOne(int64(i)*7+1, uint32(i%3))
	}
	store := checkpoint.New(nil)
	if withStorage {
		client := benchFileStorage(b)
		store = checkpoint.New(client)
	}
	before := heapAfterGC()
	rec := Checkpointed[Progress, GaugeRecord]{Name: "bench", Store: store, Logger: zap.NewNop(),
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
}

// benchFileStorage is a client of a contrib file_storage extension in a temporary directory,
// closed with the benchmark.
func benchFileStorage(b *testing.B) storage.Client {
	f := filestorage.NewFactory()
	cfg := f.CreateDefaultConfig().(*filestorage.Config)
	cfg.Directory = b.TempDir()
	ext, err := f.Create(b.Context(), extension.Settings{ID: component.MustNewID("file_storage"),
		TelemetrySettings: componenttest.NewNopTelemetrySettings(), BuildInfo: component.NewDefaultBuildInfo()}, cfg)
	require.NoError(b, err)
	require.NoError(b, ext.Start(b.Context(), componenttest.NewNopHost()))
	client, err := ext.(storage.Extension).GetClient(b.Context(), component.KindReceiver, component.MustNewID("qualys"), "")
	require.NoError(b, err)
	b.Cleanup(func() {
		require.NoError(b, client.Close(context.Background()))
		require.NoError(b, ext.Shutdown(context.Background()))
	})
	return client
}

func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
