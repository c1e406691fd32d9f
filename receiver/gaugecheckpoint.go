// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver // import "github.com/seed-d80aa3af/qualysreceiver/receiver"

import (
	"context"
	"time"

	"go.uber.org/zap"

	"github.com/seed-d80aa3af/qualysreceiver/internal/checkpoint"
)

// savedCounts is what a summary gauge counts, encoded for its checkpoint.
type savedCounts interface {
	marshal() []byte
	// restore replaces the counts with what marshal encoded; on an error they are unchanged.
	restore(data []byte) error
}

// gaugeCheckpoint keeps a stream's gauge counts in the checkpoint store, under a key of their own,
// so a restart can go on incrementally instead of pulling everything again to count it. They are
// written when a pull completes or stops, tagged with that pull's cursor, and trusted after a
// restart only when the tag is the last completed pull's or the pull in progress's: counts of
// another pull (after a save that failed) would be wrong for the hosts of the pulls in between.
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
	AsOf   time.Time `json:"as_of"`
	Counts []byte    `json:"counts"`
}

func (g gaugeCheckpoint) key() string { return g.stream + ".counts" }

// load restores counts when their checkpoint is of the pull completed or inProgress (zero: none)
// and reports whether it did.
func (g gaugeCheckpoint) load(ctx context.Context, counts savedCounts, completed, inProgress time.Time) bool {
	var cp countsCheckpoint
	found, err := g.store.Load(ctx, g.key(), &cp)
	if err == nil && found {
		current := !cp.AsOf.IsZero() && (cp.AsOf.Equal(completed) || cp.AsOf.Equal(inProgress))
		if !current {
			g.logger.Info("Gauge counts checkpoint is not of the last completed pull; the next pull is full, to count every "+g.what+" again",
				zap.Time("counts_as_of", cp.AsOf), zap.Time("cursor", completed))
			return false
		}
		err = counts.restore(cp.Counts)
	}
	switch {
	case err != nil:
		g.logger.Warn("Gauge counts checkpoint not readable; the next pull is full, to count every "+g.what+" again", zap.Error(err))
		return false
	case !found:
		return false
	}
	g.logger.Info("Gauge counts restored from the checkpoint; polls go on incrementally", zap.Time("counts_as_of", cp.AsOf))
	return true
}

// save writes counts as of the pull with cursor asOf.
func (g gaugeCheckpoint) save(ctx context.Context, counts savedCounts, asOf time.Time) {
	cp := countsCheckpoint{AsOf: asOf, Counts: counts.marshal()}
	if err := g.store.Save(context.WithoutCancel(ctx), g.key(), &cp); err != nil {
		g.logger.Warn("Gauge counts not saved; after a restart the first pull is full, to count every "+g.what+" again", zap.Error(err))
		g.telemetry.checkpointFailed(g.stream)
	}
}
