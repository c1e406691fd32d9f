// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package compliance // import "github.com/seed-d80aa3af/qualysreceiver/internal/compliance"

import (
	"context"
	"time"

	"go.uber.org/zap"

	"github.com/seed-d80aa3af/qualysreceiver/internal/convert"
	"github.com/seed-d80aa3af/qualysreceiver/internal/decode"
	"github.com/seed-d80aa3af/qualysreceiver/internal/metadata"
	"github.com/seed-d80aa3af/qualysreceiver/internal/pull"
	"github.com/seed-d80aa3af/qualysreceiver/internal/telemetry"
)

// postureRun is one poll's pass over the current pull: it hands batches to the consumer and moves
// the checkpoint past each one the consumer accepted.
type postureRun struct {
	s        *Stream
	cur      *Progress
	consumer *pull.Consumer
	// since is statusChangedSince / status_changes_since; zero for a full pull.
	since    time.Time
	observed time.Time

	emitted, batches int64
	started, lastLog time.Time
	// nextAtStart is the policy this run resumed at, so the estimate counts only its own work.
	nextAtStart int
}

// batch pulls one batch into a fresh batcher with read, hands it to the consumer and, once it was
// accepted, moves the pull to the position read returned and checkpoints it. A batch that fails is
// pulled again from its start; records of it the consumer had already accepted are then sent
// twice, never lost.
func (r *postureRun) batch(ctx context.Context, what string, read func(ctx context.Context, w *postureWriter) (position, int64, error)) error {
	var out *pull.Batcher
	var after position
	var pairs int64
	err := r.s.withRetries(ctx, what, func() error {
		out = pull.NewBatcher(r.consumer, r.s.cfg.BatchRecords, r.s.cfg.Source)
		w := &postureWriter{run: r, out: out}
		var err error
		after, pairs, err = read(ctx, w)
		if err == nil {
			err = out.Flush(ctx)
		}
		if out.Emitted() > 0 {
			r.emitted += out.Emitted()
			r.s.cfg.Telemetry.RecordsDone(Name, out.Emitted())
		}
		return err
	})
	if err != nil {
		return err
	}
	r.batches++
	r.s.cfg.Telemetry.PageDone(Name, 0)
	r.moveTo(ctx, after, pairs)
	return nil
}

// moveTo sets the pull's position and checkpoints it.
func (r *postureRun) moveTo(ctx context.Context, p position, pairs int64) {
	r.cur.Next, r.cur.NextHost = p.next, p.host
	r.cur.Pairs += pairs
	r.s.cfg.Telemetry.Progress(Name, r.cur.Pairs, 0)
	r.s.rec.Save(ctx)
	every := r.s.cfg.ProgressEvery
	if every <= 0 {
		every = time.Minute
	}
	now := r.s.cfg.Now()
	if now.Sub(r.lastLog) >= every {
		r.lastLog = now
		elapsed := now.Sub(r.started)
		fields := []zap.Field{
			zap.Int64("batches", r.batches), zap.Int64("records", r.emitted),
			zap.Int("policies_done", r.cur.Next), zap.Int("policies", len(r.cur.Policies)),
			zap.Duration("elapsed", elapsed.Round(time.Second)),
		}
		if left, ok := r.estimateRemaining(elapsed); ok {
			fields = append(fields, zap.Duration("estimated_remaining", left.Round(time.Second)))
		}
		r.s.cfg.Logger.Info("Pull in progress", fields...)
	}
}

// estimateRemaining extrapolates the time left from the policies this run has finished, the one
// unit whose total is known ahead for both APIs (a policy's host count is not, on the classic one).
func (r *postureRun) estimateRemaining(elapsed time.Duration) (time.Duration, bool) {
	done := r.cur.Next - r.nextAtStart
	left := len(r.cur.Policies) - r.cur.Next
	if done <= 0 || left <= 0 {
		return 0, false
	}
	return elapsed / time.Duration(done) * time.Duration(left), true
}

// title is a policy's title from the policy list.
func (r *postureRun) title(policyID int64) string { return r.s.titles[policyID] }

// postureWriter turns the postures of one batch into records under their hosts' resources and
// counts them for the gauge.
type postureWriter struct {
	run     *postureRun
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
	s := w.run.s
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
		p.PolicyTitle = w.run.title(p.PolicyID)
	}
	// Consecutive postures of a host share its resource; a host met again later gets another.
	if !w.started || w.host != id.HostID {
		w.out.StartHost(id.HostID, id.FillResource)
		w.host, w.started = id.HostID, true
	}
	lr, err := w.out.AddRecord(ctx)
	if err != nil {
		return err
	}
	convert.Posture(lr, p, w.run.observed, s.cfg.Evidence)
	if classic != nil {
		convert.ClassicEvidence(lr, classic, s.cfg.Evidence)
	}
	w.unreadable.Add(lost, id.HostID)
	return nil
}

// reportUnreadable counts and logs the records of an answer emitted without a field.
func (w *postureWriter) reportUnreadable(endpoint string, fields ...zap.Field) {
	w.unreadable.Report(w.run.s.cfg.Telemetry, w.run.s.cfg.Logger, Name, endpoint, fields...)
}

// skip counts a record the decoder could not read.
func (w *postureWriter) skip() { w.skipped++ }

// reportSkipped logs the records of a batch that could not be read.
func (w *postureWriter) reportSkipped(endpoint string, policyID int64) {
	if w.skipped > 0 {
		w.run.s.cfg.Telemetry.RecordsSkipped(Name, "unreadable", w.skipped)
		w.run.s.cfg.Logger.Warn("Unreadable posture records skipped", zap.String("endpoint", endpoint),
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
