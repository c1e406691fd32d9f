// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"errors"
	"fmt"
)

var (
	// ErrTruncated means the document ended before its root element (or JSON array) closed: the
	// page is incomplete and must not be treated as done.
	ErrTruncated = errors.New("document truncated")
	// ErrSyntax means the document is not well-formed (mismatched tags, a broken tag, broken JSON).
	ErrSyntax = errors.New("malformed document")
	// ErrTooLarge means a tag, an element's text or a JSON record exceeds the decoder's size limit.
	ErrTooLarge = errors.New("element exceeds size limit")
	// ErrUnexpectedRoot means the document is a different Qualys response than the decoder reads
	// (for example a SIMPLE_RETURN error where Host List Detection output was expected).
	ErrUnexpectedRoot = errors.New("unexpected root element")
	// ErrBadValue means a number, boolean or date field holds a malformed value.
	ErrBadValue = errors.New("malformed value")
	// ErrMissingID means a record has no (or a zero) identifier, so it cannot be attributed.
	ErrMissingID = errors.New("record has no ID")
)

// FieldError reports a field a decoder could not read (a malformed number, boolean or date, or a
// text over the element limit). The record comes without that field; the decoders list a
// record's lost fields with UnreadableFields.
type FieldError struct {
	// Path is the element path from the record's element down, for example HOST/DNS_DATA/HOSTNAME
	// or VULN/THREAT_INTELLIGENCE/THREAT_INTEL/@id for an attribute.
	Path string
	// Value is the text found, clipped to 64 bytes.
	Value string
	// Err is ErrBadValue or ErrTooLarge.
	Err error
}

// Error names the field, the text found and the cause.
func (e *FieldError) Error() string {
	if errors.Is(e.Err, ErrTooLarge) {
		return fmt.Sprintf("%s: %v", e.Path, e.Err)
	}
	return fmt.Sprintf("%s %q: %v", e.Path, e.Value, e.Err)
}

// Unwrap returns the cause.
func (e *FieldError) Unwrap() error { return e.Err }

// RecordError reports a record that was skipped; the stream is intact and the caller may continue.
type RecordError struct {
	// Offset is the input offset (in decompressed bytes) where the record starts.
	Offset int64
	// ID identifies the record as far as it was read (for a detection "hostID/QID"); it may be empty.
	ID string
	// Err is the cause: ErrMissingID, or a *FieldError when the record's own ID is unreadable.
	Err error
}

// Error describes the skipped record and the cause.
func (e *RecordError) Error() string {
	if e.ID == "" {
		return fmt.Sprintf("record at offset %d skipped: %v", e.Offset, e.Err)
	}
	return fmt.Sprintf("record %s at offset %d skipped: %v", e.ID, e.Offset, e.Err)
}

// Unwrap returns the cause.
func (e *RecordError) Unwrap() error { return e.Err }

// StreamError reports a broken stream. Once returned, the decoder returns it on every later call.
type StreamError struct {
	// Offset is the input offset (in decompressed bytes) where the problem was found.
	Offset int64
	// Err is the cause: ErrTruncated, ErrSyntax, ErrTooLarge, ErrUnexpectedRoot or an I/O error.
	Err error
}

// Error describes where and why the stream broke.
func (e *StreamError) Error() string {
	return fmt.Sprintf("decode: at offset %d: %v", e.Offset, e.Err)
}

// Unwrap returns the cause.
func (e *StreamError) Unwrap() error { return e.Err }

// syntaxf builds an ErrSyntax cause with detail.
func syntaxf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrSyntax}, args...)...)
}
