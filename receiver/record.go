// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver // import "github.com/seed-d80aa3af/qualysreceiver/receiver"

import (
	"context"
	"time"

	"go.uber.org/zap"

	"github.com/seed-d80aa3af/qualysreceiver/internal/checkpoint"
)

// record is a stream's one checkpoint record, written whole: P is the stream's pull in progress.
type record[P any] struct {
	// Cursor is when the last completed pull began (Qualys server time); the next incremental pull
	// asks for what changed since.
	Cursor time.Time `json:"cursor,omitzero"`
	// LastFullSync is when the last completed full pull began.
	LastFullSync time.Time `json:"last_full_sync,omitzero"`
	// Current is the pull in progress, nil when the last one completed.
	Current *P `json:"current,omitempty"`
	// Selection names the filters of the pulls this record comes from (see selection).
	Selection string `json:"selection,omitempty"`
	// Gauge is the stream's gauge counts as of this record; nil without them.
	Gauge *gaugeRecord `json:"gauge,omitempty"`
}

// checkpointed is a stream's checkpoint record and the one code that reads and writes it: load it
// once per process, begin a pull, save where it stands (with the gauge counts), complete it.
type checkpointed[P any] struct {
	name      string
	store     *checkpoint.Store
	logger    *zap.Logger
	telemetry *Telemetry
	// gauge is the stream's gauge counts, written into every record; nil for none.
	gauge *gaugeCounting
	// selection names the filters the stream asks Qualys with (see selection); "" for none.
	selection string
	// began is when a pull in progress began and whether it is full.
	began func(p *P) (cursor time.Time, full bool)
	// resumable says whether a pull in progress read from the record can go on, and if not why;
	// nil resumes every one.
	resumable func(p *P) (ok bool, why string)
	// resumeFields describe a resumed pull in the log.
	resumeFields func(p *P) []zap.Field

	state  record[P]
	loaded bool
}

// load reads the record once per process. A record that cannot be read, or was written under
// other filters, is dropped: the stream starts with a full pull.
func (c *checkpointed[P]) load(ctx context.Context) {
	if c.loaded {
		return
	}
	c.loaded = true
	found, err := c.store.Load(ctx, c.name, &c.state)
	switch {
	case err != nil:
		c.logger.Warn("Checkpoint not readable; starting with a full pull", zap.Error(err))
		c.state = record[P]{}
	case found && selectionChanged(c.state.Selection, c.selection):
		c.logger.Info("The stream's filters changed since the checkpoint was written; starting with a full pull")
		c.state = record[P]{}
	case found && c.state.Current != nil:
		if c.resumable != nil {
			if ok, why := c.resumable(c.state.Current); !ok {
				c.logger.Info(why)
				c.state.Current = nil
				return
			}
		}
		cursor, full := c.began(c.state.Current)
		fields := []zap.Field{zap.Time("cursor", cursor), zap.Bool("full", full)}
		if c.resumeFields != nil {
			fields = append(fields, c.resumeFields(c.state.Current)...)
		}
		c.logger.Info("Resuming the pull interrupted by the last shutdown", fields...)
	}
}

// begin starts a new pull and checkpoints it, so a restart resumes it rather than starting over.
func (c *checkpointed[P]) begin(ctx context.Context, p P) {
	c.state.Current = &p
	c.state.Selection = c.selection
	c.save(ctx)
}

// complete makes the current pull's cursor the stream's cursor. fullSync says a full pull counts
// as the stream's last full sync (see gaugeCounting.completed).
func (c *checkpointed[P]) complete(ctx context.Context, fullSync bool) {
	cursor, full := c.began(c.state.Current)
	c.state.Cursor = cursor
	if full && fullSync {
		c.state.LastFullSync = cursor
	}
	c.state.Current = nil
	c.save(ctx)
}

// save writes the record, the gauge counts with it. A write that fails is reported and retried
// with the next save.
func (c *checkpointed[P]) save(ctx context.Context) {
	c.state.Gauge = c.gauge.record()
	if err := c.store.Save(context.WithoutCancel(ctx), c.name, &c.state); err != nil {
		c.logger.Warn("Checkpoint not saved; a restart would repeat more", zap.Error(err))
		c.telemetry.checkpointFailed(c.name)
		return
	}
	c.gauge.saved(ctx)
}
