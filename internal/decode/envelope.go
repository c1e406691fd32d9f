// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"io"
	"time"
)

// Warning is RESPONSE/WARNING of a Qualys list API. Code 1980 means the page was truncated and
// URL requests the next one (the same query with id_min set); no Warning means the last page.
type Warning struct {
	Code int
	Text string
	URL  string
}

// envelope walks the frame shared by Qualys XML responses: <ROOT><RESPONSE>, DATETIME and WARNING
// inside RESPONSE. With wrapper "" the records sit
// directly under the root, as in a QPS ServiceResponse. Unknown elements around the frame
// (REQUEST from echo_request=1, for example) are skipped.
type envelope struct {
	root     string
	wrapper  string
	state    uint8 // envBefore, envInRoot, envInWrapper, envDone
	datetime time.Time
	warning  *Warning
}

const (
	envBefore uint8 = iota
	envInRoot
	envInWrapper
	envDone
)

// next returns nil with the scanner positioned on the next start tag inside the wrapper that the
// envelope does not handle itself, io.EOF once the document ended cleanly, or the stream error.
func (e *envelope) next(s *scanner) error {
	for {
		switch s.next() {
		case tokErr:
			return s.err
		case tokEOF:
			e.state = envDone
			return io.EOF
		case tokEnd:
			switch {
			case s.rootDone:
				e.state = envDone
			case e.state == envInWrapper:
				e.state = envInRoot
			}
		case tokStart:
			if err := e.start(s); err != io.ErrNoProgress {
				return err
			}
		}
	}
}

// start handles a start tag for next; io.ErrNoProgress means "consumed, keep going".
func (e *envelope) start(s *scanner) error {
	switch e.state {
	case envBefore:
		if string(s.name) != e.root {
			s.fail(&rootError{got: string(s.name), want: e.root})
			return s.err
		}
		if !s.empty {
			e.state = envInRoot
		}
		return io.ErrNoProgress
	case envInRoot:
		if e.wrapper == "" {
			return nil
		}
		if string(s.name) == e.wrapper && !s.empty {
			e.state = envInWrapper
			return io.ErrNoProgress
		}
		s.skip()
		return io.ErrNoProgress
	}
	switch string(s.name) {
	case "DATETIME":
		e.datetime = s.time()
		s.lost = s.lost[:0] // a bad DATETIME reads as zero; it is no record's field
	case "WARNING":
		e.readWarning(s)
	default:
		return nil
	}
	return io.ErrNoProgress
}

func (e *envelope) readWarning(s *scanner) {
	w := &Warning{}
	e.warning = w
	if s.empty {
		return
	}
	for s.next() == tokStart {
		switch string(s.name) {
		case "CODE":
			w.Code = s.int()
		case "TEXT":
			w.Text = s.str()
		case "URL":
			w.URL = s.str()
		default:
			s.skip()
		}
	}
	s.lost = s.lost[:0]
}

// rootError reports a document with a different root element than expected.
type rootError struct{ got, want string }

func (e *rootError) Error() string {
	return ErrUnexpectedRoot.Error() + ": <" + clipString(e.got) + ">, want <" + e.want + ">"
}

func (e *rootError) Unwrap() error { return ErrUnexpectedRoot }

func clipString(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
