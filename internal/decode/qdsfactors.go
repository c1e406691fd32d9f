// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

const (
	qdsFactorOpen   = `<QDS_FACTOR name="`
	qdsFactorClose  = `</QDS_FACTOR>`
	qdsFactorsClose = `</QDS_FACTORS>`

	// maxFactorBlocks and maxFactorBlock bound the QDS_FACTORS cache: at most maxFactorBlocks
	// blocks of at most maxFactorBlock bytes each, whatever the input.
	maxFactorBlocks = 1024
	maxFactorBlock  = 1024
	// While fewer than factorWarmup blocks were stored, every block goes through the cache. After
	// that, only while hits are at least 1/factorMinHitRatio of the stores, or else one block in
	// factorSample, so input whose factors do not repeat costs little more than decoding them.
	factorWarmup      = 256
	factorMinHitRatio = 8
	factorSample      = 16
	// factorDecay: past this many lookups the counts are halved, so they follow the recent input.
	factorDecay = 1 << 14
)

// factorCache remembers the QDS_FACTORS content of recent QIDs, see qdsFactors.
type factorCache struct {
	blocks map[int64]*factorBlock
	order  [maxFactorBlocks]int64 // the QIDs in blocks, oldest first from next: eviction order
	next   int

	lookups, hits, stores, skipped int
}

// factorBlock is one entry of the cache: the raw content of a QDS_FACTORS element (what lies
// between its start and end tags) and the factors it decoded to.
type factorBlock struct {
	raw     []byte
	depth   int // nesting depth of the element, which bounds what its content may nest
	factors []QDSFactor
}

// qdsFactors reads QDS_FACTORS, whose start tag next just returned, appending its factors to dst.
//
// QDS factors belong to the QID, so a page repeats the same bytes for every host with that QID: six
// factors and about 450 bytes a detection in full output. The cache keeps, by QID, the content of
// a QDS_FACTORS element (the bytes between its tags) with the factors it decoded to. When the
// input goes on with exactly those bytes and the end tag, the factors are copied and the element
// skipped: one comparison instead of six elements to tokenize. Only a content that decoded
// cleanly (no stream or field error) and ended exactly at its end tag is kept, and what decoding
// makes of it depends only on those bytes, the nesting depth (compared too) and MaxElementBytes
// (fixed), so a hit gives what decoding would.
func (d *HostDetections) qdsFactors(dst []QDSFactor, qid int64) []QDSFactor {
	s := &d.s
	if s.empty {
		return dst
	}
	if s.leaf {
		return d.decodeFactors(dst)
	}
	c := &d.factors
	if !c.use() {
		return d.decodeFactors(dst)
	}
	b := s.buf[s.pos:s.end]
	slot := c.blocks[qid]
	if slot != nil && slot.depth == len(s.offs) {
		n := len(slot.raw)
		if len(b) >= n+len(qdsFactorsClose) && string(b[:n]) == string(slot.raw) &&
			string(b[n:n+len(qdsFactorsClose)]) == qdsFactorsClose {
			s.pos += n + len(qdsFactorsClose)
			s.pop()
			c.hits++
			return append(dst, slot.factors...)
		}
	}
	from, base, depth, start := s.offset(), s.base, len(s.offs), len(dst)
	dst = d.decodeFactors(dst)
	// b still holds the input it started with unless reading more moved the buffer's content,
	// which changes base.
	n := int(s.offset() - from)
	if s.err != nil || s.base != base || n > len(b) || n > maxFactorBlock+len(qdsFactorsClose) ||
		n < len(qdsFactorsClose) || string(b[n-len(qdsFactorsClose):n]) != qdsFactorsClose || len(s.offs) != depth-1 {
		return dst
	}
	if slot == nil {
		slot = c.add(qid)
	}
	c.stores++
	slot.raw = append(slot.raw[:0], b[:n-len(qdsFactorsClose)]...)
	slot.depth = depth
	slot.factors = append(slot.factors[:0], dst[start:]...)
	return dst
}

// use says whether the next block goes through the cache: always while it pays, one block in
// factorSample otherwise (enough to notice when it pays again).
func (c *factorCache) use() bool {
	if c.lookups >= factorDecay {
		c.lookups, c.hits, c.stores = c.lookups/2, c.hits/2, c.stores/2
	}
	if c.stores >= factorWarmup && c.hits*factorMinHitRatio < c.stores {
		c.skipped++
		if c.skipped%factorSample != 0 {
			return false
		}
	}
	c.lookups++
	return true
}

// add makes an entry for qid, evicting the oldest when the cache is full.
func (c *factorCache) add(qid int64) *factorBlock {
	if c.blocks == nil {
		c.blocks = make(map[int64]*factorBlock)
	}
	var slot *factorBlock
	if len(c.blocks) >= maxFactorBlocks {
		old := c.order[c.next]
		slot = c.blocks[old]
		delete(c.blocks, old)
	} else {
		slot = &factorBlock{}
	}
	c.blocks[qid] = slot
	c.order[c.next] = qid
	c.next = (c.next + 1) % maxFactorBlocks
	return slot
}

// decodeFactors reads the QDS_FACTOR elements of QDS_FACTORS up to and including its end tag.
func (d *HostDetections) decodeFactors(dst []QDSFactor) []QDSFactor {
	s := &d.s
	for {
		// The shape every factor has in Qualys output takes the fast path; anything else (and a
		// factor not whole in the buffer) goes through next below.
		if name, text, ok := s.attrLeaf(qdsFactorOpen, qdsFactorClose); ok {
			dst = append(dst, QDSFactor{Name: s.internBytes(name), Value: s.internBytes(text)})
			continue
		}
		if s.next() != tokStart {
			break
		}
		if string(s.name) != "QDS_FACTOR" {
			s.skip()
			continue
		}
		name := s.attrStr("name")
		dst = append(dst, QDSFactor{Name: name, Value: s.intern()})
	}
	return dst
}
