// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"io"
	"time"
)

// DefaultMaxEvidenceBytes is the default number of bytes of posture evidence that is kept.
const DefaultMaxEvidenceBytes = 64 << 10

// maxFlatPath bounds the element path flatten writes before each evidence value.
const maxFlatPath = 256

// PostureInfo is POSTURE_INFO_LIST_OUTPUT/RESPONSE/INFO_LIST/INFO, one classic posture record.
//
// Assumptions (no sample under a usable licence exists, so element names
// other than ID, HOST_ID, CONTROL_ID, TECHNOLOGY_ID, INSTANCE and STATUS are UNVERIFIED): the
// other children are named after the posture_data_info_record fields (PREVIOUS_STATUS,
// FIRST/LAST_FAIL_DATE, FIRST/LAST_PASS_DATE, POSTURE_MODIFIED_DATE, LAST_EVALUATED_DATE) and
// the PCRS posture record (POLICY_ID, CRITICALITY{LABEL,VALUE}, EVIDENCE,
// CAUSE_OF_FAILURE). Unknown children are skipped, so a differently named field reads as zero
// rather than failing the page.
type PostureInfo struct {
	ID             int64
	HostID         int64
	ControlID      int64
	PolicyID       int64 // 0 when INFO does not carry it (the request's policy_id applies)
	TechnologyID   int64
	Instance       string
	Status         string // Passed, Failed or Error
	PreviousStatus string

	FirstFailDate       time.Time
	LastFailDate        time.Time
	FirstPassDate       time.Time
	LastPassDate        time.Time
	PostureModifiedDate time.Time
	LastEvaluatedDate   time.Time

	Criticality Criticality
	// Evidence and CauseOfFailure flatten the EVIDENCE and CAUSE_OF_FAILURE subtrees into lines
	// "PATH: text" (PATH is the element path below them), at most MaxEvidenceBytes each.
	Evidence          string
	CauseOfFailure    string
	EvidenceTruncated bool
}

// Criticality is a control criticality: a label (e.g. SERIOUS, URGENT) and its numeric value.
type Criticality struct {
	Label string
	Value int
}

// GlossaryHost is GLOSSARY/HOST_LIST/HOST: the host fields posture records refer to by HOST_ID.
type GlossaryHost struct {
	ID             int64
	IP             string
	DNS            string
	NetBIOS        string
	OS             string
	TrackingMethod string
}

// Control is GLOSSARY/CONTROL_LIST/CONTROL.
type Control struct {
	ID          int64
	Statement   string
	Criticality Criticality
}

// Technology is GLOSSARY/TECHNOLOGY_LIST/TECHNOLOGY.
type Technology struct {
	ID   int64
	Name string
}

// Policy is a POLICY element of the posture output (under RESPONSE, GLOSSARY or a POLICY_LIST).
type Policy struct {
	ID    int64
	Title string
}

// PostureInfoList decodes classic posture info output one record at a time. INFO records carry
// IDs only; the glossary entries they refer to (hosts, controls, technologies, policies) come as
// records of their own kinds. Qualys writes the GLOSSARY after INFO_LIST, so a caller that needs
// the host or control of a posture must either buffer the page's postures until the glossary has
// been read (io.EOF) or resolve the IDs from a cache filled by earlier pages; the decoder itself
// keeps nothing, so its memory stays bounded by one record.
type PostureInfoList struct {
	// MaxElementBytes limits one tag or one element's text; a longer text makes its record a
	// *RecordError, a longer tag is a stream error. Default DefaultMaxElementBytes.
	MaxElementBytes int
	// MaxEvidenceBytes is how much flattened EVIDENCE and CAUSE_OF_FAILURE is kept per record.
	// Default DefaultMaxEvidenceBytes; negative drops both.
	MaxEvidenceBytes int

	s       scanner
	env     envelope
	started bool
	lists   []string // open list elements below RESPONSE (INFO_LIST, GLOSSARY, HOST_LIST...)
	err     error

	info PostureInfo
	host GlossaryHost
	ctl  Control
	tech Technology
	pol  Policy
}

// NewPostureInfoList returns a decoder reading classic posture info XML from r.
func NewPostureInfoList(r io.Reader) *PostureInfoList {
	d := &PostureInfoList{}
	d.s.r = r
	d.env = envelope{root: "POSTURE_INFO_LIST_OUTPUT", wrapper: "RESPONSE"}
	return d
}

// Next advances to the next record. It returns io.EOF after the document ended cleanly; a
// *RecordError means one record was skipped (decoding may go on); any other error is sticky.
func (d *PostureInfoList) Next() (Kind, error) {
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

// Info returns the record of the last KindPosture. The records returned by Info, GlossaryHost,
// Control, Technology and Policy are overwritten by the next record of the same kind; copy the
// struct to keep it.
func (d *PostureInfoList) Info() *PostureInfo { return &d.info }

// GlossaryHost returns the record of the last KindGlossaryHost.
func (d *PostureInfoList) GlossaryHost() *GlossaryHost { return &d.host }

// Control returns the record of the last KindControl.
func (d *PostureInfoList) Control() *Control { return &d.ctl }

// Technology returns the record of the last KindTechnology.
func (d *PostureInfoList) Technology() *Technology { return &d.tech }

// Policy returns the record of the last KindPolicy.
func (d *PostureInfoList) Policy() *Policy { return &d.pol }

// Warning returns RESPONSE/WARNING (code 1980 and the next-page URL with id_min), or nil on the
// last page; valid after Next returned io.EOF.
func (d *PostureInfoList) Warning() *Warning { return d.env.warning }

// Datetime returns RESPONSE/DATETIME.
func (d *PostureInfoList) Datetime() time.Time { return d.env.datetime }

// UnreadableFields lists the fields of the record of the last Next that could not be read and
// are absent from it (paths start at its element: INFO, HOST, CONTROL...); nil when none. Valid
// until the next call.
func (d *PostureInfoList) UnreadableFields() []FieldError { return d.s.unreadable() }

// InputOffset returns the input offset of the decoder, in bytes read from r.
func (d *PostureInfoList) InputOffset() int64 { return d.s.offset() }

func (d *PostureInfoList) advance() (Kind, error) {
	s := &d.s
	for {
		if len(d.lists) == 0 {
			if err := d.env.next(s); err != nil {
				return KindNone, err
			}
		} else {
			switch s.next() {
			case tokErr:
				return KindNone, s.err
			case tokEnd:
				d.lists = d.lists[:len(d.lists)-1]
				continue
			}
		}
		switch name := string(s.name); name {
		case "INFO_LIST", "GLOSSARY", "HOST_LIST", "CONTROL_LIST", "TECHNOLOGY_LIST", "POLICY_LIST":
			if !s.empty && len(d.lists) < 4 {
				d.lists = append(d.lists, name)
			} else {
				s.skip()
			}
		case "INFO":
			return KindPosture, d.readInfo()
		case "HOST":
			if d.inList("HOST_LIST") {
				return KindGlossaryHost, d.readHost()
			}
			s.skip()
		case "CONTROL":
			return KindControl, d.readControl()
		case "TECHNOLOGY":
			return KindTechnology, d.readTechnology()
		case "POLICY":
			return KindPolicy, d.readPolicy()
		default:
			s.skip()
		}
	}
}

func (d *PostureInfoList) inList(name string) bool {
	return len(d.lists) > 0 && d.lists[len(d.lists)-1] == name
}

// record reads the children of the element just opened with field and reports a record error
// for a field problem or a missing ID.
func (d *PostureInfoList) record(id *int64, field func()) error {
	s := &d.s
	off := s.tagOff
	s.beginRecord()
	if !s.empty {
		for s.next() == tokStart {
			field()
		}
		if s.err != nil {
			return s.err
		}
	}
	if *id <= 0 {
		return s.missingID(off, "ID")
	}
	return nil
}

func (d *PostureInfoList) readInfo() error {
	s := &d.s
	p := &d.info
	*p = PostureInfo{}
	return d.record(&p.ID, func() {
		switch string(s.name) {
		case "ID":
			p.ID = s.int64()
		case "HOST_ID":
			p.HostID = s.int64()
		case "CONTROL_ID":
			p.ControlID = s.int64()
		case "POLICY_ID":
			p.PolicyID = s.int64()
		case "TECHNOLOGY_ID":
			p.TechnologyID = s.int64()
		case "INSTANCE":
			p.Instance = s.intern()
		case "STATUS":
			p.Status = s.intern()
		case "PREVIOUS_STATUS":
			p.PreviousStatus = s.intern()
		case "FIRST_FAIL_DATE":
			p.FirstFailDate = s.time()
		case "LAST_FAIL_DATE":
			p.LastFailDate = s.time()
		case "FIRST_PASS_DATE":
			p.FirstPassDate = s.time()
		case "LAST_PASS_DATE":
			p.LastPassDate = s.time()
		case "POSTURE_MODIFIED_DATE":
			p.PostureModifiedDate = s.time()
		case "LAST_EVALUATED_DATE":
			p.LastEvaluatedDate = s.time()
		case "CRITICALITY":
			s.criticality(&p.Criticality)
		case "EVIDENCE":
			var t bool
			p.Evidence, t = d.flat()
			p.EvidenceTruncated = p.EvidenceTruncated || t
		case "CAUSE_OF_FAILURE":
			var t bool
			p.CauseOfFailure, t = d.flat()
			p.EvidenceTruncated = p.EvidenceTruncated || t
		default:
			s.skip()
		}
	})
}

func (d *PostureInfoList) readHost() error {
	s := &d.s
	h := &d.host
	*h = GlossaryHost{}
	return d.record(&h.ID, func() {
		switch string(s.name) {
		case "ID":
			h.ID = s.int64()
		case "IP":
			h.IP = s.str()
		case "DNS":
			h.DNS = s.str()
		case "NETBIOS":
			h.NetBIOS = s.str()
		case "OS":
			h.OS = s.intern()
		case "TRACKING_METHOD":
			h.TrackingMethod = s.intern()
		default:
			s.skip()
		}
	})
}

func (d *PostureInfoList) readControl() error {
	s := &d.s
	c := &d.ctl
	*c = Control{}
	return d.record(&c.ID, func() {
		switch string(s.name) {
		case "ID":
			c.ID = s.int64()
		case "STATEMENT":
			c.Statement = s.str()
		case "CRITICALITY":
			s.criticality(&c.Criticality)
		default:
			s.skip()
		}
	})
}

func (d *PostureInfoList) readTechnology() error {
	s := &d.s
	t := &d.tech
	*t = Technology{}
	return d.record(&t.ID, func() {
		switch string(s.name) {
		case "ID":
			t.ID = s.int64()
		case "NAME":
			t.Name = s.intern()
		default:
			s.skip()
		}
	})
}

func (d *PostureInfoList) readPolicy() error {
	s := &d.s
	p := &d.pol
	*p = Policy{}
	return d.record(&p.ID, func() {
		switch string(s.name) {
		case "ID":
			p.ID = s.int64()
		case "TITLE":
			p.Title = s.str()
		default:
			s.skip()
		}
	})
}

func (s *scanner) criticality(c *Criticality) {
	if s.empty {
		return
	}
	for s.next() == tokStart {
		switch string(s.name) {
		case "LABEL":
			c.Label = s.intern()
		case "VALUE":
			c.Value = s.int()
		default:
			s.skip()
		}
	}
}

// flat flattens the element just opened into "PATH: text" lines, keeping at most
// MaxEvidenceBytes.
func (d *PostureInfoList) flat() (string, bool) {
	limit := d.MaxEvidenceBytes
	switch {
	case limit == 0:
		limit = DefaultMaxEvidenceBytes
	case limit < 0:
		d.s.skip()
		return "", false
	}
	acc := textAcc{limit: limit}
	d.s.flatten(&acc, nil)
	out := acc.out
	if acc.truncated {
		out = cutUTF8(out)
	}
	return toString(out), acc.truncated
}

// flatten walks the element just opened, appending a line per text-bearing descendant.
func (s *scanner) flatten(acc *textAcc, path []byte) {
	if s.empty {
		return
	}
	if !s.leaf && s.hasChild() {
		for s.next() == tokStart {
			p := path
			if len(p) < maxFlatPath {
				if len(p) > 0 {
					p = append(p, '/')
				}
				p = append(p, s.name...)
			}
			s.flatten(acc, p)
		}
		return
	}
	b, truncated := s.text(acc.limit)
	if b = trimSpace(b); len(b) == 0 {
		return
	}
	if len(acc.out) > 0 {
		acc.add([]byte{'\n'})
	}
	if len(path) > 0 {
		acc.add(path)
		acc.add([]byte(": "))
	}
	acc.add(b)
	acc.truncated = acc.truncated || truncated
}

// hasChild reports whether the element just opened continues, after white space (consumed),
// with a child element rather than text.
func (s *scanner) hasChild() bool {
	for {
		for s.pos < s.end && isSpace(s.buf[s.pos]) {
			s.pos++
		}
		if s.pos < s.end-1 {
			c := s.buf[s.pos+1]
			return s.buf[s.pos] == '<' && c != '/' && c != '!' && c != '?'
		}
		if !s.fill(s.pos) {
			return false
		}
	}
}
