// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package vulnerabilities // import "github.com/seed-d80aa3af/qualysreceiver/internal/vulnerabilities"

import (
	"context"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/seed-d80aa3af/qualysreceiver/internal/convert"
	"github.com/seed-d80aa3af/qualysreceiver/internal/decode"
	"github.com/seed-d80aa3af/qualysreceiver/internal/kb"
	"github.com/seed-d80aa3af/qualysreceiver/internal/pull"
	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
)

// KnowledgeBaseFetcher reads KnowledgeBase entries through the Qualys client.
type KnowledgeBaseFetcher struct {
	Client *qualys.Client
	// IncludeText keeps DIAGNOSIS, CONSEQUENCE and SOLUTION, each up to MaxKnowledgeBaseTextBytes.
	IncludeText bool
}

// MaxKnowledgeBaseTextBytes bounds each KnowledgeBase text the cache keeps with IncludeText: Qualys
// writes a few kilobytes at most, so only a runaway entry is cut.
const MaxKnowledgeBaseTextBytes = 64 << 10

var _ kb.Fetcher = KnowledgeBaseFetcher{}

// FetchKnowledgeBase implements kb.Fetcher.
func (f KnowledgeBaseFetcher) FetchKnowledgeBase(ctx context.Context, qids []int64, since time.Time, visit func(kb.Entry)) error {
	resp, err := f.Client.KnowledgeBase(ctx, qids, since)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	d := decode.NewKnowledgeBase(resp.Body)
	if f.IncludeText {
		d.MaxTextBytes = MaxKnowledgeBaseTextBytes
	}
	// An unreadable VULN is skipped: its detections go out without KnowledgeBase fields.
	return pull.ReadAnswer(resp, "knowledge_base", d.Read, func(*decode.RecordError) {}, func(v *decode.Vuln) error {
		visit(convert.EntryFromVuln(v))
		return nil
	})
}

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
