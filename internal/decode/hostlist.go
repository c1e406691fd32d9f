// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"bytes"
	"io"
	"time"
)

// IDRange is an inclusive range of host IDs from HOST_LIST_OUTPUT/RESPONSE/ID_SET; a single ID
// has Min == Max.
type IDRange struct {
	Min, Max int64
}

// HostList decodes Host List output (HOST_LIST_OUTPUT): full HOST records, or
// with details=None the ID_SET of bare IDs and ID ranges ("123-130"), which the receiver uses to
// cut the host ID space into ranges for parallel pulls. Entries come one at a time:
//
//	for {
//		kind, err := d.Next()
//		if err == io.EOF { break }
//		// *RecordError: skip and continue; other errors are sticky
//		switch kind {
//		case decode.KindHost:    // d.Host()
//		case decode.KindIDRange: // d.IDRange()
//		}
//	}
//	next := d.Warning() // nil on the last page
type HostList struct {
	// MaxElementBytes limits one tag or one element's text; a longer text makes its record a
	// *RecordError, a longer tag is a stream error. Default DefaultMaxElementBytes.
	MaxElementBytes int

	s       scanner
	env     envelope
	started bool
	list    uint8 // 0: outside, listHosts, listIDs
	err     error
	host    *Host
	ids     IDRange
}

const (
	listHosts uint8 = iota + 1
	listIDs
)

// NewHostList returns a decoder reading Host List XML from r.
func NewHostList(r io.Reader) *HostList {
	d := &HostList{}
	d.s.r = r
	d.env = envelope{root: "HOST_LIST_OUTPUT", wrapper: "RESPONSE"}
	return d
}

// Next advances to the next host or ID_SET entry. It returns io.EOF after the document ended
// cleanly; a *RecordError means that entry was skipped (decoding may go on); any other error is
// sticky.
func (d *HostList) Next() (Kind, error) {
	if d.err != nil {
		return KindNone, d.err
	}
	if !d.started {
		d.started = true
		d.s.init(d.s.r, d.MaxElementBytes)
	}
	k, err := d.advance()
	if err != nil && !isRecordError(err) {
		d.err = err
	}
	return k, err
}

// Host returns the host of the last KindHost; each is a new *Host, so it may be kept.
func (d *HostList) Host() *Host { return d.host }

// UnreadableFields lists the fields of the host of the last KindHost that could not be read and
// are absent from it (paths start at HOST); nil when none. Valid until the next call.
func (d *HostList) UnreadableFields() []FieldError { return d.s.unreadable() }

// IDRange returns the entry of the last KindIDRange.
func (d *HostList) IDRange() IDRange { return d.ids }

// Warning returns RESPONSE/WARNING (code 1980 and the next-page URL), or nil on the last page.
// It is valid after Next returned io.EOF.
func (d *HostList) Warning() *Warning { return d.env.warning }

// Datetime returns RESPONSE/DATETIME.
func (d *HostList) Datetime() time.Time { return d.env.datetime }

// InputOffset returns the input offset of the decoder, in bytes read from r.
func (d *HostList) InputOffset() int64 { return d.s.offset() }

func (d *HostList) advance() (Kind, error) {
	s := &d.s
	for {
		if d.list == 0 {
			if err := d.env.next(s); err != nil {
				return KindNone, err
			}
			switch string(s.name) {
			case "HOST_LIST":
				d.list = listHosts
			case "ID_SET":
				d.list = listIDs
			default:
				s.skip()
				continue
			}
			if s.empty {
				d.list = 0
			}
			continue
		}
		switch s.next() {
		case tokErr:
			return KindNone, s.err
		case tokEnd:
			d.list = 0
		case tokStart:
			switch name := string(s.name); {
			case d.list == listHosts && name == "HOST":
				return KindHost, d.readHost()
			case d.list == listIDs && (name == "ID" || name == "ID_RANGE"):
				return KindIDRange, d.readIDs()
			default:
				s.skip()
			}
		}
	}
}

func (d *HostList) readHost() error {
	s := &d.s
	h := &Host{}
	d.host = h
	off := s.tagOff
	s.beginRecord()
	if !s.empty {
		for s.next() == tokStart {
			if !s.hostField(h) {
				s.skip()
			}
		}
		if s.err != nil {
			return s.err
		}
	}
	return s.hostCheck(h, off)
}

// readIDs reads an ID ("123" or "123-130") or an ID_RANGE ("123-130").
func (d *HostList) readIDs() error {
	s := &d.s
	off := s.tagOff
	s.beginRecord()
	b := s.leafText()
	if s.err != nil {
		return s.err
	}
	r, ok := parseIDRange(b)
	if !ok && len(s.lost) == 0 {
		s.bad(ErrBadValue, b)
	}
	if len(s.lost) > 0 {
		fe := s.lost[0]
		return &RecordError{Offset: off, Err: &fe}
	}
	d.ids = r
	return nil
}

// parseIDRange parses "N" or "N-M" with 0 < N <= M.
func parseIDRange(b []byte) (IDRange, bool) {
	b = trimSpace(b)
	lo, hi := b, b
	if i := bytes.IndexByte(b, '-'); i > 0 {
		lo, hi = b[:i], b[i+1:]
	}
	l, ok1 := parseInt(lo)
	h, ok2 := parseInt(hi)
	if !ok1 || !ok2 || len(trimSpace(lo)) == 0 || len(trimSpace(hi)) == 0 || l <= 0 || h < l {
		return IDRange{}, false
	}
	return IDRange{Min: l, Max: h}, true
}

func isRecordError(err error) bool {
	_, ok := err.(*RecordError)
	return ok
}
