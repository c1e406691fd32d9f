// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package pull // import "github.com/seed-d80aa3af/qualysreceiver/internal/pull"

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"go.uber.org/zap"

	"github.com/seed-d80aa3af/qualysreceiver/internal/checkpoint"
)

// legacyGauge reads the gauge counts an earlier receiver kept under a second key beside the
// stream's checkpoint, so an upgrade goes on without a full pull; the counts now live in the
// stream's checkpoint record (GaugeRecord). They were written when a pull completed or stopped,
// tagged with that pull's cursor and whether it completed. The counts of a completed pull are
// used when it is the checkpoint's last completed pull (or the pull in progress, when the process
// stopped between the two writes); the counts of a stopped pull only while that pull is the one
// in progress. Any other counts are of another pull (a save failed) and are not used.
type legacyGauge struct {
	stream string
	what   string // what is counted, for the log lines: "detection", "posture"
	store  *checkpoint.Store
	logger *zap.Logger
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
	// Position names the position of the stopped pull AsOf the counts match (PositionOf): a full
	// pull goes on counting only from exactly there.
	Position string `json:"position,omitempty"`
	Counts   []byte `json:"counts"`
}

// Ref is the checkpoint's pull in progress, as far as the counts care.
type Ref struct {
	Cursor time.Time
	Full   bool
	// Position names where the pull stands (PositionOf).
	Position string
}

// RefOf is p as the gauge counts see it; nil for no pull. A pull read from a checkpoint of an
// earlier layout is named by its position in that layout, as its counts were tagged.
func RefOf(p *Progress) *Ref {
	if p == nil {
		return nil
	}
	position := p.formerPosition
	if position == "" {
		position = PositionOf(p)
	}
	return &Ref{Cursor: p.Cursor, Full: p.Full, Position: position}
}

// PositionOf names a pull's position (what the consumer accepted) by a short hash of its
// checkpoint form.
func PositionOf(current any) string {
	raw, err := json.Marshal(current)
	if err != nil {
		return ""
	}
	return positionOfJSON(raw)
}

// positionOfJSON is PositionOf of the pull whose checkpoint form is raw.
func positionOfJSON(raw []byte) string {
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:8])
}

func (g legacyGauge) key() string { return g.stream + ".counts" }

// load restores counts saved for the checkpoint's last completed pull or its pull in progress
// (current, nil for none). It reports whether they cover everything the stream selects
// (baseline) and whether they go on counting the full pull in progress (counting).
func (g legacyGauge) load(ctx context.Context, counts SavedCounts, completed time.Time, current *Ref) (baseline, counting bool) {
	var cp countsCheckpoint
	found, err := g.store.Load(ctx, g.key(), &cp)
	if err != nil {
		g.logger.Warn("Gauge counts checkpoint not readable; the next full pull counts every "+g.what+" again", zap.Error(err))
		return false, false
	}
	if !found {
		return false, false
	}
	ofCurrent := current != nil && cp.AsOf.Equal(current.Cursor)
	usable := !cp.AsOf.IsZero() && (ofCurrent || cp.Completed && cp.AsOf.Equal(completed))
	if !usable {
		g.logger.Info("Gauge counts checkpoint is not of the last completed pull; the next full pull counts every "+g.what+" again",
			zap.Time("counts_as_of", cp.AsOf), zap.Bool("counts_completed", cp.Completed), zap.Time("cursor", completed))
		return false, false
	}
	if err := counts.Unmarshal(cp.Counts); err != nil {
		g.logger.Warn("Gauge counts checkpoint not readable; the next full pull counts every "+g.what+" again", zap.Error(err))
		return false, false
	}
	// Going on counting a full pull needs the counts of every page accepted so far. After a kill the
	// checkpoint's position may be past the counts: those pages will not come again, and their hosts
	// would be dropped when the pull completes.
	counting = counts.Collecting() && ofCurrent && !cp.Completed && current.Full &&
		cp.Position != "" && cp.Position == current.Position
	if !counting {
		counts.AbandonFull()
	}
	if cp.Baseline || counting {
		g.logger.Info("Gauge counts restored from the checkpoint", zap.Time("counts_as_of", cp.AsOf),
			zap.Bool("baseline", cp.Baseline), zap.Bool("counting_full_pull", counting))
	}
	return cp.Baseline, counting
}
