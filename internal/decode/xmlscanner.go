// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

const (
	// DefaultMaxElementBytes is the default limit on one element's text or one tag, in bytes.
	DefaultMaxElementBytes = 1 << 20
	// DefaultMaxResultsBytes is the default number of bytes of a detection's RESULTS that is kept.
	DefaultMaxResultsBytes = 64 << 10

	initialBufSize = 64 << 10
	// maxDepth bounds element nesting; Qualys documents nest fewer than ten levels.
	maxDepth = 256
	// maxNameLen bounds an element name (Qualys names are under 40 bytes), so the stack of open
	// element names stays small whatever the input.
	maxNameLen = 1024
	// maxEmptyReads guards against a reader that returns (0, nil) forever; like bufio, the
	// scanner gives up with io.ErrNoProgress.
	maxEmptyReads = 100
)

type token uint8

const (
	tokErr   token = iota // s.err is set
	tokStart              // a start tag; name/attrs/empty describe it
	tokEnd                // the end tag of the innermost open element
	tokEOF                // the root element closed and the input ended cleanly
)

// scanner is a streaming XML tokenizer specialised for Qualys output. It reads through one
// reusable buffer that grows only up to the element limit, and hands out byte slices into that
// buffer which stay valid until the next scanner call. It never opens anything: DOCTYPE and other
// declarations are skipped, and only predefined and numeric character references are decoded.
//
// Character data between elements is discarded (Qualys has no mixed content); text() reads the
// content of a leaf element.
type scanner struct {
	r    io.Reader
	buf  []byte
	pos  int   // next unread byte
	end  int   // end of valid data
	base int64 // input offset of buf[0]
	eof  bool  // no more reads: r returned EOF or rerr is set
	rerr error // read error, reported once the buffered data is used up
	err  error // sticky

	limit   int // max buffer size: MaxElementBytes plus room for a tag around it
	maxText int // MaxElementBytes

	// The last start tag returned by next; valid until the next call.
	name   []byte
	attrs  []byte
	empty  bool // self-closing: already closed, not on the stack
	tagOff int64

	// A leaf element found whole in the buffer by open: not pushed yet, its text is
	// buf[leafStart:leafEnd] and the input continues at leafNext. Most Qualys elements are leaves,
	// so this saves the element stack round trip and a second scan.
	leaf                         bool
	leafCDATA                    bool
	leafStart, leafEnd, leafNext int
	lastLeaf                     bool // the element closed last was such a leaf (its name is s.name)

	// Open elements: names is the concatenation of their names, offs their start offsets.
	names            []byte
	offs             []int
	popStart, popEnd int  // the element text() closed last, still in names[popStart:popEnd]
	rootDone         bool // the root element closed

	tbuf     []byte              // text scratch
	wsbuf    []byte              // white space held by textSlow
	abuf     []byte              // attribute scratch
	strs     [internSlots]string // interned low-cardinality values
	lost     []FieldError        // fields of the current record that could not be read
	recDepth int                 // stack depth of the current record's element
}

func (s *scanner) init(r io.Reader, maxElement int) { s.initSize(r, maxElement, initialBufSize) }

// initSize is init with the first buffer's size; small documents start small.
func (s *scanner) initSize(r io.Reader, maxElement, size int) {
	if maxElement <= 0 {
		maxElement = DefaultMaxElementBytes
	}
	s.r = r
	s.maxText = maxElement
	s.limit = max(initialBufSize, maxElement+4096)
	s.buf = make([]byte, min(size, s.limit))
	s.names = make([]byte, 0, 256)
	s.offs = make([]int, 0, 16)
}

// initBytes scans b in place without reading; b is never written to.
func (s *scanner) initBytes(b []byte) {
	s.buf, s.end, s.eof = b, len(b), true
	s.limit, s.maxText = len(b), DefaultMaxElementBytes
}

// offset is the input offset of the next unread byte.
func (s *scanner) offset() int64 { return s.base + int64(s.pos) }

func (s *scanner) fail(err error) {
	if s.err == nil {
		s.err = &StreamError{Offset: s.offset(), Err: err}
	}
}

// fill reads more input, keeping s.buf[keep:s.end] (keep <= s.pos) and discarding what precedes
// it, so slices of buf and positions other than s.pos are invalid afterwards. The buffer grows
// only when the kept bytes fill it, up to s.limit (then ErrTooLarge). It reports whether new
// bytes arrived; on false the caller turns the end of input into a token with stop.
func (s *scanner) fill(keep int) bool {
	if s.eof || s.err != nil {
		return false
	}
	if keep > 0 {
		n := copy(s.buf, s.buf[keep:s.end])
		s.base += int64(keep)
		s.pos -= keep
		s.end = n
	}
	if s.end == len(s.buf) {
		if len(s.buf) >= s.limit {
			s.fail(ErrTooLarge)
			return false
		}
		nb := make([]byte, min(2*len(s.buf), s.limit))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for range maxEmptyReads {
		n, err := s.r.Read(s.buf[s.end:])
		if n < 0 || n > len(s.buf)-s.end {
			s.fail(errors.New("reader returned an invalid count"))
			return false
		}
		s.end += n
		if err != nil {
			s.eof = true
			if err != io.EOF {
				s.rerr = err
			}
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
	s.eof, s.rerr = true, io.ErrNoProgress
	return false
}

// avail makes at least n bytes available from s.pos, reading as needed.
func (s *scanner) avail(n int) bool {
	for s.end-s.pos < n {
		if !s.fill(s.pos) {
			return false
		}
	}
	return true
}

// stop turns the end of input into the right token: tokEOF only after the root element closed
// and all input was read without error.
func (s *scanner) stop() token {
	switch {
	case s.err != nil:
	case errors.Is(s.rerr, io.ErrUnexpectedEOF):
		s.fail(fmt.Errorf("%w: %w", ErrTruncated, s.rerr)) // a cut gzip stream, for example
	case s.rerr != nil:
		s.fail(s.rerr)
	case !s.rootDone:
		s.fail(ErrTruncated)
	default:
		return tokEOF
	}
	return tokErr
}

// next returns the next start or end tag, skipping character data, comments, processing
// instructions, CDATA sections and declarations between them.
func (s *scanner) next() token {
	if s.err != nil {
		return tokErr
	}
	s.empty = false
	if s.leaf {
		// The caller descends into a leaf: open it for real; its text is skipped below.
		s.leaf = false
		s.push(s.name)
	}
	for {
		i := indexLT(s.buf[s.pos:s.end])
		if i < 0 {
			s.pos = s.end
			if !s.fill(s.end) {
				return s.stop()
			}
			continue
		}
		s.pos += i
		if b := s.buf[s.pos:s.end]; len(b) >= 2 && b[1] != '/' && b[1] != '!' && b[1] != '?' {
			// The common case inline: a plain start tag "<NAME>" inside the root.
			n := nameLen(b, 1)
			if n < len(b) && b[n] == '>' && n > 1 && n <= maxNameLen && len(s.offs) > 0 && len(s.offs) < maxDepth {
				s.tagOff = s.base + int64(s.pos)
				s.name, s.attrs = b[1:n], nil
				s.pos += n + 1
				if !s.findLeaf() {
					s.push(s.name)
				}
				return tokStart
			}
			return s.startTag()
		}
		if !s.avail(2) {
			return s.stop()
		}
		switch s.buf[s.pos+1] {
		case '/':
			return s.endTag()
		case '!':
			if !s.skipBang() {
				return s.stop()
			}
		case '?':
			if !s.skipUntil(2, "?>") {
				return s.stop()
			}
		default:
			return s.startTag()
		}
	}
}

// startTag parses the tag at s.pos ("<name ...>").
func (s *scanner) startTag() token {
	for {
		b := s.buf[s.pos:s.end]
		n := nameLen(b, 1)
		if n > maxNameLen {
			s.fail(syntaxf("element name longer than %d bytes", maxNameLen))
			return tokErr
		}
		if n < len(b) && b[n] == '>' && n > 1 {
			return s.open(b[1:n], nil, false, n+1)
		}
		if n < len(b) {
			if n == 1 || (b[n] != '/' && !isSpace(b[n])) {
				s.fail(syntaxf("invalid start tag"))
				return tokErr
			}
			if j := tagEnd(b, n); j >= 0 {
				empty := b[j-1] == '/'
				attrs := b[n:j]
				if empty {
					attrs = b[n : j-1]
				}
				return s.open(b[1:n], attrs, empty, j+1)
			} else if j == -2 {
				s.fail(syntaxf("invalid start tag"))
				return tokErr
			}
		}
		if !s.fill(s.pos) {
			return s.stop()
		}
	}
}

// tagEnd finds the '>' closing a start tag whose name ends at b[n], skipping quoted attribute
// values. It returns -1 when more input is needed and -2 on a stray '<'.
func tagEnd(b []byte, n int) int {
	for i := n; ; {
		j := bytes.IndexByte(b[i:], '>')
		if j < 0 {
			j = len(b) - i
		}
		// The next quote, if it comes before that '>', opens a value that may hide one.
		k := i
		for k < i+j && b[k] != '"' && b[k] != '\'' && b[k] != '<' {
			k++
		}
		switch {
		case k == i+j:
			if k == len(b) {
				return -1
			}
			return k
		case b[k] == '<':
			return -2
		}
		e := bytes.IndexByte(b[k+1:], b[k])
		if e < 0 {
			return -1
		}
		i = k + 1 + e + 1
	}
}

func (s *scanner) open(name, attrs []byte, empty bool, size int) token {
	if s.rootDone {
		s.fail(syntaxf("element after the root element"))
		return tokErr
	}
	if len(s.offs) >= maxDepth {
		s.fail(syntaxf("elements nested deeper than %d", maxDepth))
		return tokErr
	}
	s.tagOff = s.offset()
	s.name, s.attrs, s.empty = name, attrs, empty
	s.pos += size
	if empty {
		s.rootDone = len(s.offs) == 0
		return tokStart
	}
	if len(s.offs) > 0 && s.findLeaf() {
		return tokStart
	}
	s.push(name)
	return tokStart
}

func (s *scanner) push(name []byte) {
	s.offs = append(s.offs, len(s.names))
	s.names = append(s.names, name...)
}

// findLeaf checks whether the element just opened is a leaf already whole in the buffer, in one
// of the two shapes Qualys writes: "text</NAME>" or "<![CDATA[text]]></NAME>".
func (s *scanner) findLeaf() bool {
	b := s.buf[s.pos:s.end]
	i := indexLT(b)
	if i < 0 || i+2+len(s.name) >= len(b) {
		return false
	}
	start, end, cdata := i, i, false
	if b[i+1] != '/' {
		if i != 0 || !bytes.HasPrefix(b, []byte("<![CDATA[")) {
			return false
		}
		j := bytes.Index(b[9:], []byte("]]>"))
		if j < 0 {
			return false
		}
		start, end, cdata = 9, 9+j, true
		i = end + 3
		if i+2+len(s.name) >= len(b) || b[i] != '<' || b[i+1] != '/' {
			return false
		}
	} else {
		start = 0
	}
	k := i + 2 + len(s.name)
	if b[k] != '>' || !sameName(b[i+2:k], s.name) {
		return false
	}
	s.leaf, s.leafCDATA = true, cdata
	s.leafStart, s.leafEnd, s.leafNext = s.pos+start, s.pos+end, s.pos+k+1
	return true
}

// attrLeaf reads the next element if it is written exactly as open + `value">text` + closeTag or
// open + `value"><![CDATA[text]]>` + closeTag, whole in the buffer, where open is `<NAME key="`
// and closeTag `</NAME>`: one attribute, text without references, nothing else. Only character
// data may come before it. It returns the raw attribute value and the text, as next and text
// would (the element is closed as a leaf), or ok false having consumed nothing: the caller then
// goes through next, which handles every other shape.
func (s *scanner) attrLeaf(open, closeTag string) (val, text []byte, ok bool) {
	if s.leaf || s.empty || s.err != nil || len(s.offs) == 0 || len(s.offs) >= maxDepth {
		return nil, nil, false
	}
	b := s.buf[s.pos:s.end]
	i := indexLT(b)
	if i < 0 {
		return nil, nil, false
	}
	b = b[i:]
	if len(b) < len(open) || string(b[:len(open)]) != open {
		return nil, nil, false
	}
	rest := b[len(open):]
	q := bytes.IndexByte(rest, '"')
	if q < 0 || q+1 >= len(rest) || rest[q+1] != '>' {
		return nil, nil, false
	}
	val = rest[:q]
	if bytes.IndexByte(val, '&') >= 0 {
		return nil, nil, false
	}
	nameLen := len(closeTag) - len("</>")
	name, attrs := b[1:1+nameLen], b[1+nameLen:len(open)+q+1] // as startTag would leave them
	rest = rest[q+2:]
	if len(rest) >= 9 && string(rest[:9]) == "<![CDATA[" {
		j := bytes.Index(rest[9:], []byte("]]>"))
		if j < 0 {
			return nil, nil, false
		}
		text, rest = rest[9:9+j], rest[9+j+3:]
	} else {
		j := indexLT(rest)
		if j < 0 || bytes.IndexByte(rest[:j], '&') >= 0 {
			return nil, nil, false
		}
		text, rest = trimSpace(rest[:j]), rest[j:]
	}
	if len(text) > s.maxText || len(rest) < len(closeTag) || string(rest[:len(closeTag)]) != closeTag {
		return nil, nil, false
	}
	s.tagOff = s.base + int64(s.pos+i)
	s.name, s.attrs = name, attrs
	s.lastLeaf = true
	s.pos = s.end - len(rest) + len(closeTag)
	return val, text, true
}

// top is the name of the innermost open element.
func (s *scanner) top() []byte { return s.names[s.offs[len(s.offs)-1]:] }

func (s *scanner) pop() {
	n := len(s.offs) - 1
	s.popStart, s.popEnd = s.offs[n], len(s.names)
	s.names = s.names[:s.offs[n]]
	s.offs = s.offs[:n]
	if n == 0 {
		s.rootDone = true
	}
	s.lastLeaf = false
}

// lastName is the name of the element closed last; valid until the next start tag.
func (s *scanner) lastName() string {
	if s.lastLeaf {
		return string(s.name)
	}
	if s.popEnd > cap(s.names) {
		return ""
	}
	return string(s.names[s.popStart:s.popEnd])
}

// endTag parses the tag at s.pos ("</name>") and checks that it closes the innermost element.
func (s *scanner) endTag() token {
	for {
		b := s.buf[s.pos:s.end]
		n := nameLen(b, 2)
		if n > maxNameLen+1 {
			s.fail(syntaxf("element name longer than %d bytes", maxNameLen))
			return tokErr
		}
		k := n
		for k < len(b) && isSpace(b[k]) {
			k++
		}
		if k < len(b) {
			if b[k] != '>' {
				s.fail(syntaxf("invalid end tag"))
				return tokErr
			}
			if len(s.offs) == 0 {
				s.fail(syntaxf("end tag </%s> without a start tag", clip(b[2:n])))
				return tokErr
			}
			if !bytes.Equal(b[2:n], s.top()) {
				s.fail(syntaxf("end tag </%s> does not match <%s>", clip(b[2:n]), clip(s.top())))
				return tokErr
			}
			s.pos += k + 1
			s.pop()
			return tokEnd
		}
		if !s.fill(s.pos) {
			return s.stop()
		}
	}
}

// skipBang skips a comment, CDATA section or declaration (DOCTYPE) starting at s.pos ("<!").
func (s *scanner) skipBang() bool {
	s.avail(9)
	b := s.buf[s.pos:s.end]
	switch {
	case bytes.HasPrefix(b, []byte("<!--")):
		return s.skipUntil(4, "-->")
	case bytes.HasPrefix(b, []byte("<![CDATA[")):
		return s.skipUntil(9, "]]>")
	}
	return s.skipDecl()
}

// skipUntil skips from s.pos+from past the next sep, streaming without growing the buffer.
func (s *scanner) skipUntil(from int, sep string) bool {
	s.pos += from
	if s.pos > s.end {
		s.pos = s.end
	}
	for {
		if i := bytes.Index(s.buf[s.pos:s.end], []byte(sep)); i >= 0 {
			s.pos += i + len(sep)
			return true
		}
		s.pos = max(s.pos, s.end-(len(sep)-1))
		if !s.fill(s.pos) {
			return false
		}
	}
}

// skipDecl skips a markup declaration such as <!DOCTYPE ... [ internal subset ]>, honouring
// quotes and brackets. Nothing it names is fetched or interpreted.
func (s *scanner) skipDecl() bool {
	s.pos += 2
	var quote byte
	depth := 0
	for {
		b := s.buf[s.pos:s.end]
		for i, c := range b {
			switch {
			case quote != 0:
				if c == quote {
					quote = 0
				}
			case c == '"' || c == '\'':
				quote = c
			case c == '[':
				depth++
			case c == ']':
				if depth > 0 {
					depth--
				}
			case c == '>' && depth == 0:
				s.pos += i + 1
				return true
			}
		}
		s.pos = s.end
		if !s.fill(s.end) {
			return false
		}
	}
}

// skip skips the rest of the element whose start tag next just returned.
func (s *scanner) skip() {
	if s.empty {
		s.empty = false
		return
	}
	if s.leaf {
		s.leaf = false
		s.pos = s.leafNext
		return
	}
	s.skipRest()
}

// skipRest skips the rest of the innermost open element, its end tag included.
func (s *scanner) skipRest() {
	d := len(s.offs)
	for len(s.offs) >= d {
		if t := s.next(); t == tokErr || t == tokEOF {
			return
		}
	}
}

// attr returns the value of the named attribute of the last start tag, with references decoded.
// It is valid until the next scanner call; malformed attribute syntax reads as absent.
func (s *scanner) attr(key string) ([]byte, bool) {
	a := s.attrs
	for {
		i := 0
		for i < len(a) && isSpace(a[i]) {
			i++
		}
		a = a[i:]
		n := 0
		for n < len(a) && !nameEnd[a[n]] {
			n++
		}
		if n == 0 {
			return nil, false
		}
		name := a[:n]
		a = a[n:]
		for len(a) > 0 && isSpace(a[0]) {
			a = a[1:]
		}
		if len(a) == 0 || a[0] != '=' {
			return nil, false
		}
		a = a[1:]
		for len(a) > 0 && isSpace(a[0]) {
			a = a[1:]
		}
		if len(a) == 0 || (a[0] != '"' && a[0] != '\'') {
			return nil, false
		}
		q := bytes.IndexByte(a[1:], a[0])
		if q < 0 {
			return nil, false
		}
		val := a[1 : 1+q]
		a = a[2+q:]
		if string(name) == key {
			if bytes.IndexByte(val, '&') >= 0 {
				s.abuf = unescape(s.abuf[:0], val)
				val = s.abuf
			}
			return val, true
		}
	}
}
