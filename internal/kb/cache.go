// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

// Package kb is the KnowledgeBase cache shared by all polls: QID entries fetched in batches for the
// QIDs the detections carry, refreshed with last_modified_after. It is the one part of the receiver
// whose memory grows with the tenant (with its distinct QIDs, typically tens of thousands).
package kb // import "github.com/seed-d80aa3af/qualysreceiver/internal/kb"

import (
	"context"
	"slices"
	"sync"
	"time"
)

// Entry is what a detection takes from the KnowledgeBase.
type Entry struct {
	QID       int64
	Title     string
	Category  string
	VulnType  string
	Severity  int
	CVEs      []string
	CVSS3Base float64
	HasCVSS3  bool
	CVSS2Base float64
	HasCVSS2  bool
	Patchable bool
	Published time.Time
	// Modified is LAST_SERVICE_MODIFICATION_DATETIME.
	Modified time.Time

	// CVSS3Version is CVSS_V3/CVSS3_VERSION (for example 3.1), empty when Qualys does not say.
	CVSS3Version  string
	CVSS3Vector   string
	CVSS3Temporal float64 // 0 when absent
	CVSS2Vector   string
	CVSS2Temporal float64  // 0 when absent
	References    []string // CVE and vendor reference URLs, distinct
	ThreatIntel   []string // THREAT_INTEL names
	Software      []Software
	PCIFlag       bool
	// Diagnosis, Consequence and Solution are only kept when the receiver asks for the text:
	// kilobytes per QID, for every QID the tenant's detections carry.
	Diagnosis   string
	Consequence string
	Solution    string
}

// Software is a product the QID affects.
type Software struct {
	Vendor, Product string
}

// Fetcher gets KnowledgeBase entries: for the given QIDs, or (qids nil) every entry modified after
// since. It calls visit once per entry.
type Fetcher interface {
	FetchKnowledgeBase(ctx context.Context, qids []int64, since time.Time, visit func(Entry)) error
}

// maxQIDsPerCall bounds one KnowledgeBase call: XSOAR measured ~1.5 min for 2,000 QIDs, 500 is fast.
const maxQIDsPerCall = 500

// retryMissingAfter keeps a QID that the KnowledgeBase did not return from being asked for again on
// every batch; retryFailedAfter does the same after a failed fetch, so a KnowledgeBase that refuses
// (409, permissions) is not hammered while detections keep flowing without its fields.
const (
	retryMissingAfter = time.Hour
	retryFailedAfter  = 5 * time.Minute
)

// Cache holds KnowledgeBase entries by QID, at most Limits of them, evicting the least recently
// used. Safe for concurrent use; fetches are serialised, since Qualys commonly allows one
// KnowledgeBase call at a time.
type Cache struct {
	fetcher Fetcher
	refresh time.Duration
	now     func() time.Time

	mu      sync.Mutex
	entries lru
	// missing holds QIDs asked for but not returned, with when to ask again.
	missing map[int64]time.Time

	fetchMu     sync.Mutex
	lastRefresh time.Time
}

// Limits bounds the cache. A detection whose entry was evicted goes out without the KnowledgeBase
// fields until a later batch fetches it again.
type Limits struct {
	// MaxEntries is the most entries kept; 0 is DefaultMaxEntries.
	MaxEntries int
	// MaxBytes is the most bytes the entries' text and lists take (estimated); 0 is DefaultMaxBytes.
	MaxBytes int64
}

const (
	// DefaultMaxEntries holds the distinct QIDs of a large tenant's detections (tens of thousands).
	DefaultMaxEntries = 100_000
	// DefaultMaxBytes keeps the cache well inside a 512 MiB memory limit; entries without the
	// diagnosis, consequence and solution texts take about 1 KB each.
	DefaultMaxBytes = 64 << 20
)

// NewCache returns an empty cache, bounded by limits, that refreshes its entries every refresh.
func NewCache(fetcher Fetcher, refresh time.Duration, limits Limits) *Cache {
	if limits.MaxEntries <= 0 {
		limits.MaxEntries = DefaultMaxEntries
	}
	if limits.MaxBytes <= 0 {
		limits.MaxBytes = DefaultMaxBytes
	}
	return &Cache{fetcher: fetcher, refresh: refresh, now: time.Now, entries: newLRU(limits), missing: map[int64]time.Time{}}
}

// WithClock makes now the cache's time, for its refresh and its waits before asking again for a
// missing QID; it returns c.
func (c *Cache) WithClock(now func() time.Time) *Cache {
	c.now = now
	return c
}

// Get returns the entry of qid, or nil when it is not cached; it counts as a use.
func (c *Cache) Get(qid int64) *Entry {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.entries.get(qid)
}

// Len is the number of cached entries.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.entries.len()
}

// Bytes is the estimated size of the cached entries.
func (c *Cache) Bytes() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.entries.bytes
}

// Evicted is how many entries were evicted to stay within the limits.
func (c *Cache) Evicted() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.entries.evicted
}

// Fill fetches the entries of the qids that are neither cached nor recently found missing, in
// batched calls. Entries already cached stay usable if the fetch fails.
func (c *Cache) Fill(ctx context.Context, qids []int64) error {
	want := c.wanted(qids)
	if len(want) == 0 {
		return nil
	}
	c.fetchMu.Lock()
	defer c.fetchMu.Unlock()
	want = c.wanted(want) // another caller may have fetched them meanwhile
	for start := 0; start < len(want); start += maxQIDsPerCall {
		batch := want[start:min(start+maxQIDsPerCall, len(want))]
		returned := make(map[int64]bool, len(batch))
		err := c.fetcher.FetchKnowledgeBase(ctx, batch, time.Time{}, func(e Entry) {
			returned[e.QID] = true
			c.put(e)
		})
		if err != nil {
			c.markMissing(batch, returned, retryFailedAfter)
			return err
		}
		c.markMissing(batch, returned, retryMissingAfter)
	}
	return nil
}

// Refresh re-reads the entries modified since the last refresh, when refresh_interval has passed.
// Only QIDs already cached are updated: the cache follows the tenant's detections, not the whole
// KnowledgeBase.
func (c *Cache) Refresh(ctx context.Context) error {
	c.fetchMu.Lock()
	defer c.fetchMu.Unlock()
	now := c.now()
	if c.lastRefresh.IsZero() {
		c.lastRefresh = now
		return nil
	}
	if now.Sub(c.lastRefresh) < c.refresh {
		return nil
	}
	err := c.fetcher.FetchKnowledgeBase(ctx, nil, c.lastRefresh, func(e Entry) {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.entries.replace(&e)
	})
	if err == nil {
		c.lastRefresh = now
	}
	return err
}

func (c *Cache) wanted(qids []int64) []int64 {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	var want []int64
	for _, q := range qids {
		if c.entries.has(q) {
			continue
		}
		if until, ok := c.missing[q]; ok && now.Before(until) {
			continue
		}
		want = append(want, q)
	}
	slices.Sort(want)
	return slices.Compact(want)
}

func (c *Cache) put(e Entry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries.put(&e)
	delete(c.missing, e.QID)
}

// markMissing holds back the qids the KnowledgeBase did not return; an entry it returned but the
// limits evicted since is asked for again when a detection needs it.
func (c *Cache) markMissing(qids []int64, returned map[int64]bool, retryAfter time.Duration) {
	until := c.now().Add(retryAfter)
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, q := range qids {
		if !returned[q] && !c.entries.has(q) {
			c.missing[q] = until
		}
	}
}
