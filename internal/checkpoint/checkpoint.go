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
	// private says there is no storage extension: the in-memory copies are the only ones.
	private bool

	mu     sync.Mutex
	memory map[string]*memoryCopy
}

// memoryCopy is a stream's last checkpoint kept in memory: raw, or, without storage, the JSON of
// its state and the function that encodes its attachment.
type memoryCopy struct {
	mu     sync.Mutex
	raw    []byte
	state  []byte
	attach func([]byte) []byte
	// size is the length of the last checkpoint encoded, to size the next one's buffer.
	size int
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
// none).
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
// is given, written raw after the state (nil attach: none, and the checkpoint is JSON). Without
// storage nothing is encoded but the state: attach is kept and called when the checkpoint is read
// back, so it must then append what the checkpoint needs (gauge counts as they stand then).
func (s *Store) SaveWith(ctx context.Context, stream string, state any, attach func([]byte) []byte) error {
	inner, err := json.Marshal(state)
	if err != nil {
		return fmt.Errorf("encode checkpoint %q: %w", stream, err)
	}
	m := s.memoryOf(stream)
	if s.private && attach != nil {
		m.mu.Lock()
		m.raw, m.state, m.attach = nil, inner, attach
		m.mu.Unlock()
		return nil
	}
	var raw []byte
	m.mu.Lock()
	if attach == nil {
		raw, err = encodeJSON(inner)
	} else {
		// Sized like the last one, so encoding the attachment seldom grows the buffer.
		raw = appendBinary(make([]byte, 0, m.size+m.size/8+len(inner)+16), inner, attach)
	}
	if err == nil {
		m.raw, m.state, m.attach, m.size = raw, nil, nil, len(raw)
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
	switch {
	case m.attach != nil:
		if json.Unmarshal(m.state, state) != nil {
			return nil, false
		}
		return m.attach(nil), true
	case m.raw != nil:
		attachment, err := decode(m.raw, state)
		return attachment, err == nil
	}
	return nil, false
}
