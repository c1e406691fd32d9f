// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver // import "github.com/seed-d80aa3af/qualysreceiver/receiver"

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"go.uber.org/zap"

	"github.com/seed-d80aa3af/qualysreceiver/internal/checkpoint"
)

// savedCounts is what a summary gauge counts, encoded for its checkpoint.
type savedCounts interface {
	Marshal() []byte
	// restore replaces the counts with what Marshal encoded; on an error they are unchanged.
	restore(data []byte) error
	// Collecting says whether a full pull is being counted; AbandonFull stops counting it.
	Collecting() bool
	AbandonFull()
}

// gaugeCheckpoint keeps a stream's gauge counts in the checkpoint store, under a key of their own,
// so a restart can go on incrementally instead of pulling everything again to count it. They are
// written when a pull completes or stops, tagged with that pull's cursor and whether it completed.
// After a restart the counts of a completed pull are used when it is the checkpoint's last
// completed pull (or the pull in progress, when the process stopped between the two writes); the
// counts of a stopped pull only while that pull is the one in progress. Any other counts are of
// another pull (a save failed), wrong for the hosts pulled since, and are not used.
type gaugeCheckpoint struct {
	stream    string
	what      string // what is counted, for the log lines: "detection", "posture"
	store     *checkpoint.Store
	logger    *zap.Logger
	telemetry *Telemetry
}

// countsCheckpoint is the stored form.
type countsCheckpoint struct {
	// AsOf is the cursor of the pull the counts include, completed or as far as it went.
	AsOf time.Time `json:"as_of"`
	// Completed says the pull AsOf completed.
	Completed bool `json:"completed"`
	// Baseline says the counts cover everything the stream selects (a full pull was counted);
	// without it they hold only a full pull in progress.
	Baseline bool `json:"baseline"`
	// Position names the position of the stopped pull AsOf the counts match (positionOf): a full
	// pull goes on counting only from exactly there.
	Position string `json:"position,omitempty"`
	Counts   []byte `json:"counts"`
}

// pullRef is the checkpoint's pull in progress, as far as the counts care.
type pullRef struct {
	cursor   time.Time
	full     bool
	position string
}

// positionOf names a pull's position (what the consumer accepted) by a short hash of its
// checkpoint form.
func positionOf(current any) string {
	raw, err := json.Marshal(current)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:8])
}

func (g gaugeCheckpoint) key() string { return g.stream + ".counts" }

// load restores counts saved for the checkpoint's last completed pull or its pull in progress
// (current, nil for none). It reports whether they cover everything the stream selects
// (baseline) and whether they go on counting the full pull in progress (counting).
func (g gaugeCheckpoint) load(ctx context.Context, counts savedCounts, completed time.Time, current *pullRef) (baseline, counting bool) {
	var cp countsCheckpoint
	found, err := g.store.Load(ctx, g.key(), &cp)
	if err != nil {
		g.logger.Warn("Gauge counts checkpoint not readable; the next full pull counts every "+g.what+" again", zap.Error(err))
		return false, false
	}
	if !found {
		return false, false
	}
	ofCurrent := current != nil && cp.AsOf.Equal(current.cursor)
	usable := !cp.AsOf.IsZero() && (ofCurrent || cp.Completed && cp.AsOf.Equal(completed))
	if !usable {
		g.logger.Info("Gauge counts checkpoint is not of the last completed pull; the next full pull counts every "+g.what+" again",
			zap.Time("counts_as_of", cp.AsOf), zap.Bool("counts_completed", cp.Completed), zap.Time("cursor", completed))
		return false, false
	}
	if err := counts.restore(cp.Counts); err != nil {
		g.logger.Warn("Gauge counts checkpoint not readable; the next full pull counts every "+g.what+" again", zap.Error(err))
		return false, false
	}
	// Going on counting a full pull needs the counts of every page accepted so far. After a kill the
	// checkpoint's position may be past the counts: those pages will not come again, and their hosts
	// would be dropped when the pull completes.
	counting = counts.Collecting() && ofCurrent && !cp.Completed && current.full &&
		cp.Position != "" && cp.Position == current.position
	if !counting {
		counts.AbandonFull()
	}
	if cp.Baseline || counting {
		g.logger.Info("Gauge counts restored from the checkpoint", zap.Time("counts_as_of", cp.AsOf),
			zap.Bool("baseline", cp.Baseline), zap.Bool("counting_full_pull", counting))
	}
	return cp.Baseline, counting
}

// save writes counts as of the pull with cursor asOf, completed or stopped at position.
func (g gaugeCheckpoint) save(ctx context.Context, counts savedCounts, asOf time.Time, completed, baseline bool, position string) {
	cp := countsCheckpoint{AsOf: asOf, Completed: completed, Baseline: baseline, Position: position, Counts: counts.Marshal()}
	if err := g.store.Save(context.WithoutCancel(ctx), g.key(), &cp); err != nil {
		g.logger.Warn("Gauge counts not saved; after a restart the first pull is full, to count every "+g.what+" again", zap.Error(err))
		g.telemetry.checkpointFailed(g.stream)
	}
}

// fullCounts are counts a full pull rebuilds: BeginFull starts collecting, EndFull makes what was
// collected the counts, so what the pull did not see drops out.
type fullCounts interface {
	savedCounts
	BeginFull()
	EndFull()
}

// gaugeCounting is the life of a stream's summary gauge counts, for the streams whose pulls are
// incremental: a full pull counts everything from its start, incremental pulls update what they
// bring, and the counts are checkpointed with the pulls (gaugeCheckpoint).
type gaugeCounting struct {
	checkpoint gaugeCheckpoint
	counts     fullCounts
	enabled    bool
	// complete says the counts cover everything the stream selects: a full pull was counted from
	// its start to its end, in this process or before a restart.
	complete bool
	// counting says the full pull in progress is being counted from its start.
	counting bool
	loaded   bool
}

// load restores, once per process, the counts from their checkpoint when the gauge is wanted.
func (g *gaugeCounting) load(ctx context.Context, completed time.Time, current *pullRef) {
	if g.loaded || !g.enabled || g.complete || g.counting {
		return
	}
	g.loaded = true
	g.complete, g.counting = g.checkpoint.load(ctx, g.counts, completed, current)
}

// beginFull starts counting a full pull that begins.
func (g *gaugeCounting) beginFull() {
	g.counts.BeginFull()
	g.counting = true
}

// stopped checkpoints the counts of the pull asOf that stopped at current (shutdown, lost
// leadership, a failure): a restart that resumes it from there restores them.
func (g *gaugeCounting) stopped(ctx context.Context, asOf time.Time, current *pullRef) {
	g.save(ctx, asOf, false, current.position)
}

// completed ends a completed pull asOf and checkpoints the counts, before the stream's cursor
// moves (see gaugeCheckpoint). It reports whether a full pull counts as the stream's full sync: a
// full pull resumed after a restart without the counts of what it had accepted cannot tell what
// left the tenant, so the next poll must be full again.
func (g *gaugeCounting) completed(ctx context.Context, asOf time.Time, full bool) (fullSync bool) {
	fullSync = !full || g.counting || !g.enabled
	if full && g.counting {
		g.counts.EndFull()
		g.complete, g.counting = true, false
	}
	if !fullSync {
		g.checkpoint.logger.Info("The full pull resumed after a restart could not be counted whole; the next poll pulls everything again to rebuild the " + g.checkpoint.what + "s gauge")
	}
	g.save(ctx, asOf, true, "")
	return fullSync
}

// save checkpoints the counts when they hold anything a restart can use: a baseline, or a full
// pull being counted. Counts are set as records are read, before the consumer accepts them; what
// was not accepted is pulled again on resume and set again, so nothing is counted twice.
func (g *gaugeCounting) save(ctx context.Context, asOf time.Time, completed bool, position string) {
	if g.enabled && (g.complete || g.counting) {
		g.checkpoint.save(ctx, g.counts, asOf, completed, g.complete, position)
	}
}
