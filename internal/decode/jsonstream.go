// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// DefaultMaxRecordBytes is the default limit on one JSON record (one array element), in bytes.
const DefaultMaxRecordBytes = 64 << 20

var jsonUnmarshal = json.Unmarshal

// jsonStream is the part the PCRS decoders share: gzip sniffing, an encoding/json Decoder walked
// with Token/More/Decode one element at a time, a per-record size limit and the mapping of
// encoding/json errors onto record and stream errors.
type jsonStream struct {
	src       io.Reader
	maxRecord int
	dec       *json.Decoder
	lim       limitReader
	started   bool
	err       error // sticky, io.EOF included
}

// start opens the stream on first use; it reports false with j.err set when the body is empty
// (io.EOF: no records) or unreadable.
func (j *jsonStream) start() bool {
	if j.started {
		return j.err == nil
	}
	j.started = true
	br, ok := j.src.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(j.src, 32<<10)
	}
	r, err := MaybeGunzip(br)
	if err != nil {
		j.err = err
		return false
	}
	if j.maxRecord <= 0 {
		j.maxRecord = DefaultMaxRecordBytes
	}
	j.lim = limitReader{r: r, max: int64(j.maxRecord)}
	j.dec = json.NewDecoder(&j.lim)
	return true
}

// token reads the next token; io.EOF is returned as is (the caller decides whether it is clean).
func (j *jsonStream) token() (json.Token, error) {
	j.lim.mark()
	t, err := j.dec.Token()
	if err != nil && err != io.EOF {
		return nil, j.stream(err)
	}
	return t, err
}

// expect reads a delimiter token; anything else (EOF included) breaks the stream.
func (j *jsonStream) expect(d json.Delim) error {
	t, err := j.token()
	if err == io.EOF {
		return j.stream(ErrTruncated)
	}
	if err != nil {
		return err
	}
	if t != d {
		return j.stream(fmt.Errorf("%w: expected %v, got %v", ErrSyntax, d, t))
	}
	return nil
}

// end checks that nothing but white space follows the document's closing delimiter; reading to
// the end also lets gzip verify its checksum.
func (j *jsonStream) end() error {
	t, err := j.token()
	switch {
	case err == io.EOF:
		return io.EOF
	case err != nil:
		return err
	}
	return j.stream(fmt.Errorf("%w: data after the document: %v", ErrSyntax, t))
}

// decode reads one value into v. A value of the wrong shape is a *RecordError (encoding/json has
// consumed it whole, so the stream is intact); anything else is a stream error.
func (j *jsonStream) decode(v any) error {
	off := j.dec.InputOffset()
	j.lim.mark()
	err := j.dec.Decode(v)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return &RecordError{Offset: off, Err: fmt.Errorf("%w: %w", ErrBadValue, err)}
	}
	if errors.Is(err, ErrBadValue) {
		return &RecordError{Offset: off, Err: err}
	}
	return j.stream(err)
}

// stream wraps err as the sticky stream error.
func (j *jsonStream) stream(err error) error {
	var se *json.SyntaxError
	switch {
	case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
		err = ErrTruncated
	case errors.As(err, &se):
		err = fmt.Errorf("%w: %v", ErrSyntax, err)
	}
	var off int64
	if j.dec != nil {
		off = j.dec.InputOffset()
	}
	if _, ok := err.(*StreamError); !ok {
		err = &StreamError{Offset: off, Err: err}
	}
	return err
}

// offset is the input offset of the decoder in (decompressed) JSON bytes.
func (j *jsonStream) offset() int64 {
	if j.dec == nil {
		return 0
	}
	return j.dec.InputOffset()
}

// fail records err as sticky (unless it is a record error) and returns it.
func (j *jsonStream) fail(err error) error {
	if err != nil && !isRecordError(err) {
		j.err = err
	}
	return err
}

// limitReader fails a read once more than max bytes were read since the last mark, so one JSON
// record (which encoding/json buffers whole) cannot grow without bound.
type limitReader struct {
	r   io.Reader
	n   int64
	max int64
}

func (l *limitReader) mark() { l.n = 0 }

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n > l.max {
		return 0, &StreamError{Err: ErrTooLarge}
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	return n, err
}
