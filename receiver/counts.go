// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver // import "github.com/seed-d80aa3af/qualysreceiver/receiver"

import (
	"sync"
)

// hostCounts keeps, per host, how many records it has of each kind (a detection's severity, status
// and type; a posture's status and policy), so a summary gauge stays right when an incremental pull
// brings only the hosts that changed: their counts are replaced, the others kept. Kinds are small
// keys chosen by the stream; per host they cost 8 bytes a kind.
type hostCounts struct {
	mu     sync.Mutex
	hosts  map[int64][]kindCount
	totals map[uint32]int64
	// next collects a full pull: it replaces hosts when the pull completes, so hosts gone from the
	// tenant drop out.
	next map[int64][]kindCount
}

type kindCount struct{ kind, n uint32 }

func newHostCounts() *hostCounts {
	return &hostCounts{hosts: map[int64][]kindCount{}, totals: map[uint32]int64{}}
}

// beginFull starts collecting a full pull.
func (c *hostCounts) beginFull() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.next = map[int64][]kindCount{}
}

// endFull makes a completed full pull's counts the current ones.
func (c *hostCounts) endFull() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.next == nil {
		return
	}
	c.hosts = c.next
	c.next = nil
	c.totals = map[uint32]int64{}
	for _, counts := range c.hosts {
		for _, kc := range counts {
			c.totals[kc.kind] += int64(kc.n)
		}
	}
}

// setHost replaces host's counts with kinds (one entry per record of the host).
func (c *hostCounts) setHost(host int64, kinds map[uint32]int) {
	counts := make([]kindCount, 0, len(kinds))
	for k, n := range kinds {
		counts = append(counts, kindCount{kind: k, n: uint32(n)})
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.next != nil {
		c.next[host] = counts
	}
	for _, kc := range c.hosts[host] {
		c.totals[kc.kind] -= int64(kc.n)
	}
	c.hosts[host] = counts
	for _, kc := range counts {
		c.totals[kc.kind] += int64(kc.n)
	}
}

// known reports whether any host has been counted since the receiver started.
func (c *hostCounts) known() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.hosts) > 0
}

// each calls fn with every kind and its total over all hosts.
func (c *hostCounts) each(fn func(kind uint32, total int64)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, n := range c.totals {
		if n > 0 {
			fn(k, n)
		}
	}
}
