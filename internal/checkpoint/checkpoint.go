// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

// Package checkpoint keeps each stream's cursor and pull progress in a storage extension (or in
// memory without one), as versioned JSON under one key per stream.
package checkpoint // import "github.com/seed-d80aa3af/qualysreceiver/internal/checkpoint"

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"go.opentelemetry.io/collector/extension/xextension/storage"
)

// version is the layout of the stored JSON. A checkpoint of another version is ignored (the stream
// starts with a full pull) rather than misread.
const version = 1

const keyPrefix = "qualys/checkpoint/"

// Store reads and writes checkpoints. It keeps the last value in memory too, so a receiver without
// storage, or whose storage fails, still resumes within the process (for example after losing and
// regaining leadership).
type Store struct {
	client storage.Client

	mu     sync.Mutex
	memory map[string][]byte
}

// New returns a store over client; a nil client keeps checkpoints in memory only.
func New(client storage.Client) *Store {
	if client == nil {
		client = storage.NewNopClient()
	}
	return &Store{client: client, memory: map[string][]byte{}}
}

type envelope struct {
	Version int             `json:"version"`
	State   json.RawMessage `json:"state"`
}

// Load reads stream's checkpoint into state. found is false when there is none, or when the stored
// one is of another version or unreadable (then err says why, for a warning: the stream starts over
// rather than failing).
func (s *Store) Load(ctx context.Context, stream string, state any) (found bool, err error) {
	raw, err := s.client.Get(ctx, keyPrefix+stream)
	if err != nil {
		return s.loadMemory(stream, state), fmt.Errorf("read checkpoint %q: %w", stream, err)
	}
	if raw == nil {
		return s.loadMemory(stream, state), nil
	}
	var env envelope
	if err := json.Unmarshal(raw, &env); err != nil {
		return false, fmt.Errorf("checkpoint %q is unreadable, starting over: %w", stream, err)
	}
	if env.Version != version {
		return false, fmt.Errorf("checkpoint %q has version %d, this receiver writes %d; starting over", stream, env.Version, version)
	}
	if err := json.Unmarshal(env.State, state); err != nil {
		return false, fmt.Errorf("checkpoint %q is unreadable, starting over: %w", stream, err)
	}
	s.remember(stream, raw)
	return true, nil
}

// Save writes stream's checkpoint. The in-memory copy is kept even when storage fails.
func (s *Store) Save(ctx context.Context, stream string, state any) error {
	inner, err := json.Marshal(state)
	if err != nil {
		return fmt.Errorf("encode checkpoint %q: %w", stream, err)
	}
	raw, err := json.Marshal(envelope{Version: version, State: inner})
	if err != nil {
		return fmt.Errorf("encode checkpoint %q: %w", stream, err)
	}
	s.remember(stream, raw)
	if err := s.client.Set(ctx, keyPrefix+stream, raw); err != nil {
		return fmt.Errorf("write checkpoint %q: %w", stream, err)
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

func (s *Store) remember(stream string, raw []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.memory[stream] = raw
}

func (s *Store) loadMemory(stream string, state any) bool {
	s.mu.Lock()
	raw, ok := s.memory[stream]
	s.mu.Unlock()
	if !ok {
		return false
	}
	var env envelope
	return json.Unmarshal(raw, &env) == nil && env.Version == version && json.Unmarshal(env.State, state) == nil
}
