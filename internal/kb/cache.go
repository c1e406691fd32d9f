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

// Cache holds KnowledgeBase entries by QID. Safe for concurrent use; fetches are serialised, since
// Qualys commonly allows one KnowledgeBase call at a time.
type Cache struct {
	fetcher Fetcher
	refresh time.Duration
	now     func() time.Time

	mu      sync.RWMutex
	entries map[int64]*Entry
	// missing holds QIDs asked for but not returned, with when to ask again.
	missing map[int64]time.Time

	fetchMu     sync.Mutex
	lastRefresh time.Time
}

// NewCache returns an empty cache that refreshes its entries every refresh.
func NewCache(fetcher Fetcher, refresh time.Duration) *Cache {
	return &Cache{fetcher: fetcher, refresh: refresh, now: time.Now, entries: map[int64]*Entry{}, missing: map[int64]time.Time{}}
}

// Get returns the entry of qid, or nil when it is not cached.
func (c *Cache) Get(qid int64) *Entry {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.entries[qid]
}

// Len is the number of cached entries.
func (c *Cache) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.entries)
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
		err := c.fetcher.FetchKnowledgeBase(ctx, batch, time.Time{}, c.put)
		if err != nil {
			c.markMissing(batch, retryFailedAfter)
			return err
		}
		c.markMissing(batch, retryMissingAfter)
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
		if _, ok := c.entries[e.QID]; ok {
			c.entries[e.QID] = &e
		}
	})
	if err == nil {
		c.lastRefresh = now
	}
	return err
}

func (c *Cache) wanted(qids []int64) []int64 {
	now := c.now()
	c.mu.RLock()
	defer c.mu.RUnlock()
	var want []int64
	for _, q := range qids {
		if _, ok := c.entries[q]; ok {
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
	c.entries[e.QID] = &e
	delete(c.missing, e.QID)
}

func (c *Cache) markMissing(qids []int64, retryAfter time.Duration) {
	until := c.now().Add(retryAfter)
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, q := range qids {
		if _, ok := c.entries[q]; !ok {
			c.missing[q] = until
		}
	}
}
