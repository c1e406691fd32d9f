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
	c := NewCache(f, time.Hour, Limits{})
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
	c := NewCache(f, time.Hour, Limits{})
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
	c := NewCache(f, time.Hour, Limits{})
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

func entry(q int64, title string) Entry { return Entry{QID: q, Title: title} }

// The least recently used entries go first, by count and by size; a use (Get) keeps an entry.
func TestCacheEvictsLeastRecentlyUsed(t *testing.T) {
	f := &fakeFetcher{known: map[int64]Entry{}}
	for q := int64(1); q <= 10; q++ {
		f.known[q] = entry(q, "t")
	}
	c := NewCache(f, time.Hour, Limits{MaxEntries: 3, MaxBytes: 1 << 20})
	require.NoError(t, c.Fill(t.Context(), []int64{1, 2, 3}))
	require.NotNil(t, c.Get(1), "1 is now the most recently used")
	require.NoError(t, c.Fill(t.Context(), []int64{4}))
	assert.Equal(t, 3, c.Len())
	assert.Nil(t, c.Get(2), "2 was the least recently used")
	assert.NotNil(t, c.Get(1))
	assert.NotNil(t, c.Get(3))
	assert.NotNil(t, c.Get(4))
	assert.Equal(t, int64(1), c.Evicted())

	// By size: three entries of about 1 KiB of text do not fit in 2.5 KiB.
	big := func(q int64) Entry { e := entry(q, string(make([]byte, 1024))); return e }
	f.known[7], f.known[8], f.known[9] = big(7), big(8), big(9)
	one := entrySize(&Entry{Title: string(make([]byte, 1024))})
	c = NewCache(f, time.Hour, Limits{MaxEntries: 100, MaxBytes: 2*one + one/2})
	require.NoError(t, c.Fill(t.Context(), []int64{7, 8, 9}))
	assert.Equal(t, 2, c.Len())
	assert.Nil(t, c.Get(7))
	assert.LessOrEqual(t, c.Bytes(), 2*one+one/2)
	// Qualys returned 7: evicted is not missing, so the next detection with QID 7 fetches it again.
	calls := len(f.calls)
	require.NoError(t, c.Fill(t.Context(), []int64{7}))
	assert.Len(t, f.calls, calls+1)
	assert.NotNil(t, c.Get(7))
}

// A refresh updates cached entries in place, with their new size, and adds none.
func TestCacheRefreshKeepsTheBounds(t *testing.T) {
	f := &fakeFetcher{known: map[int64]Entry{1: entry(1, "old"), 2: entry(2, "old")}}
	c := NewCache(f, time.Hour, Limits{MaxEntries: 10, MaxBytes: 1 << 20})
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c.now = func() time.Time { return now }
	require.NoError(t, c.Fill(t.Context(), []int64{1}))
	require.NoError(t, c.Refresh(t.Context()))
	before := c.Bytes()
	f.known[1] = Entry{QID: 1, Title: "a much longer title", Modified: now.Add(time.Minute)}
	f.known[2] = Entry{QID: 2, Title: "new", Modified: now.Add(time.Minute)}
	now = now.Add(2 * time.Hour)
	require.NoError(t, c.Refresh(t.Context()))
	assert.Equal(t, "a much longer title", c.Get(1).Title)
	assert.Nil(t, c.Get(2), "a refresh follows the detections, not the whole KnowledgeBase")
	assert.Equal(t, before+int64(len("a much longer title")-len("old")), c.Bytes())
}

// BenchmarkCache200kQIDs fills the cache with 200,000 distinct QIDs of realistic size, the
// default limits in force, and reports what stays on the heap per entry kept.
func BenchmarkCache200kQIDs(b *testing.B) {
	const n = 200_000
	f := &fakeFetcher{known: make(map[int64]Entry, n)}
	qids := make([]int64, 0, n)
	for q := int64(1); q <= n; q++ {
		f.known[q] = Entry{
			QID: q, Title: "Microsoft Windows Security Update for a component with a long title", Category: "Windows",
			VulnType: "Vulnerability", Severity: 4, CVEs: []string{"CVE-2024-12345", "CVE-2024-12346"},
			CVSS3Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", CVSS3Version: "3.1",
			References:  []string{"https://msrc.microsoft.com/update-guide/vulnerability/CVE-2024-12345"},
			ThreatIntel: []string{"Exploit_Public", "Easy_Exploit"},
		}
		qids = append(qids, q)
	}
	b.ResetTimer()
	for range b.N {
		c := NewCache(f, time.Hour, Limits{})
		for start := 0; start < n; start += 5000 {
			require.NoError(b, c.Fill(b.Context(), qids[start:start+5000]))
		}
		b.ReportMetric(float64(c.Len()), "entries")
		b.ReportMetric(float64(c.Bytes())/float64(c.Len()), "bytes/entry")
		b.ReportMetric(float64(c.Bytes())/(1<<20), "MiB")
	}
}
