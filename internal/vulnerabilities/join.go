// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package vulnerabilities // import "github.com/seed-d80aa3af/qualysreceiver/internal/vulnerabilities"

import (
	"context"
	"sync"

	"go.uber.org/zap"

	"github.com/seed-d80aa3af/qualysreceiver/internal/decode"
	"github.com/seed-d80aa3af/qualysreceiver/internal/kb"
)

// kbJoin finds the KnowledgeBase entries of the detections of a batch before they are converted:
// it fetches the batch's unknown QIDs in one call, so a QID is never fetched alone and a detection
// is never held back for long. When the KnowledgeBase cannot be read the detections go out
// without its fields, and the failure is logged once per poll.
type kbJoin struct {
	cache  *kb.Cache
	logger *zap.Logger

	mu       sync.Mutex
	reported bool
}

func (j *kbJoin) newPoll() {
	j.mu.Lock()
	j.reported = false
	j.mu.Unlock()
}

// fill fetches the entries of the QIDs of dets the cache does not hold.
func (j *kbJoin) fill(ctx context.Context, dets []decode.Detection) {
	var qids []int64
	for i := range dets {
		if j.cache.Get(dets[i].QID) == nil {
			qids = append(qids, dets[i].QID)
		}
	}
	if len(qids) == 0 {
		return
	}
	if err := j.cache.Fill(ctx, qids); err != nil {
		j.reportOnce(err)
	}
}

func (j *kbJoin) reportOnce(err error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.reported {
		return
	}
	j.reported = true
	j.logger.Warn("KnowledgeBase not readable; detections are emitted without title, severity, CVEs and CVSS until it is",
		zap.Error(err))
}
