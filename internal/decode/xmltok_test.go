// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A small XML tokenizer for tests: it splits a document into its markup and text as written, so
// a test can rewrite the layout (prettyXML) or one leaf's text (xmlLeaves) and leave every other
// byte alone. encoding/xml cannot: it does not tell a CDATA section from text.

type xmlTokKind uint8

const (
	xtText  xmlTokKind = iota
	xtStart            // <NAME ...>
	xtEmpty            // <NAME .../>
	xtEnd              // </NAME>
	xtCDATA            // <![CDATA[...]]>
	xtOther            // prolog, DOCTYPE, comment, processing instruction
)

type xmlTok struct {
	kind       xmlTokKind
	name       string
	start, end int // raw bytes doc[start:end]
}

// tokenizeXML splits doc; it fails on markup that never ends.
func tokenizeXML(t testing.TB, doc []byte) []xmlTok {
	t.Helper()
	var toks []xmlTok
	for i := 0; i < len(doc); {
		if doc[i] != '<' {
			j := bytes.IndexByte(doc[i:], '<')
			if j < 0 {
				j = len(doc) - i
			}
			toks = append(toks, xmlTok{kind: xtText, start: i, end: i + j})
			i += j
			continue
		}
		rest := doc[i:]
		kind, closer := xtOther, ">"
		switch {
		case bytes.HasPrefix(rest, []byte("<![CDATA[")):
			kind, closer = xtCDATA, "]]>"
		case bytes.HasPrefix(rest, []byte("<!--")):
			closer = "-->"
		case bytes.HasPrefix(rest, []byte("<?")):
			closer = "?>"
		case bytes.HasPrefix(rest, []byte("<!")):
		case bytes.HasPrefix(rest, []byte("</")):
			kind = xtEnd
		default:
			kind = xtStart
		}
		j := tagClose(rest, closer)
		require.GreaterOrEqual(t, j, 0, "unterminated markup at offset %d", i)
		tok := xmlTok{kind: kind, start: i, end: i + j}
		if kind == xtStart || kind == xtEnd {
			name := bytes.TrimLeft(rest[:j], "</")
			if k := bytes.IndexAny(name, " \t\r\n/>"); k >= 0 {
				name = name[:k]
			}
			tok.name = string(name)
			if kind == xtStart && bytes.HasSuffix(rest[:j], []byte("/>")) {
				tok.kind = xtEmpty
			}
		}
		toks = append(toks, tok)
		i += j
	}
	return toks
}

// tagClose finds the end of the markup at b[0] (past closer), skipping quoted attribute values
// in tags; -1 when it never ends.
func tagClose(b []byte, closer string) int {
	if closer != ">" {
		k := bytes.Index(b, []byte(closer))
		if k < 0 {
			return -1
		}
		return k + len(closer)
	}
	var quote byte
	depth := 0 // DOCTYPE internal subset
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
			depth--
		case c == '>' && depth <= 0:
			return i + 1
		}
	}
	return -1
}

// prettyXML rewrites doc the way Qualys's guide and other integrations' recordings lay answers
// out: every element, CDATA section and text on its own line, indented two spaces per level.
// White space already between markup is replaced; the text of an element loses its surrounding
// white space (the decoders trim plain text), CDATA content is untouched. Text with comments in
// it stays one line, comments included.
func prettyXML(t testing.TB, doc []byte) []byte {
	t.Helper()
	var out, text bytes.Buffer
	depth := 0
	line := func(b []byte) {
		if out.Len() > 0 {
			out.WriteByte('\n')
		}
		out.WriteString(strings.Repeat("  ", depth))
		out.Write(b)
	}
	flush := func() {
		if b := bytes.TrimSpace(text.Bytes()); len(b) > 0 {
			line(b)
		}
		text.Reset()
	}
	for _, tok := range tokenizeXML(t, doc) {
		raw := doc[tok.start:tok.end]
		switch tok.kind {
		case xtText, xtOther:
			if depth > 0 {
				text.Write(raw)
				continue
			}
			flush()
			if tok.kind == xtOther {
				line(raw)
			}
		case xtStart:
			flush()
			line(raw)
			depth++
		case xtEnd:
			flush()
			depth--
			line(raw)
		default:
			flush()
			line(raw)
		}
	}
	flush()
	out.WriteByte('\n')
	return out.Bytes()
}

// xmlLeaf is an element without child elements: doc[from:to] is its content (text, CDATA,
// comments), path its element path from the root.
type xmlLeaf struct {
	path     string
	from, to int
}

// xmlLeaves lists the leaves of doc that have content markup (self-closing ones have none).
func xmlLeaves(t testing.TB, doc []byte) []xmlLeaf {
	t.Helper()
	var leaves []xmlLeaf
	var stack []string
	var openEnd int // where the content of the innermost open element starts
	hasChild := []bool{false}
	for _, tok := range tokenizeXML(t, doc) {
		switch tok.kind {
		case xtStart:
			hasChild[len(hasChild)-1] = true
			stack = append(stack, tok.name)
			hasChild = append(hasChild, false)
			openEnd = tok.end
		case xtEmpty:
			hasChild[len(hasChild)-1] = true
		case xtEnd:
			if !hasChild[len(hasChild)-1] {
				leaves = append(leaves, xmlLeaf{path: strings.Join(stack, "/"), from: openEnd, to: tok.start})
			}
			stack = stack[:len(stack)-1]
			hasChild = hasChild[:len(hasChild)-1]
		}
	}
	return leaves
}

// withLeafText returns doc with the content of leaf replaced by text.
func withLeafText(doc []byte, leaf xmlLeaf, text string) []byte {
	out := make([]byte, 0, len(doc)+len(text))
	out = append(out, doc[:leaf.from]...)
	out = append(out, text...)
	return append(out, doc[leaf.to:]...)
}

func TestPrettyXML(t *testing.T) {
	doc := []byte(`<?xml version="1.0"?><!DOCTYPE R SYSTEM "x.dtd"><R><A x="1>2">t &amp; u</A><B/><C><![CDATA[ c ]]></C></R>`)
	assert.Equal(t, `<?xml version="1.0"?>
<!DOCTYPE R SYSTEM "x.dtd">
<R>
  <A x="1>2">
    t &amp; u
  </A>
  <B/>
  <C>
    <![CDATA[ c ]]>
  </C>
</R>
`, string(prettyXML(t, doc)))
	leaves := xmlLeaves(t, doc)
	require.Len(t, leaves, 2)
	assert.Equal(t, "R/A", leaves[0].path)
	assert.Equal(t, "t &amp; u", string(doc[leaves[0].from:leaves[0].to]))
	assert.Equal(t, "R/C", leaves[1].path)
	assert.Equal(t, `<R><A x="1>2">x!</A><B/><C><![CDATA[ c ]]></C></R>`,
		string(withLeafText(doc, leaves[0], "x!"))[len(`<?xml version="1.0"?><!DOCTYPE R SYSTEM "x.dtd">`):])
}
