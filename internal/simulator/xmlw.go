// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"strings"
	"time"
)

// The XML helpers write one element per line with two spaces of indentation per level, the
// layout of the real samples. Text fields that Qualys wraps in CDATA (OS, DNS, RESULTS, TITLE,
// CVE ID, ...) go through cdata; numbers and dates are plain. With Options.PrettyXML the text of
// each element (plain or CDATA) goes on its own indented line too, as in Qualys's guide and
// other integrations' recorded answers.

const spaces = "                                        "

func indent(level int) string { return spaces[:2*level] }

// xmlProlog writes the declaration and DOCTYPE exactly as Qualys does (note the space before ?>).
func (o *out) xmlProlog(root, dtd string) {
	o.raw(`<?xml version="1.0" encoding="UTF-8" ?>` + "\n<!DOCTYPE " + root + ` SYSTEM "` + dtd + "\">\n")
}

// xmlTrailer writes the closing comment every VM/PC API report ends with.
func (o *out) xmlTrailer(now time.Time) {
	o.raw(`<!-- CONFIDENTIAL AND PROPRIETARY INFORMATION. Qualys provides the QualysGuard Service "As Is," without any warranty of any kind. Qualys makes no warranty that the information contained in this report is complete or error-free. Copyright `)
	o.intText(now.Year())
	o.raw(", Qualys, Inc. //-->\n")
}

func (o *out) open(level int, name string) {
	o.raw(indent(level))
	o.raw("<" + name + ">\n")
}

func (o *out) close(level int, name string) {
	o.raw(indent(level))
	o.raw("</" + name + ">\n")
}

func (o *out) startTag(level int, name string) { o.leafTag(level, "<"+name+">") }

// leafTag writes the start tag of an element whose text follows (tag may carry attributes). With
// the pretty option the text goes on a line of its own, one level deeper.
func (o *out) leafTag(level int, tag string) {
	o.raw(indent(level))
	o.raw(tag)
	if o.pretty {
		o.raw("\n" + indent(level+1))
		o.leafLevel = level
	}
}

// endTag closes the element leafTag opened, after its text.
func (o *out) endTag(name string) {
	if o.pretty {
		o.raw("\n" + indent(o.leafLevel))
	}
	o.raw("</" + name + ">\n")
}

// text writes <name>escaped value</name>.
func (o *out) text(level int, name, v string) {
	o.startTag(level, name)
	o.escaped(v)
	o.endTag(name)
}

// cdata writes <name><![CDATA[value]]></name>.
func (o *out) cdata(level int, name, v string) {
	o.startTag(level, name)
	o.cdataText(v)
	o.endTag(name)
}

func (o *out) cdataIf(level int, name, v string) {
	if v != "" {
		o.cdata(level, name, v)
	}
}

func (o *out) uintElem(level int, name string, v uint64) {
	o.startTag(level, name)
	o.uintText(v)
	o.endTag(name)
}

func (o *out) intElem(level int, name string, v int) {
	o.startTag(level, name)
	o.intText(v)
	o.endTag(name)
}

func (o *out) boolElem(level int, name string, v bool) {
	if v {
		o.text(level, name, "1")
	} else {
		o.text(level, name, "0")
	}
}

// date writes a timestamp element, or nothing for the zero time (the element is optional).
func (o *out) date(level int, name string, t time.Time) {
	if t.IsZero() {
		return
	}
	o.startTag(level, name)
	o.dateText(t)
	o.endTag(name)
}

// cdataText writes one CDATA section; a "]]>" inside the value is split across two sections,
// the only way XML allows it.
func (o *out) cdataText(v string) {
	o.raw("<![CDATA[")
	for {
		i := strings.Index(v, "]]>")
		if i < 0 {
			break
		}
		o.raw(v[:i+2])
		o.raw("]]><![CDATA[")
		v = v[i+2:]
	}
	o.raw(v)
	o.raw("]]>")
}

func (o *out) cdataBytes(v []byte) {
	o.raw("<![CDATA[")
	for {
		i := indexCDATAEnd(v)
		if i < 0 {
			break
		}
		o.rawBytes(v[:i+2])
		o.raw("]]><![CDATA[")
		v = v[i+2:]
	}
	o.rawBytes(v)
	o.raw("]]>")
}

func indexCDATAEnd(v []byte) int {
	for i := 0; i+2 < len(v); i++ {
		if v[i] == ']' && v[i+1] == ']' && v[i+2] == '>' {
			return i
		}
	}
	return -1
}

var xmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")

func (o *out) escaped(v string) {
	if strings.ContainsAny(v, `&<>"`) {
		_, _ = xmlEscaper.WriteString(o.bw, v)
		return
	}
	o.raw(v)
}
