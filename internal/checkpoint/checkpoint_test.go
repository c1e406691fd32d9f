// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package checkpoint

import (
	"bytes"
	"context"
	"errors"
	"runtime"
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

// appendBytes is an attach function that appends b.
func appendBytes(b []byte) func([]byte) []byte {
	return func(dst []byte) []byte { return append(dst, b...) }
}

// A checkpoint with an attachment survives a restart through file storage, the attachment stored
// as its raw bytes after the state, not re-encoded.
func TestAttachmentSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	first := storagetest.NewFileBackedClient(component.KindReceiver, receiverID, "", dir)
	want, counts := state{Next: 42}, bytes.Repeat([]byte{0, 1, 2, 0xff}, 1000)
	require.NoError(t, New(first).SaveWith(t.Context(), "compliance", want, appendBytes(counts)))
	raw, err := first.Get(t.Context(), keyPrefix+"compliance")
	require.NoError(t, err)
	assert.Less(t, len(raw), len(counts)+100, "the attachment is stored raw")
	require.NoError(t, first.Close(t.Context()))

	second := storagetest.NewFileBackedClient(component.KindReceiver, receiverID, "", dir)
	var got state
	attachment, found, err := New(second).LoadWith(t.Context(), "compliance", &got)
	require.NoError(t, err)
	assert.True(t, found)
	assert.Equal(t, want, got)
	assert.Equal(t, counts, attachment)
}

// Once storage holds a checkpoint, the store keeps no second copy in memory.
func TestStorageHoldsTheOnlyCopy(t *testing.T) {
	s := New(storagetest.NewInMemoryClient(component.KindReceiver, receiverID, ""))
	require.NoError(t, s.SaveWith(t.Context(), "compliance", state{Next: 1}, appendBytes([]byte("counts"))))
	assert.Nil(t, s.memory["compliance"].raw)
}

// Without storage, a save encodes its state alone, allocating next to nothing however large the
// attachment; the attachment is encoded when the checkpoint is read back, as attach appends it then.
func TestWithoutStorageAttachmentsAreEncodedWhenRead(t *testing.T) {
	s := New(nil)
	counts := bytes.Repeat([]byte{7}, 1<<20)
	attach := func(dst []byte) []byte { return append(dst, counts...) }
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	require.NoError(t, s.SaveWith(t.Context(), "compliance", state{Next: 1}, attach))
	runtime.ReadMemStats(&ms1)
	assert.Less(t, ms1.TotalAlloc-ms0.TotalAlloc, uint64(len(counts)/10), "bytes allocated by a save")

	counts = bytes.Repeat([]byte{9}, 1<<20)
	var got state
	loaded, found, err := s.LoadWith(t.Context(), "compliance", &got)
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, state{Next: 1}, got)
	assert.Equal(t, counts, loaded, "the attachment as it stands when read")

	require.NoError(t, s.Save(t.Context(), "compliance", state{Next: 2}))
	loaded, found, err = s.LoadWith(t.Context(), "compliance", &got)
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, state{Next: 2}, got)
	assert.Nil(t, loaded, "a checkpoint saved without an attachment has none")
}

// A binary checkpoint cut short, or of a version this receiver does not know, is not used.
func TestDamagedBinaryCheckpointStartsOver(t *testing.T) {
	client := storagetest.NewInMemoryClient(component.KindReceiver, receiverID, "")
	s := New(client)
	require.NoError(t, s.SaveWith(t.Context(), "assets", state{Next: 5}, appendBytes([]byte("counts"))))
	raw, err := client.Get(t.Context(), keyPrefix+"assets")
	require.NoError(t, err)
	for _, cut := range []int{2, len(binaryMagic) + 1, len(binaryMagic) + 3, len(raw) - 7} {
		require.NoError(t, client.Set(t.Context(), keyPrefix+"assets", raw[:cut]))
		var got state
		found, err := s.Load(t.Context(), "assets", &got)
		assert.False(t, found, "cut at %d", cut)
		assert.ErrorContains(t, err, `checkpoint "assets" is unreadable, starting over`, "cut at %d", cut)
	}
	future := append([]byte(binaryMagic), 3)
	require.NoError(t, client.Set(t.Context(), keyPrefix+"assets", append(future, raw[len(future):]...)))
	var got state
	found, err := s.Load(t.Context(), "assets", &got)
	assert.False(t, found)
	assert.ErrorContains(t, err, "has version 3")
}
