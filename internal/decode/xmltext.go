// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"bytes"
	"unicode/utf8"
)

// maxEntityLen is the longest reference decoded ("&#x0010FFFF;" with some leading zeros); a
// longer '&' run is kept literally.
const maxEntityLen = 16

// text returns the character data of the element whose start tag next just returned, up to and
// including its end tag, with CDATA sections and references decoded, comments and processing
// instructions dropped and child elements skipped. Layout does not count: plain text is trimmed
// of white space where it meets the element's tags, a CDATA section or a child element, so a
// CDATA section on its own indented line reads as its content, kept exactly. It keeps at most limit bytes (cut on a UTF-8
// boundary) and reports with truncated whether more was dropped; the rest is skipped while
// streaming, so an element of any size costs at most limit bytes of memory. The result is valid
// until the next scanner call. On a stream error it returns nil and s.err is set.
func (s *scanner) text(limit int) (b []byte, truncated bool) {
	if s.err != nil {
		return nil, false
	}
	if s.empty {
		s.empty, s.lastLeaf = false, true
		return nil, false
	}
	if !s.leaf {
		return s.textSlow(limit)
	}
	s.leaf, s.lastLeaf = false, true
	b = s.buf[s.leafStart:s.leafEnd]
	s.pos = s.leafNext
	if !s.leafCDATA {
		if bytes.IndexByte(b, '&') >= 0 {
			s.tbuf = unescape(s.tbuf[:0], b)
			b = s.tbuf
		}
		b = trimSpace(b)
	}
	return capText(b, limit)
}

func capText(b []byte, limit int) ([]byte, bool) {
	if len(b) <= limit {
		return b, false
	}
	return cutUTF8(b[:limit]), true
}

// cutUTF8 drops an incomplete UTF-8 sequence at the end of b.
func cutUTF8(b []byte) []byte {
	for k := 1; k <= utf8.UTFMax && k <= len(b); k++ {
		c := b[len(b)-k]
		if c < utf8.RuneSelf {
			return b
		}
		if utf8.RuneStart(c) {
			if !utf8.FullRune(b[len(b)-k:]) {
				return b[:len(b)-k]
			}
			return b
		}
	}
	return b
}

// textAcc accumulates decoded text up to a limit.
type textAcc struct {
	out       []byte
	limit     int
	truncated bool

	// Plain text is trimmed where it meets a boundary (the element's tags, a CDATA section, a
	// child element): inText says plain text other than white space came since the last
	// boundary, ws holds the white space after it until more text (kept) or a boundary (dropped).
	inText bool
	ws     []byte
}

// plain adds decoded plain text, trimmed at boundaries.
func (a *textAcc) plain(b []byte) {
	if !a.inText {
		b = trimLeft(b)
		if len(b) == 0 {
			return
		}
		a.inText = true
	}
	body := trimRight(b)
	if len(body) == 0 {
		a.holdSpace(b)
		return
	}
	a.add(a.ws)
	a.ws = a.ws[:0]
	a.add(body)
	a.holdSpace(b[len(body):])
}

func (a *textAcc) holdSpace(b []byte) {
	if room := a.limit + 1 - len(a.ws); len(b) > room { // more could only be cut off
		b = b[:max(room, 0)]
	}
	a.ws = append(a.ws, b...)
}

// boundary drops the white space held: what follows is a CDATA section or a child element.
func (a *textAcc) boundary() {
	a.ws = a.ws[:0]
	a.inText = false
}

func trimLeft(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	return b
}

func trimRight(b []byte) []byte {
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

func (a *textAcc) add(b []byte) {
	if a.truncated {
		return
	}
	if room := a.limit - len(a.out); len(b) > room {
		a.out = append(a.out, b[:room]...)
		a.truncated = true
		return
	}
	a.out = append(a.out, b...)
}

// addEscaped adds plain text with its references decoded, using scratch.
func (a *textAcc) addEscaped(b []byte, scratch *[]byte) {
	if a.truncated {
		return
	}
	if bytes.IndexByte(b, '&') >= 0 {
		*scratch = unescape((*scratch)[:0], b)
		b = *scratch
	}
	a.plain(b)
}

// textSlow is the general, streaming form of text.
func (s *scanner) textSlow(limit int) ([]byte, bool) {
	acc := textAcc{out: s.tbuf[:0], limit: limit, ws: s.wsbuf[:0]}
	defer func() { s.tbuf, s.wsbuf = acc.out[:0], acc.ws[:0] }()
	for {
		if s.pos >= s.end && !s.fill(s.end) {
			s.stop()
			return nil, false
		}
		rest := s.buf[s.pos:s.end]
		i := bytes.IndexByte(rest, '<')
		if i != 0 {
			run := rest
			if i > 0 {
				run = rest[:i]
			} else if k := bytes.LastIndexByte(run, '&'); k >= 0 && len(run)-k < maxEntityLen &&
				bytes.IndexByte(run[k:], ';') < 0 && !s.eof {
				run = run[:k] // a reference may continue in the next read
			}
			if len(run) == 0 {
				if !s.fill(s.pos) {
					s.stop()
					return nil, false
				}
				continue
			}
			acc.addEscaped(run, &s.abuf)
			s.pos += len(run)
			continue
		}
		if !s.avail(2) {
			s.stop()
			return nil, false
		}
		switch s.buf[s.pos+1] {
		case '/':
			if s.endTag() != tokEnd {
				return nil, false
			}
			out := acc.out
			if acc.truncated {
				out = cutUTF8(out)
			}
			return out, acc.truncated
		case '?':
			if !s.skipUntil(2, "?>") {
				s.stop()
				return nil, false
			}
		case '!':
			s.avail(9)
			if !bytes.HasPrefix(s.buf[s.pos:s.end], []byte("<![CDATA[")) {
				if !s.skipBang() {
					s.stop()
					return nil, false
				}
				continue
			}
			acc.boundary()
			if !s.cdata(&acc) {
				s.stop()
				return nil, false
			}
		default:
			// A child element inside a text field: keep the text around it, skip the child.
			acc.boundary()
			if s.startTag() != tokStart {
				return nil, false
			}
			s.skip()
			if s.err != nil {
				return nil, false
			}
		}
	}
}

// cdata streams the CDATA section at s.pos into acc.
func (s *scanner) cdata(acc *textAcc) bool {
	s.pos += 9
	for {
		b := s.buf[s.pos:s.end]
		if i := bytes.Index(b, []byte("]]>")); i >= 0 {
			acc.add(b[:i])
			s.pos += i + 3
			acc.boundary()
			return true
		}
		// Keep a possible "]]" prefix of the terminator for the next read.
		n := max(0, len(b)-2)
		acc.add(b[:n])
		s.pos += n
		if !s.fill(s.pos) {
			return false
		}
	}
}

// unescape appends b to dst with the predefined entities and numeric character references
// decoded. Anything else after '&' (custom entities included) is kept literally: no entity is
// ever expanded from a DTD.
func unescape(dst, b []byte) []byte {
	for {
		i := bytes.IndexByte(b, '&')
		if i < 0 {
			return append(dst, b...)
		}
		dst = append(dst, b[:i]...)
		b = b[i:]
		j := bytes.IndexByte(b[:min(len(b), maxEntityLen)], ';')
		if j < 0 {
			dst = append(dst, '&')
			b = b[1:]
			continue
		}
		if r, ok := entity(b[1:j]); ok {
			dst = utf8.AppendRune(dst, r)
			b = b[j+1:]
			continue
		}
		dst = append(dst, '&')
		b = b[1:]
	}
}

// entity decodes the name between '&' and ';'.
func entity(name []byte) (rune, bool) {
	switch string(name) {
	case "amp":
		return '&', true
	case "lt":
		return '<', true
	case "gt":
		return '>', true
	case "quot":
		return '"', true
	case "apos":
		return '\'', true
	}
	if len(name) < 2 || name[0] != '#' {
		return 0, false
	}
	base, digits := 10, name[1:]
	if digits[0] == 'x' {
		base, digits = 16, digits[1:]
	}
	if len(digits) == 0 {
		return 0, false
	}
	var v rune
	for _, c := range digits {
		var d rune
		switch {
		case c >= '0' && c <= '9':
			d = rune(c - '0')
		case base == 16 && c >= 'a' && c <= 'f':
			d = rune(c-'a') + 10
		case base == 16 && c >= 'A' && c <= 'F':
			d = rune(c-'A') + 10
		default:
			return 0, false
		}
		v = v*rune(base) + d
		if v > utf8.MaxRune {
			return utf8.RuneError, true
		}
	}
	if v == 0 || !utf8.ValidRune(v) {
		return utf8.RuneError, true
	}
	return v, true
}
