// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package kb // import "github.com/seed-d80aa3af/qualysreceiver/internal/kb"

import (
	"container/list"
	"unsafe"
)

// lru keeps entries by QID within limits, the most recently used at the front. Not safe for
// concurrent use: Cache guards it.
type lru struct {
	limits  Limits
	order   *list.List // of *slot, most recently used first
	byQID   map[int64]*list.Element
	bytes   int64
	evicted int64
}

type slot struct {
	entry *Entry
	size  int64
}

func newLRU(limits Limits) lru {
	return lru{limits: limits, order: list.New(), byQID: map[int64]*list.Element{}}
}

func (l *lru) len() int { return len(l.byQID) }

func (l *lru) has(qid int64) bool {
	_, ok := l.byQID[qid]
	return ok
}

func (l *lru) get(qid int64) *Entry {
	el, ok := l.byQID[qid]
	if !ok {
		return nil
	}
	l.order.MoveToFront(el)
	return el.Value.(*slot).entry
}

// put adds or replaces e as the most recently used entry, then evicts from the back until the
// limits hold; e itself is kept even when it alone exceeds MaxBytes.
func (l *lru) put(e *Entry) {
	if el, ok := l.byQID[e.QID]; ok {
		l.set(el, e)
		l.order.MoveToFront(el)
	} else {
		s := &slot{entry: e, size: entrySize(e)}
		l.byQID[e.QID] = l.order.PushFront(s)
		l.bytes += s.size
	}
	for l.order.Len() > 1 && (l.order.Len() > l.limits.MaxEntries || l.bytes > l.limits.MaxBytes) {
		l.remove(l.order.Back())
	}
}

// replace updates a cached entry in place, without counting a use; an entry not cached is not
// added (a refresh follows the tenant's detections, not the whole KnowledgeBase).
func (l *lru) replace(e *Entry) {
	if el, ok := l.byQID[e.QID]; ok {
		l.set(el, e)
	}
}

func (l *lru) set(el *list.Element, e *Entry) {
	s := el.Value.(*slot)
	size := entrySize(e)
	l.bytes += size - s.size
	s.entry, s.size = e, size
}

func (l *lru) remove(el *list.Element) {
	s := l.order.Remove(el).(*slot)
	delete(l.byQID, s.entry.QID)
	l.bytes -= s.size
	l.evicted++
}

// slotOverhead is what an entry costs besides its strings and lists: the Entry, its slot, its list
// element and its map entry.
const slotOverhead = int64(unsafe.Sizeof(Entry{}) + unsafe.Sizeof(slot{}) + unsafe.Sizeof(list.Element{}) + 48)

// entrySize estimates the bytes e holds.
func entrySize(e *Entry) int64 {
	n := slotOverhead + int64(len(e.Title)+len(e.Category)+len(e.VulnType)+len(e.CVSS3Version)+
		len(e.CVSS3Vector)+len(e.CVSS2Vector)+len(e.Diagnosis)+len(e.Consequence)+len(e.Solution))
	const stringHeader = int64(unsafe.Sizeof(""))
	for _, list := range [][]string{e.CVEs, e.References, e.ThreatIntel} {
		for _, s := range list {
			n += stringHeader + int64(len(s))
		}
	}
	for _, sw := range e.Software {
		n += 2*stringHeader + int64(len(sw.Vendor)+len(sw.Product))
	}
	return n
}
