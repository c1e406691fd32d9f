// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"io"
	"time"
)

// Vuln is KNOWLEDGE_BASE_VULN_LIST_OUTPUT/RESPONSE/VULN_LIST/VULN.
type Vuln struct {
	QID                     int64
	VulnType                string
	SeverityLevel           int
	Title                   string
	Category                string
	LastServiceModification time.Time
	Published               time.Time
	Patchable               bool
	IsDisabled              bool
	DiscoveryRemote         bool
	CVEs                    []CVE // empty CVE IDs are dropped
	CVSS                    CVSS
	CVSSV3                  CVSS
	ThreatIntel             []ThreatIntel
	Diagnosis               string // only with MaxTextBytes > 0
	Consequence             string // only with MaxTextBytes > 0
	Solution                string // only with MaxTextBytes > 0
	DiagnosisTruncated      bool
	ConsequenceTruncated    bool
	SolutionTruncated       bool

	// VendorReferences is VENDOR_REFERENCE_LIST/VENDOR_REFERENCE: an advisory name and its URL.
	VendorReferences []Reference
	// Software is SOFTWARE_LIST/SOFTWARE: the products the QID affects.
	Software []Software
	PCIFlag  bool // PCI_FLAG: the QID must be fixed to pass PCI compliance
}

// CVE is VULN/CVE_LIST/CVE.
type CVE struct {
	ID  string
	URL string
}

// Software is SOFTWARE_LIST/SOFTWARE.
type Software struct {
	Vendor  string
	Product string
}

// Reference is VENDOR_REFERENCE_LIST/VENDOR_REFERENCE.
type Reference struct {
	ID  string
	URL string
}

// CVSS is VULN/CVSS or VULN/CVSS_V3.
type CVSS struct {
	Base     float64
	Temporal float64
	// BaseSource is the source attribute of BASE (<BASE source="service">), if any.
	BaseSource   string
	VectorString string
	// Version is CVSS3_VERSION (for example 3.1), which only CVSS_V3 carries.
	Version string
}

// ThreatIntel is THREAT_INTELLIGENCE/THREAT_INTEL: the id attribute and the text.
type ThreatIntel struct {
	ID   int64
	Text string
}

// KnowledgeBase decodes KnowledgeBase output one VULN at a time.
type KnowledgeBase struct {
	// MaxElementBytes limits one tag or one element's text; a longer text makes its record a
	// *RecordError, a longer tag is a stream error. Default DefaultMaxElementBytes.
	MaxElementBytes int
	// MaxTextBytes is how much of DIAGNOSIS, CONSEQUENCE and SOLUTION is kept (cut on a UTF-8
	// boundary, with the *Truncated flag set). They can be long and the receiver caches every
	// VULN, so the default 0 drops them.
	MaxTextBytes int

	s       scanner
	env     envelope
	started bool
	inList  bool
	err     error
}

// NewKnowledgeBase returns a decoder reading KnowledgeBase XML from r.
func NewKnowledgeBase(r io.Reader) *KnowledgeBase {
	d := &KnowledgeBase{}
	d.s.r = r
	d.env = envelope{root: "KNOWLEDGE_BASE_VULN_LIST_OUTPUT", wrapper: "RESPONSE"}
	return d
}

// Read returns the next VULN, a new *Vuln each time. It returns io.EOF after the document ended
// cleanly; a *RecordError means one VULN was skipped; any other error is sticky.
func (d *KnowledgeBase) Read() (*Vuln, error) {
	if d.err != nil {
		return nil, d.err
	}
	if !d.started {
		d.started = true
		d.s.init(d.s.r, d.MaxElementBytes)
	}
	v, err := d.advance()
	if err != nil && !isRecordError(err) {
		d.err = err
	}
	return v, err
}

// Warning returns RESPONSE/WARNING, or nil; valid after Read returned io.EOF.
func (d *KnowledgeBase) Warning() *Warning { return d.env.warning }

// Datetime returns RESPONSE/DATETIME.
func (d *KnowledgeBase) Datetime() time.Time { return d.env.datetime }

// UnreadableFields lists the fields of the VULN Read returned last that could not be read and
// are absent from it (paths start at VULN); nil when none. Valid until the next call.
func (d *KnowledgeBase) UnreadableFields() []FieldError { return d.s.unreadable() }

// InputOffset returns the input offset of the decoder, in bytes read from r.
func (d *KnowledgeBase) InputOffset() int64 { return d.s.offset() }

func (d *KnowledgeBase) advance() (*Vuln, error) {
	s := &d.s
	for {
		if !d.inList {
			if err := d.env.next(s); err != nil {
				return nil, err
			}
			if string(s.name) == "VULN_LIST" && !s.empty {
				d.inList = true
			} else {
				s.skip()
			}
			continue
		}
		switch s.next() {
		case tokErr:
			return nil, s.err
		case tokEnd:
			d.inList = false
		case tokStart:
			if string(s.name) == "VULN" {
				return d.readVuln()
			}
			s.skip()
		}
	}
}

func (d *KnowledgeBase) readVuln() (*Vuln, error) {
	s := &d.s
	v := &Vuln{}
	off := s.tagOff
	s.beginRecord()
	if !s.empty {
		for s.next() == tokStart {
			d.vulnField(v)
		}
		if s.err != nil {
			return nil, s.err
		}
	}
	if v.QID <= 0 {
		return nil, s.missingID(off, "QID")
	}
	return v, nil
}

func (d *KnowledgeBase) vulnField(v *Vuln) {
	s := &d.s
	switch string(s.name) {
	case "QID":
		v.QID = s.int64()
	case "VULN_TYPE":
		v.VulnType = s.intern()
	case "SEVERITY_LEVEL":
		v.SeverityLevel = s.int()
	case "TITLE":
		v.Title = s.str()
	case "CATEGORY":
		v.Category = s.intern()
	case "LAST_SERVICE_MODIFICATION_DATETIME":
		v.LastServiceModification = s.time()
	case "PUBLISHED_DATETIME":
		v.Published = s.time()
	case "PATCHABLE":
		v.Patchable = s.bool()
	case "IS_DISABLED":
		v.IsDisabled = s.bool()
	case "CVE_LIST":
		v.CVEs = d.cves(v.CVEs)
	case "VENDOR_REFERENCE_LIST":
		v.VendorReferences = d.vendorReferences(v.VendorReferences)
	case "SOFTWARE_LIST":
		v.Software = d.software(v.Software)
	case "PCI_FLAG":
		v.PCIFlag = s.bool()
	case "CVSS":
		d.cvss(&v.CVSS)
	case "CVSS_V3":
		d.cvss(&v.CVSSV3)
	case "THREAT_INTELLIGENCE":
		v.ThreatIntel = d.threatIntel(v.ThreatIntel)
	case "DISCOVERY":
		for s.next() == tokStart {
			if string(s.name) == "REMOTE" {
				v.DiscoveryRemote = s.bool()
			} else {
				s.skip()
			}
		}
	case "DIAGNOSIS":
		v.Diagnosis, v.DiagnosisTruncated = d.longText()
	case "CONSEQUENCE":
		v.Consequence, v.ConsequenceTruncated = d.longText()
	case "SOLUTION":
		v.Solution, v.SolutionTruncated = d.longText()
	default:
		s.skip()
	}
}

func (d *KnowledgeBase) longText() (string, bool) {
	if d.MaxTextBytes <= 0 {
		d.s.skip()
		return "", false
	}
	b, truncated := d.s.text(d.MaxTextBytes)
	return toString(b), truncated
}

func (d *KnowledgeBase) cves(dst []CVE) []CVE {
	s := &d.s
	if s.empty {
		return dst
	}
	for s.next() == tokStart {
		if string(s.name) != "CVE" || s.empty {
			s.skip()
			continue
		}
		var c CVE
		for s.next() == tokStart {
			switch string(s.name) {
			case "ID":
				c.ID = toString(trimSpace(s.leafText()))
			case "URL":
				c.URL = s.str()
			default:
				s.skip()
			}
		}
		if c.ID != "" {
			dst = append(dst, c)
		}
	}
	return dst
}

func (d *KnowledgeBase) vendorReferences(dst []Reference) []Reference {
	s := &d.s
	if s.empty {
		return dst
	}
	for s.next() == tokStart {
		if string(s.name) != "VENDOR_REFERENCE" || s.empty {
			s.skip()
			continue
		}
		var r Reference
		for s.next() == tokStart {
			switch string(s.name) {
			case "ID":
				r.ID = s.str()
			case "URL":
				r.URL = s.str()
			default:
				s.skip()
			}
		}
		if r.ID != "" || r.URL != "" {
			dst = append(dst, r)
		}
	}
	return dst
}

func (d *KnowledgeBase) software(dst []Software) []Software {
	s := &d.s
	if s.empty {
		return dst
	}
	for s.next() == tokStart {
		if string(s.name) != "SOFTWARE" || s.empty {
			s.skip()
			continue
		}
		var sw Software
		for s.next() == tokStart {
			switch string(s.name) {
			case "VENDOR":
				sw.Vendor = s.intern()
			case "PRODUCT":
				sw.Product = s.intern()
			default:
				s.skip()
			}
		}
		if sw.Vendor != "" || sw.Product != "" {
			dst = append(dst, sw)
		}
	}
	return dst
}

func (d *KnowledgeBase) cvss(c *CVSS) {
	s := &d.s
	if s.empty {
		return
	}
	for s.next() == tokStart {
		switch string(s.name) {
		case "BASE":
			c.BaseSource = s.attrStr("source")
			c.Base = s.float()
		case "TEMPORAL":
			c.Temporal = s.float()
		case "VECTOR_STRING":
			c.VectorString = s.str()
		case "CVSS3_VERSION":
			c.Version = s.intern()
		default:
			s.skip()
		}
	}
}

func (d *KnowledgeBase) threatIntel(dst []ThreatIntel) []ThreatIntel {
	s := &d.s
	if s.empty {
		return dst
	}
	for s.next() == tokStart {
		if string(s.name) != "THREAT_INTEL" {
			s.skip()
			continue
		}
		id := s.attrInt("id")
		dst = append(dst, ThreatIntel{ID: id, Text: s.intern()})
	}
	return dst
}
