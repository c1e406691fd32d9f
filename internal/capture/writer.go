// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package capture // import "github.com/seed-d80aa3af/qualysreceiver/internal/capture"

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
)

// Writer writes the answers of a poll to a directory as the receiver reads them, until the
// directory holds maxBytes. Capturing never fails a call: when the budget is spent or a write
// fails, it stops, tells onStop once, and the answers keep flowing to the receiver.
type Writer struct {
	dir      string
	maxBytes int64
	onStop   func(reason string, err error)

	used     atomic.Int64
	seq      atomic.Int64
	stopped  atomic.Bool
	stopOnce sync.Once
}

// NewWriter creates dir if needed. Files already in it count towards maxBytes, and new files
// continue their numbering, so a restarted receiver adds to a capture without overwriting it.
// onStop (may be nil) hears once why capturing stopped.
func NewWriter(dir string, maxBytes int64, onStop func(reason string, err error)) (*Writer, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	w := &Writer{dir: dir, maxBytes: maxBytes, onStop: onStop}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		seq, ok := sequenceOf(e.Name())
		if !ok {
			continue
		}
		w.seq.Store(max(w.seq.Load(), seq))
		if info, err := e.Info(); err == nil {
			w.used.Add(info.Size())
		}
	}
	if w.used.Load() >= maxBytes {
		w.stop("capture::max_bytes is reached by the files already in capture::directory", nil)
	}
	return w, nil
}

// Record returns body with every byte read from it also written to the capture; ex describes the
// call and is written when body is closed.
func (w *Writer) Record(ex Exchange, body io.ReadCloser) io.ReadCloser {
	if w == nil || w.stopped.Load() {
		return body
	}
	file, describe, err := w.create(ex.Endpoint)
	if err != nil {
		w.stop("cannot write to capture::directory", err)
		return body
	}
	ex.BodyFile = filepath.Base(file.Name())
	return &teeBody{body: body, writer: w, file: file, describe: describe, ex: ex}
}

// create opens the next body file; another writer on the same directory may have taken a number.
func (w *Writer) create(endpoint string) (*os.File, string, error) {
	for range 100 {
		describe, body := fileNames(w.seq.Add(1), endpoint)
		f, err := os.OpenFile(filepath.Join(w.dir, body), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, filepath.Join(w.dir, describe), err
	}
	return nil, "", errors.New("no free file name")
}

// charge takes n bytes of the budget; false means the budget is spent and capturing stops.
func (w *Writer) charge(n int64) bool {
	if w.used.Add(n) > w.maxBytes {
		w.stop(fmt.Sprintf("capture::max_bytes (%d) reached", w.maxBytes), nil)
		return false
	}
	return !w.stopped.Load()
}

func (w *Writer) stop(reason string, err error) {
	w.stopped.Store(true)
	w.stopOnce.Do(func() {
		if w.onStop != nil {
			w.onStop(reason, err)
		}
	})
}

// teeBody copies what the receiver reads into the capture file. A body cut short by the budget or
// a write error is removed, so a directory holds only answers a replay can serve whole.
type teeBody struct {
	body     io.ReadCloser
	writer   *Writer
	describe string
	ex       Exchange

	mu   sync.Mutex
	file *os.File
	eof  bool
}

func (t *teeBody) Read(p []byte) (int, error) {
	n, err := t.body.Read(p)
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.file != nil && n > 0 {
		t.keep(p[:n])
	}
	if err == io.EOF {
		t.eof = true
	}
	return n, err
}

// keep writes b to the file, or abandons the file when it must not grow.
func (t *teeBody) keep(b []byte) {
	if !t.writer.charge(int64(len(b))) {
		t.abandon()
		return
	}
	if _, err := t.file.Write(b); err != nil {
		t.writer.stop("cannot write to capture::directory", err)
		t.abandon()
		return
	}
	t.ex.BodyBytes += int64(len(b))
}

func (t *teeBody) abandon() {
	name := t.file.Name()
	_ = t.file.Close()
	_ = os.Remove(name)
	t.file = nil
}

func (t *teeBody) Close() error {
	err := t.body.Close()
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.file != nil {
		t.finish()
	}
	return err
}

// finish closes the body file and writes the description next to it.
func (t *teeBody) finish() {
	t.ex.Complete = t.eof
	if err := t.file.Close(); err != nil {
		t.writer.stop("cannot write to capture::directory", err)
		_ = os.Remove(t.file.Name())
		t.file = nil
		return
	}
	bodyName := t.file.Name()
	t.file = nil
	raw, err := describeJSON(t.ex)
	if err == nil && !t.writer.charge(int64(len(raw))) {
		err = fmt.Errorf("capture::max_bytes reached")
	}
	if err == nil {
		err = os.WriteFile(t.describe, raw, 0o600)
		if err != nil {
			t.writer.stop("cannot write to capture::directory", err)
		}
	}
	if err != nil {
		_ = os.Remove(bodyName)
		_ = os.Remove(t.describe)
	}
}

// describeJSON writes ex indented and with <, > and & as they are, for people reading a capture.
func describeJSON(ex Exchange) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	err := enc.Encode(ex)
	return b.Bytes(), err
}
