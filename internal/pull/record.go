// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package pull // import "github.com/seed-d80aa3af/qualysreceiver/internal/pull"

import (
	"context"
	"time"

	"go.uber.org/zap"

	"github.com/seed-d80aa3af/qualysreceiver/internal/checkpoint"
)

// Record is a stream's one checkpoint record, written whole: P is the stream's pull in progress,
// G its gauge counts.
type Record[P, G any] struct {
	// Cursor is when the last completed pull began (Qualys server time); the next incremental pull
	// asks for what changed since.
	Cursor time.Time `json:"cursor,omitzero"`
	// LastFullSync is when the last completed full pull began.
	LastFullSync time.Time `json:"last_full_sync,omitzero"`
	// LastSkipped are the hosts the last completed pull skipped (internal/pull/skip.go): the next
	// pull looks for the host failing a page that holds one of them at the page's first failure
	// (Progress.Suspects), and a stream without scheduled full pulls makes its next one full, to
	// ask for them again (FullDue).
	LastSkipped []int64 `json:"last_skipped,omitempty"`
	// Current is the pull in progress, nil when the last one completed.
	Current *P `json:"current,omitempty"`
	// Selection names the filters of the pulls this record comes from; a record written under
	// other filters is not used.
	Selection string `json:"selection,omitempty"`
	// Gauge is the stream's gauge counts as of this record; nil without them.
	Gauge *G `json:"gauge,omitempty"`
}

// Gauge is a stream's gauge as its record sees it.
type Gauge[G any] interface {
	// Record is the gauge's part of the next record; nil for none.
	Record() *G
	// Saved is told that a record with it was written.
	Saved(ctx context.Context)
}

// attachment is a part of a record too large to go through JSON (gauge counts): the store writes
// it raw after the record's JSON.
type attachment interface {
	appendAttachment(buf []byte) []byte
	attach(data []byte)
}

// ReadRecord reads stream name's record from store into rec, with its attachment, as Checkpointed
// does.
func ReadRecord[P, G any](ctx context.Context, store *checkpoint.Store, name string, rec *Record[P, G]) (found bool, err error) {
	data, found, err := store.LoadWith(ctx, name, rec)
	if a, ok := any(rec.Gauge).(attachment); ok && found && rec.Gauge != nil && data != nil {
		a.attach(data)
	}
	return found, err
}

// Checkpointed is a stream's checkpoint record and the one code that reads and writes it: load it
// once per process, begin a pull, save where it stands (with the gauge counts), complete it.
type Checkpointed[P, G any] struct {
	Name   string
	Store  *checkpoint.Store
	Logger *zap.Logger
	// Failed counts a record that could not be written.
	Failed func()
	// Gauge is written into every record; nil for a stream without one.
	Gauge Gauge[G]
	// Selection names the filters the stream asks Qualys with; "" for none.
	Selection string
	// Began is when a pull in progress began and whether it is full.
	Began func(p *P) (cursor time.Time, full bool)
	// Resumable says whether a pull in progress read from the record can go on, and if not why;
	// nil resumes every one.
	Resumable func(p *P) (ok bool, why string)
	// ResumeFields describe a resumed pull in the log.
	ResumeFields func(p *P) []zap.Field

	State  Record[P, G]
	loaded bool
}

// Load reads the record once per process. A record that cannot be read, or was written under
// other filters, is dropped: the stream starts with a full pull.
func (c *Checkpointed[P, G]) Load(ctx context.Context) {
	if c.loaded {
		return
	}
	c.loaded = true
	found, err := ReadRecord(ctx, c.Store, c.Name, &c.State)
	switch {
	case err != nil:
		c.Logger.Warn("Checkpoint not readable; starting with a full pull", zap.Error(err))
		c.State = Record[P, G]{}
	case found && c.State.Selection != "" && c.Selection != "" && c.State.Selection != c.Selection:
		// A record without a selection (written before selections were recorded) matches.
		c.Logger.Info("The stream's filters changed since the checkpoint was written; starting with a full pull")
		c.State = Record[P, G]{}
	case found && c.State.Current != nil:
		c.resume()
	}
}

func (c *Checkpointed[P, G]) resume() {
	if c.Resumable != nil {
		if ok, why := c.Resumable(c.State.Current); !ok {
			c.Logger.Info(why)
			c.State.Current = nil
			return
		}
	}
	cursor, full := c.Began(c.State.Current)
	fields := []zap.Field{zap.Time("cursor", cursor), zap.Bool("full", full)}
	if c.ResumeFields != nil {
		fields = append(fields, c.ResumeFields(c.State.Current)...)
	}
	c.Logger.Info("Resuming the pull interrupted by the last shutdown", fields...)
}

// Begin starts a new pull and checkpoints it, so a restart resumes it rather than starting over.
func (c *Checkpointed[P, G]) Begin(ctx context.Context, p P) {
	c.State.Current = &p
	c.State.Selection = c.Selection
	c.Save(ctx)
}

// Complete makes the current pull's cursor the stream's cursor. fullSync says a full pull counts
// as the stream's last full sync.
func (c *Checkpointed[P, G]) Complete(ctx context.Context, fullSync bool) {
	cursor, full := c.Began(c.State.Current)
	c.State.Cursor = cursor
	if full && fullSync {
		c.State.LastFullSync = cursor
	}
	c.State.Current = nil
	c.Save(ctx)
}

// Save writes the record, the gauge counts with it. A write that fails is reported and retried
// with the next save.
func (c *Checkpointed[P, G]) Save(ctx context.Context) {
	if c.Gauge != nil {
		c.State.Gauge = c.Gauge.Record()
	}
	var attach func([]byte) []byte
	if a, ok := any(c.State.Gauge).(attachment); ok && c.State.Gauge != nil {
		attach = a.appendAttachment
	}
	if err := c.Store.SaveWith(context.WithoutCancel(ctx), c.Name, &c.State, attach); err != nil {
		c.Logger.Warn("Checkpoint not saved; a restart would repeat more", zap.Error(err))
		if c.Failed != nil {
			c.Failed()
		}
		return
	}
	if c.Gauge != nil {
		c.Gauge.Saved(ctx)
	}
}
