// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package kb

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type fakeFetcher struct {
	mu      sync.Mutex
	known   map[int64]Entry
	calls   [][]int64
	since   []time.Time
	failing bool
}

func (f *fakeFetcher) FetchKnowledgeBase(_ context.Context, qids []int64, since time.Time, visit func(Entry)) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, append([]int64(nil), qids...))
	f.since = append(f.since, since)
	if f.failing {
		return errors.New("409 concurrency")
	}
	if qids == nil {
		for _, e := range f.known {
			if e.Modified.After(since) {
				visit(e)
			}
		}
		return nil
	}
	for _, q := range qids {
		if e, ok := f.known[q]; ok {
			visit(e)
		}
	}
	return nil
}

func TestFillBatchesUnknownQIDsOnce(t *testing.T) {
	f := &fakeFetcher{known: map[int64]Entry{}}
	for q := int64(1); q <= 1200; q++ {
		f.known[q] = Entry{QID: q, Title: "t"}
	}
	c := NewCache(f, time.Hour)
	qids := make([]int64, 0, 2400)
	for q := int64(1); q <= 1200; q++ {
		qids = append(qids, q, q) // duplicates, as detections repeat QIDs
	}
	require.NoError(t, c.Fill(t.Context(), qids))
	assert.Equal(t, 1200, c.Len())
	require.Len(t, f.calls, 3, "1,200 QIDs in batches of 500, never one call per QID")
	assert.Len(t, f.calls[0], 500)

	require.NoError(t, c.Fill(t.Context(), qids))
	assert.Len(t, f.calls, 3, "cached QIDs are not fetched again")
	assert.Equal(t, "t", c.Get(7).Title)
}

func TestMissingAndFailedQIDsAreNotAskedEveryTime(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f := &fakeFetcher{known: map[int64]Entry{}}
	c := NewCache(f, time.Hour)
	c.now = func() time.Time { return now }

	require.NoError(t, c.Fill(t.Context(), []int64{99}))
	require.NoError(t, c.Fill(t.Context(), []int64{99}))
	assert.Len(t, f.calls, 1, "a QID the KnowledgeBase does not know is not asked again at once")
	assert.Nil(t, c.Get(99))

	f.failing = true
	assert.Error(t, c.Fill(t.Context(), []int64{100}))
	assert.Error(t, c.Fill(t.Context(), []int64{101}))
	require.NoError(t, c.Fill(t.Context(), []int64{100}), "a failed QID waits before it is asked again")
	assert.Len(t, f.calls, 3)

	now = now.Add(6 * time.Minute)
	f.failing = false
	f.known[100] = Entry{QID: 100}
	require.NoError(t, c.Fill(t.Context(), []int64{100}))
	assert.NotNil(t, c.Get(100))
}

func TestRefreshUpdatesCachedEntriesModifiedSince(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f := &fakeFetcher{known: map[int64]Entry{1: {QID: 1, Title: "old"}, 2: {QID: 2, Title: "other"}}}
	c := NewCache(f, time.Hour)
	c.now = func() time.Time { return now }
	require.NoError(t, c.Fill(t.Context(), []int64{1}))
	require.NoError(t, c.Refresh(t.Context()))

	now = now.Add(30 * time.Minute)
	require.NoError(t, c.Refresh(t.Context()))
	assert.Len(t, f.calls, 1, "no refresh before refresh_interval")

	now = now.Add(31 * time.Minute)
	f.known[1] = Entry{QID: 1, Title: "new", Modified: now}
	f.known[2] = Entry{QID: 2, Title: "other", Modified: now}
	require.NoError(t, c.Refresh(t.Context()))
	require.Len(t, f.calls, 2)
	assert.Nil(t, f.calls[1], "refresh asks by date, not by QID")
	assert.Equal(t, now.Add(-61*time.Minute), f.since[1])
	assert.Equal(t, "new", c.Get(1).Title)
	assert.Nil(t, c.Get(2), "refresh does not grow the cache beyond the tenant's QIDs")
}
