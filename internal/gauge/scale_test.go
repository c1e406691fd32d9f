// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package gauge

import (
	"context"
	"runtime"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/filestorage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/collector/extension/xextension/storage"

	"github.com/seed-d80aa3af/qualysreceiver/internal/checkpoint"
)

// scaleIDs is the size of the scale tests: a tenant of a million hosts, or a million postures.
const scaleIDs = 1_000_000

// record is the part of a stream's checkpoint record (internal/pull.Record) that says it has gauge
// counts; the counts follow it raw, as the record's attachment.
type record struct {
	Gauge *struct{} `json:"gauge,omitempty"`
}

// fileStorage starts a contrib file_storage extension on dir and opens a checkpoint store on it;
// stop closes both, as a collector that stops does.
func fileStorage(t *testing.T, dir string) (store *checkpoint.Store, stop func()) {
	t.Helper()
	f := filestorage.NewFactory()
	cfg := f.CreateDefaultConfig().(*filestorage.Config)
	cfg.Directory = dir
	ext, err := f.Create(t.Context(), extension.Settings{
		ID:                component.MustNewID("file_storage"),
		TelemetrySettings: componenttest.NewNopTelemetrySettings(),
		BuildInfo:         component.NewDefaultBuildInfo(),
	}, cfg)
	require.NoError(t, err)
	require.NoError(t, ext.Start(t.Context(), componenttest.NewNopHost()))
	client, err := ext.(storage.Extension).GetClient(t.Context(), component.KindReceiver, component.MustNewID("qualys"), "")
	require.NoError(t, err)
	return checkpoint.New(client), func() {
		require.NoError(t, client.Close(context.Background()))
		require.NoError(t, ext.Shutdown(context.Background()))
	}
}

// roundTrip saves c's encoding through file_storage in dir, as a record's attachment, closes it,
// opens it again and restores what it reads into fresh counts, reporting the bytes Restore
// allocated.
func roundTrip(t *testing.T, dir string, c *Counts[uint32]) (*Counts[uint32], uint64) {
	t.Helper()
	store, stop := fileStorage(t, dir)
	require.NoError(t, store.SaveWith(t.Context(), "scale", record{Gauge: &struct{}{}}, c.AppendMarshal))
	stop()

	store, stop = fileStorage(t, dir)
	defer stop()
	var loaded record
	data, found, err := store.LoadWith(t.Context(), "scale", &loaded)
	require.NoError(t, err)
	require.True(t, found)
	require.NotNil(t, loaded.Gauge)
	restored := newTestCounts()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	require.NoError(t, restored.Restore(data, nil))
	runtime.ReadMemStats(&after)
	return restored, after.TotalAlloc - before.TotalAlloc
}

// hostKinds is what host id has in the scale test: a few kinds, with counts, varying by id. It
// fills into, a map used again for every host (Set keeps none of it), and returns it.
func hostKinds(id int64, generation int, into map[uint32]int) map[uint32]int {
	clear(into)
	k := uint32(id%7) + uint32(generation)
	into[k], into[k+10] = 1+int(id%3), int(id%2)
	return into
}

func totals(c *Counts[uint32]) map[uint32]int64 {
	out := map[uint32]int64{}
	c.Each(func(k uint32, n int64) { out[k] = n })
	return out
}

func wantTotals(ids func(yield func(id int64, kinds map[uint32]int))) map[uint32]int64 {
	out := map[uint32]int64{}
	ids(func(_ int64, kinds map[uint32]int) {
		for k, n := range kinds {
			out[k] += int64(n)
		}
	})
	for k, n := range out {
		if n == 0 {
			delete(out, k)
		}
	}
	return out
}

// A million hosts: a full pull, an incremental one, then a restart through file_storage in the
// middle of the next full pull, which goes on after it. Every gauge value is checked against what
// the pulls set, hosts gone from the tenant drop out when the full pull completes, and restoring
// the checkpoint allocates a few bytes a host, not a map's worth.
func TestScaleMillionHostsThroughFileStorage(t *testing.T) {
	dir := t.TempDir()
	c := newTestCounts()
	scratch := map[uint32]int{}
	c.BeginFull()
	for id := int64(1); id <= scaleIDs; id++ {
		c.Set(id*3, hostKinds(id, 0, scratch))
	}
	c.EndFull()
	// An incremental pull changes every 10th host, out of order.
	for id := int64(scaleIDs); id >= 1; id -= 10 {
		c.Set(id*3, hostKinds(id, 1, scratch))
	}
	gen := func(id int64) int {
		if (scaleIDs-id)%10 == 0 {
			return 1
		}
		return 0
	}
	require.Equal(t, scaleIDs, c.Len())
	assert.Equal(t, wantTotals(func(yield func(int64, map[uint32]int)) {
		for id := int64(1); id <= scaleIDs; id++ {
			yield(id*3, hostKinds(id, gen(id), scratch))
		}
	}), totals(c))

	// The next full pull counts the first half of the hosts, then the collector restarts.
	c.BeginFull()
	for id := int64(1); id <= scaleIDs/2; id++ {
		c.Set(id*3, hostKinds(id, 2, scratch))
	}
	restored, allocated := roundTrip(t, dir, c)
	require.True(t, restored.Collecting(), "the full pull in progress goes on after the restart")
	require.Equal(t, scaleIDs, restored.Len())
	assert.Equal(t, totals(c), totals(restored))
	for _, id := range []int64{1, 2, scaleIDs / 2, scaleIDs/2 + 1, scaleIDs - 1, scaleIDs} {
		assert.Equal(t, c.Of(id*3), restored.Of(id*3), "host %d", id*3)
	}
	assert.Less(t, allocated, uint64(24*scaleIDs), "restoring %d hosts allocated %d bytes", scaleIDs, allocated)
	t.Logf("restoring %d hosts allocated %.1f bytes a host", scaleIDs, float64(allocated)/scaleIDs)

	// The full pull goes on: the second half but every 100th host, gone from the tenant.
	for id := int64(scaleIDs/2 + 1); id <= scaleIDs; id++ {
		if id%100 != 0 {
			restored.Set(id*3, hostKinds(id, 2, scratch))
		}
	}
	restored.EndFull()
	require.Equal(t, scaleIDs-scaleIDs/200, restored.Len())
	assert.Nil(t, restored.Of(scaleIDs*3), "a host gone from the tenant drops out")
	assert.Equal(t, hostKinds(scaleIDs-1, 2, scratch), restored.Of((scaleIDs-1)*3))
	want := wantTotals(func(yield func(int64, map[uint32]int)) {
		for id := int64(1); id <= scaleIDs; id++ {
			if id <= scaleIDs/2 || id%100 != 0 {
				yield(id*3, hostKinds(id, 2, scratch))
			}
		}
	})
	assert.Equal(t, want, totals(restored))

	// And once more through file_storage, with no full pull in progress.
	again, _ := roundTrip(t, t.TempDir(), restored)
	assert.False(t, again.Collecting())
	assert.Equal(t, want, totals(again))
	assert.Equal(t, restored.Len(), again.Len())
}

// A million postures (one record each, a handful of kinds): a full pull, status changes and
// postures no longer counted, a restart through file_storage, and a full pull without some.
func TestScaleMillionPosturesThroughFileStorage(t *testing.T) {
	kind := func(id int64, generation int) uint32 { return uint32((id + int64(generation)) % 5) }
	c := newTestCounts()
	c.BeginFull()
	for id := int64(1); id <= scaleIDs; id++ {
		c.SetOne(id, kind(id, 0))
	}
	c.EndFull()
	for id := int64(1); id <= scaleIDs; id += 7 {
		c.SetOne(id, kind(id, 1))
	}
	for id := int64(2); id <= scaleIDs; id += 1000 {
		c.Remove(id)
	}
	restored, allocated := roundTrip(t, t.TempDir(), c)
	require.False(t, restored.Collecting())
	require.Equal(t, scaleIDs-scaleIDs/1000, restored.Len())
	assert.Equal(t, totals(c), totals(restored))
	assert.Nil(t, restored.Of(2))
	assert.Equal(t, map[uint32]int{kind(8, 1): 1}, restored.Of(8))
	assert.Less(t, allocated, uint64(16*scaleIDs), "restoring %d postures allocated %d bytes", scaleIDs, allocated)
	t.Logf("restoring %d postures allocated %.1f bytes a posture", scaleIDs, float64(allocated)/scaleIDs)

	restored.BeginFull()
	for id := int64(1); id <= scaleIDs; id++ {
		if id%3 != 0 {
			restored.SetOne(id, kind(id, 2))
		}
	}
	restored.EndFull()
	require.Equal(t, scaleIDs-scaleIDs/3, restored.Len())
	assert.Nil(t, restored.Of(3), "a posture gone from the tenant drops out")
	want := map[uint32]int64{}
	for id := int64(1); id <= scaleIDs; id++ {
		if id%3 != 0 {
			want[kind(id, 2)]++
		}
	}
	assert.Equal(t, want, totals(restored))
}
