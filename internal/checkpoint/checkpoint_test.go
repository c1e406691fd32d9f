// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package checkpoint

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/storagetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"
)

type state struct {
	Cursor time.Time `json:"cursor"`
	Next   int64     `json:"next"`
}

var receiverID = component.MustNewID("qualys")

func TestSaveLoadRoundTrip(t *testing.T) {
	s := New(storagetest.NewInMemoryClient(component.KindReceiver, receiverID, ""))
	var got state
	found, err := s.Load(t.Context(), "vulnerabilities", &got)
	require.NoError(t, err)
	assert.False(t, found, "no checkpoint yet means start of stream")

	want := state{Cursor: time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC), Next: 1234}
	require.NoError(t, s.Save(t.Context(), "vulnerabilities", want))
	found, err = s.Load(t.Context(), "vulnerabilities", &got)
	require.NoError(t, err)
	assert.True(t, found)
	assert.Equal(t, want, got)

	found, err = s.Load(t.Context(), "assets", &got)
	require.NoError(t, err)
	assert.False(t, found, "streams have separate checkpoints")
}

// A restart with file storage finds what the previous process saved.
func TestSurvivesRestartWithFileStorage(t *testing.T) {
	dir := t.TempDir()
	first := storagetest.NewFileBackedClient(component.KindReceiver, receiverID, "", dir)
	want := state{Next: 42}
	require.NoError(t, New(first).Save(t.Context(), "assets", want))
	require.NoError(t, first.Close(t.Context()))

	second := storagetest.NewFileBackedClient(component.KindReceiver, receiverID, "", dir)
	var got state
	found, err := New(second).Load(t.Context(), "assets", &got)
	require.NoError(t, err)
	assert.True(t, found)
	assert.Equal(t, want, got)
}

func TestWithoutStorageCheckpointsLiveInMemory(t *testing.T) {
	s := New(nil)
	require.NoError(t, s.Save(t.Context(), "compliance", state{Next: 7}))
	var got state
	found, err := s.Load(t.Context(), "compliance", &got)
	require.NoError(t, err)
	assert.True(t, found)
	assert.Equal(t, int64(7), got.Next)
}

func TestUnreadableOrForeignVersionStartsOver(t *testing.T) {
	client := storagetest.NewInMemoryClient(component.KindReceiver, receiverID, "")
	s := New(client)
	require.NoError(t, client.Set(t.Context(), keyPrefix+"assets", []byte("{not json")))
	var got state
	found, err := s.Load(t.Context(), "assets", &got)
	assert.False(t, found)
	assert.ErrorContains(t, err, `checkpoint "assets" is unreadable, starting over`)

	require.NoError(t, client.Set(t.Context(), keyPrefix+"assets", []byte(`{"version":99,"state":{}}`)))
	found, err = s.Load(t.Context(), "assets", &got)
	assert.False(t, found)
	assert.ErrorContains(t, err, "has version 99")
}

type failingClient struct{ storage.Client }

func (failingClient) Set(_ context.Context, _ string, _ []byte) error { return errors.New("disk full") }
func (failingClient) Get(_ context.Context, _ string) ([]byte, error) {
	return nil, errors.New("disk gone")
}

// A storage failure is reported, and the in-memory copy still lets the process resume.
func TestStorageFailureKeepsMemoryCopy(t *testing.T) {
	s := New(failingClient{storage.NewNopClient()})
	assert.ErrorContains(t, s.Save(t.Context(), "assets", state{Next: 9}), "disk full")
	var got state
	found, err := s.Load(t.Context(), "assets", &got)
	assert.ErrorContains(t, err, "disk gone")
	assert.True(t, found)
	assert.Equal(t, int64(9), got.Next)
}
