// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package compliance // import "github.com/seed-d80aa3af/qualysreceiver/internal/compliance"

import (
	"context"

	"go.uber.org/zap"

	"github.com/seed-d80aa3af/qualysreceiver/internal/convert"
	"github.com/seed-d80aa3af/qualysreceiver/internal/decode"
	"github.com/seed-d80aa3af/qualysreceiver/internal/metadata"
	"github.com/seed-d80aa3af/qualysreceiver/internal/pull"
	"github.com/seed-d80aa3af/qualysreceiver/internal/telemetry"
)

// postureWriter turns the postures of one batch into records under their hosts' resources and
// counts them for the gauge.
type postureWriter struct {
	s       *Stream
	out     *pull.Batcher
	host    int64
	started bool
	skipped int
	// unreadable tallies the records emitted without a field.
	unreadable telemetry.UnreadableFields
}

// add writes p, under the host identity id, when its status is wanted, and counts it; lost are the
// fields of p that could not be read.
func (w *postureWriter) add(ctx context.Context, p *decode.Posture, id convert.HostIdentity, classic *decode.PostureInfo, lost []decode.FieldError) error {
	s := w.s
	wanted := s.statuses == nil || s.statuses[p.Status]
	// A posture not wanted, or of a status the gauge does not know, is not counted.
	if kind := (postureKind{policy: p.PolicyID, status: statusIndex3(p.Status)}); wanted && kind.status != 0 {
		s.counts.SetOne(p.ID, kind)
	} else {
		s.counts.Remove(p.ID)
	}
	if !wanted {
		return nil
	}
	if p.PolicyTitle == "" {
		p.PolicyTitle = s.titles[p.PolicyID]
	}
	// Consecutive postures of a host share its resource; a host met again later gets another. An
	// answer need not sort its hosts, so no host position tracks them: a batch is accepted whole.
	if !w.started || w.host != id.HostID {
		w.out.StartResource(id.FillResource)
		w.host, w.started = id.HostID, true
	}
	lr, err := w.out.AddRecord(ctx)
	if err != nil {
		return err
	}
	convert.Posture(lr, p, s.observed, s.cfg.Evidence)
	if classic != nil {
		convert.ClassicEvidence(lr, classic, s.cfg.Evidence)
	}
	w.unreadable.Add(lost, id.HostID)
	return nil
}

// reportUnreadable counts and logs the records of an answer emitted without a field.
func (w *postureWriter) reportUnreadable(endpoint string, fields ...zap.Field) {
	w.unreadable.Report(w.s.Telemetry, w.s.Logger, Name, endpoint, fields...)
}

// skip counts a record the decoder could not read.
func (w *postureWriter) skip() { w.skipped++ }

// reportSkipped logs the records of a batch that could not be read.
func (w *postureWriter) reportSkipped(endpoint string, policyID int64) {
	if w.skipped > 0 {
		w.s.Telemetry.RecordsSkipped(Name, "unreadable", w.skipped)
		w.s.Logger.Warn("Unreadable posture records skipped", zap.String("endpoint", endpoint),
			zap.Int("records", w.skipped), zap.Int64("policy_id", policyID))
	}
}

var postureStatuses = []metadata.AttributeQualysPostureStatus{
	metadata.AttributeQualysPostureStatusPassed, metadata.AttributeQualysPostureStatusFailed,
	metadata.AttributeQualysPostureStatusError,
}

// statusIndex3 is 1-based so 0 marks a status the enum does not know (not counted).
func statusIndex3(s string) uint8 {
	for i, v := range postureStatuses {
		if v.String() == s {
			return uint8(i + 1)
		}
	}
	return 0
}
