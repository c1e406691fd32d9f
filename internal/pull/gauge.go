// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package pull // import "github.com/seed-d80aa3af/qualysreceiver/internal/pull"

import (
	"context"
	"time"

	"go.uber.org/zap"

	"github.com/seed-d80aa3af/qualysreceiver/internal/checkpoint"
)

// SavedCounts is what a summary gauge counts, encoded for its checkpoint.
type SavedCounts interface {
	Marshal() []byte
	// AppendMarshal appends what Marshal encodes to buf.
	AppendMarshal(buf []byte) []byte
	// Unmarshal replaces the counts with what Marshal encoded; on an error they are unchanged.
	Unmarshal(data []byte) error
	// Collecting says whether a full pull is being counted; AbandonFull stops counting it.
	Collecting() bool
	AbandonFull()
}

// FullCounts are counts a full pull rebuilds: BeginFull starts collecting, EndFull makes what was
// collected the counts, so what the pull did not see drops out.
type FullCounts interface {
	SavedCounts
	BeginFull()
	EndFull()
}

// GaugeRecord is a gauge's counts in its stream's checkpoint record, written in the same write as
// the cursor and the position they go with, so they always match them.
type GaugeRecord struct {
	// Baseline says the counts cover everything the stream selects: a full pull was counted from
	// its start to its end. Without it they hold only a full pull in progress.
	Baseline bool `json:"baseline,omitempty"`
	// Counts are the encoded counts (internal/gauge), with what the full pull in progress, if
	// any, has counted from its start. Checkpointed writes them raw after the record's JSON (its
	// attachment); records of earlier receivers hold them in the JSON, in base64.
	Counts []byte `json:"counts,omitempty"`
	// live are the counts themselves, encoded only when the record is written, into the record's
	// own buffer (without storage, only when it is read back: see checkpoint.Store.SaveWith).
	live SavedCounts
}

func (r *GaugeRecord) appendAttachment(buf []byte) []byte {
	if r.live != nil {
		return r.live.AppendMarshal(buf)
	}
	return append(buf, r.Counts...)
}

func (r *GaugeRecord) attach(data []byte) { r.Counts = data }

// GaugeCounting is the life of a stream's summary gauge counts, for the streams whose pulls are
// incremental: a full pull counts everything from its start, incremental pulls update what they
// bring, and the counts go into every checkpoint record the stream writes (Record).
type GaugeCounting struct {
	counts  FullCounts
	enabled bool
	// complete says the counts cover everything the stream selects: a full pull was counted from
	// its start to its end, in this process or before a restart.
	complete bool
	// counting says the full pull in progress is being counted from its start.
	counting bool
	loaded   bool
	// legacy reads the counts an earlier receiver kept under a second key; migrated says they came
	// from there, and the key goes once the record holds them.
	legacy   legacyGauge
	migrated bool
}

// NewGaugeCounting is the counting of stream's gauge in counts, when enabled (the gauge is
// wanted); what names what it counts in log lines ("detection", "posture").
func NewGaugeCounting(stream, what string, counts FullCounts, enabled bool, store *checkpoint.Store, logger *zap.Logger) *GaugeCounting {
	return &GaugeCounting{counts: counts, enabled: enabled, legacy: legacyGauge{stream: stream, what: what, store: store, logger: logger}}
}

// Enabled says whether the gauge is wanted.
func (g *GaugeCounting) Enabled() bool { return g.enabled }

// Complete says the counts cover everything the stream selects.
func (g *GaugeCounting) Complete() bool { return g.complete }

// Load restores, once per process, the counts from the stream's checkpoint record (rec, nil when
// it has none) when the gauge is wanted. current is the record's pull in progress, nil for none;
// completed its cursor.
func (g *GaugeCounting) Load(ctx context.Context, rec *GaugeRecord, completed time.Time, current *Ref) {
	if g.loaded || !g.enabled || g.complete || g.counting {
		return
	}
	g.loaded = true
	if rec == nil {
		g.complete, g.counting = g.legacy.load(ctx, g.counts, completed, current)
		g.migrated = true
		return
	}
	if err := g.counts.Unmarshal(rec.Counts); err != nil {
		g.legacy.logger.Warn("Gauge counts in the checkpoint not readable; the next full pull counts every "+g.legacy.what+" again", zap.Error(err))
		return
	}
	// The counts were written with the position: a full pull in progress goes on counting.
	g.counting = g.counts.Collecting() && current != nil && current.Full
	if !g.counting {
		g.counts.AbandonFull()
	}
	g.complete = rec.Baseline
	if g.complete || g.counting {
		g.legacy.logger.Info("Gauge counts restored from the checkpoint",
			zap.Bool("baseline", g.complete), zap.Bool("counting_full_pull", g.counting))
	}
}

// Record is the gauge's part of the stream's checkpoint record: nil when the gauge is off or its
// counts hold nothing a restart can use (neither a baseline nor a full pull counted from its
// start). Counts are set as records are read, before the consumer accepts them; what was not
// accepted is pulled again on resume and set again, so nothing is counted twice.
func (g *GaugeCounting) Record() *GaugeRecord {
	if g == nil || !g.enabled || !g.complete && !g.counting {
		return nil
	}
	return &GaugeRecord{Baseline: g.complete, live: g.counts}
}

// Saved is told that a record with the gauge's part was written: the second key of an earlier
// receiver is no longer needed.
func (g *GaugeCounting) Saved(ctx context.Context) {
	if g == nil || !g.migrated {
		return
	}
	g.migrated = false
	if err := g.legacy.store.Delete(context.WithoutCancel(ctx), g.legacy.key()); err != nil {
		g.legacy.logger.Debug("Former gauge counts key not deleted", zap.Error(err))
	}
}

// BeginFull starts counting a full pull that begins.
func (g *GaugeCounting) BeginFull() {
	g.counts.BeginFull()
	g.counting = true
}

// Completed ends a completed pull. It reports whether a full pull counts as the stream's full
// sync: a full pull resumed after a restart without the counts of what it had accepted (the
// gauge was off then) cannot tell what left the tenant, so the next poll must be full again.
func (g *GaugeCounting) Completed(full bool) (fullSync bool) {
	fullSync = !full || g.counting || !g.enabled
	if full && g.counting {
		g.counts.EndFull()
		g.complete, g.counting = true, false
	}
	if !fullSync {
		g.legacy.logger.Info("The full pull resumed after a restart could not be counted whole; the next poll pulls everything again to rebuild the " + g.legacy.what + "s gauge")
	}
	return fullSync
}
