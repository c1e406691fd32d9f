// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

// Package checkpoint keeps each stream's cursor and pull progress in a storage extension (or in
// memory without one), one versioned record under one key per stream (layout.go).
package checkpoint // import "github.com/seed-d80aa3af/qualysreceiver/internal/checkpoint"

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"go.opentelemetry.io/collector/extension/xextension/storage"
)

const keyPrefix = "qualys/checkpoint/"

// Store reads and writes checkpoints. Without storage, or while storage fails, it keeps the last
// checkpoint of each stream in memory, so the process still resumes (for example after losing and
// regaining leadership); once storage holds it, the storage's copy is the only one.
type Store struct {
	client storage.Client
	// private says there is no storage extension: nobody else sees the in-memory copies, so a save
	// may encode the next checkpoint over the last one's bytes.
	private bool

	mu     sync.Mutex
	memory map[string]*memoryCopy
}

// memoryCopy is a stream's last checkpoint kept in memory.
type memoryCopy struct {
	mu  sync.Mutex
	raw []byte
	// lent says a load handed out an attachment within raw: the next save must not overwrite it.
	lent bool
}

// New returns a store over client; a nil client keeps checkpoints in memory only.
func New(client storage.Client) *Store {
	s := &Store{client: client, memory: map[string]*memoryCopy{}}
	if client == nil {
		s.client, s.private = storage.NewNopClient(), true
	}
	return s
}

// Load reads stream's checkpoint into state. found is false when there is none, or when the stored
// one is of another version or unreadable (then err says why, for a warning: the stream starts over
// rather than failing).
func (s *Store) Load(ctx context.Context, stream string, state any) (found bool, err error) {
	_, found, err = s.LoadWith(ctx, stream, state)
	return found, err
}

// LoadWith is Load for a checkpoint SaveWith wrote, returning its attachment too (nil when there is
// none). The attachment stays valid: the store does not write over it.
func (s *Store) LoadWith(ctx context.Context, stream string, state any) (attachment []byte, found bool, err error) {
	raw, err := s.client.Get(ctx, keyPrefix+stream)
	if err != nil {
		attachment, found = s.loadMemory(stream, state)
		return attachment, found, fmt.Errorf("read checkpoint %q: %w", stream, err)
	}
	if raw == nil {
		attachment, found = s.loadMemory(stream, state)
		return attachment, found, nil
	}
	attachment, err = decode(raw, state)
	var version errVersion
	switch {
	case errors.As(err, &version):
		return nil, false, fmt.Errorf("checkpoint %q %w; starting over", stream, err)
	case err != nil:
		return nil, false, fmt.Errorf("checkpoint %q is unreadable, starting over: %w", stream, err)
	}
	return attachment, true, nil
}

// Save writes stream's checkpoint, as JSON. When storage fails, the in-memory copy is kept.
func (s *Store) Save(ctx context.Context, stream string, state any) error {
	return s.SaveWith(ctx, stream, state, nil)
}

// SaveWith writes stream's checkpoint with an attachment, the bytes attach appends to the buffer it
// is given, written raw after the state (nil attach: none, and the checkpoint is JSON).
func (s *Store) SaveWith(ctx context.Context, stream string, state any, attach func([]byte) []byte) error {
	inner, err := json.Marshal(state)
	if err != nil {
		return fmt.Errorf("encode checkpoint %q: %w", stream, err)
	}
	m := s.memoryOf(stream)
	m.mu.Lock()
	var raw []byte
	if attach == nil {
		raw, err = encodeJSON(inner)
	} else {
		raw = appendBinary(s.bufferFor(m, len(inner)), inner, attach)
	}
	if err == nil {
		m.raw, m.lent = raw, false
	}
	m.mu.Unlock()
	if err != nil {
		return fmt.Errorf("encode checkpoint %q: %w", stream, err)
	}
	if err := s.client.Set(ctx, keyPrefix+stream, raw); err != nil {
		return fmt.Errorf("write checkpoint %q: %w", stream, err)
	}
	if !s.private {
		m.mu.Lock()
		if len(m.raw) > 0 && &m.raw[0] == &raw[0] { // not replaced by a later save meanwhile
			m.raw = nil
		}
		m.mu.Unlock()
	}
	return nil
}

// bufferFor is the buffer a binary checkpoint of m's stream is encoded into: the last one's bytes
// when nobody else can see them, else a new buffer the size of the last checkpoint, so encoding the
// attachment seldom grows it.
func (s *Store) bufferFor(m *memoryCopy, stateSize int) []byte {
	if s.private && !m.lent {
		return m.raw[:0]
	}
	return make([]byte, 0, len(m.raw)+len(m.raw)/8+stateSize+16)
}

// Delete forgets stream's checkpoint.
func (s *Store) Delete(ctx context.Context, stream string) error {
	s.mu.Lock()
	delete(s.memory, stream)
	s.mu.Unlock()
	return s.client.Delete(ctx, keyPrefix+stream)
}

func (s *Store) memoryOf(stream string) *memoryCopy {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.memory[stream]
	if m == nil {
		m = &memoryCopy{}
		s.memory[stream] = m
	}
	return m
}

func (s *Store) loadMemory(stream string, state any) (attachment []byte, found bool) {
	s.mu.Lock()
	m := s.memory[stream]
	s.mu.Unlock()
	if m == nil {
		return nil, false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.raw == nil {
		return nil, false
	}
	attachment, err := decode(m.raw, state)
	if err != nil {
		return nil, false
	}
	m.lent = len(attachment) > 0
	return attachment, true
}
