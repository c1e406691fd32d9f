// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"io"
	"strconv"
	"time"
)

// Kind says what Next returned.
type Kind uint8

const (
	// KindNone comes with stream errors and io.EOF.
	KindNone Kind = iota
	// KindHostStart: a host's fields are complete (HostDetections.Host); its detections follow.
	KindHostStart
	// KindDetection: a detection of the current host (HostDetections.Detection).
	KindDetection
	// KindHostEnd: the current host and all its detections were returned.
	KindHostEnd
	// KindHost: a full host record (HostList.Host).
	KindHost
	// KindIDRange: an ID_SET entry (HostList.IDRange).
	KindIDRange
	// KindPosture: a posture INFO record (PostureInfo.Posture).
	KindPosture
	// KindGlossaryHost: a GLOSSARY/HOST_LIST/HOST entry (PostureInfo.GlossaryHost).
	KindGlossaryHost
	// KindControl: a GLOSSARY/CONTROL_LIST/CONTROL entry (PostureInfo.Control).
	KindControl
	// KindTechnology: a GLOSSARY/TECHNOLOGY_LIST/TECHNOLOGY entry (PostureInfo.Technology).
	KindTechnology
	// KindPolicy: a POLICY entry of the posture glossary (PostureInfo.Policy).
	KindPolicy
)

// Detection is HOST/DETECTION_LIST/DETECTION of Host List Detection.
type Detection struct {
	// Host is the host the detection belongs to; it stays valid after later calls.
	Host *Host

	QID          int64
	UniqueVulnID int64
	Type         string // Confirmed, Potential or Info
	Severity     int
	Port         int
	Protocol     string
	FQDN         string
	SSL          bool
	Instance     string
	Service      string
	Status       string // New, Active, Fixed or Re-Opened
	// Results is RESULTS, at most MaxResultsBytes of it; ResultsTruncated says more was dropped,
	// ResultsRepaired that Qualys sent invalid UTF-8 (replaced with U+FFFD) or control characters
	// (dropped) in it.
	Results          string
	ResultsTruncated bool
	ResultsRepaired  bool

	QDS         int
	QDSSeverity string // the QDS severity attribute: LOW, MEDIUM, HIGH or CRITICAL
	QDSFactors  []QDSFactor

	FirstFound     time.Time
	LastFound      time.Time
	LastTest       time.Time
	LastUpdate     time.Time
	LastFixed      time.Time
	FirstReopened  time.Time
	LastReopened   time.Time
	LastProcessed  time.Time
	TimesFound     int
	TimesReopened  int
	IsIgnored      bool
	IsDisabled     bool
	AffectsKernel  bool // AFFECT_RUNNING_KERNEL
	AffectsService bool // AFFECT_RUNNING_SERVICE
	AffectsConfig  bool // AFFECT_EXPLOITABLE_CONFIG
}

// Clone returns a deep copy of d, for a caller that keeps a reused record.
func (d *Detection) Clone() *Detection {
	c := *d
	c.QDSFactors = append([]QDSFactor(nil), d.QDSFactors...)
	return &c
}

// QDSFactor is QDS_FACTORS/QDS_FACTOR: a factor name and its value as text.
type QDSFactor struct {
	Name  string
	Value string
}

// HostDetections decodes Host List Detection output (HOST_LIST_VM_DETECTION_OUTPUT) one host
// boundary or detection at a time:
//
//	d := decode.NewHostDetections(body)
//	for {
//		kind, err := d.Next()
//		if err == io.EOF { break }
//		var re *decode.RecordError
//		if errors.As(err, &re) { skipped++; continue }
//		if err != nil { return err } // sticky: the page is incomplete
//		switch kind {
//		case decode.KindHostStart: // d.Host() is complete
//		case decode.KindDetection: // d.Detection(), d.Detection().Host
//		case decode.KindHostEnd:   // every detection of d.Host() was returned
//		}
//	}
//	next := d.Warning() // nil on the last page
//
// Every host, including one without detections, yields KindHostStart and later KindHostEnd.
// Host fields precede DETECTION_LIST in the DTD, so they are complete at KindHostStart. Each host
// is a new *Host; the *Detection is reused unless FreshRecords is set.
type HostDetections struct {
	// MaxElementBytes limits one tag or one element's text (RESULTS excepted); a longer text makes
	// its record a *RecordError, a longer tag is a stream error. Default DefaultMaxElementBytes.
	MaxElementBytes int
	// MaxResultsBytes is how much of RESULTS is kept; the rest is skipped while streaming and
	// Detection.ResultsTruncated is set. Default DefaultMaxResultsBytes; negative drops RESULTS.
	MaxResultsBytes int
	// FreshRecords makes every KindDetection come with a newly allocated *Detection the caller may
	// keep. By default one *Detection is reused: overwritten by the next detection, its
	// QDSFactors backing array included, which saves an allocation per detection. Strings are
	// never overwritten, so keeping a string field is always safe; Clone copies a whole record.
	FreshRecords bool

	s       scanner
	env     envelope
	started bool
	state   uint8
	err     error

	host      *Host
	hostOff   int64
	hostDepth int          // the stack depth of HOST, where the host's field paths start
	hostLost  []FieldError // the host's unreadable fields while a detection is read
	detLost   []FieldError // the unreadable fields of the last detection
	lastKind  Kind
	hostShown bool // KindHostStart was returned for host
	endNext   bool // KindHostEnd is due on the next call
	det       *Detection

	factors factorCache // QDS_FACTORS already decoded, by QID
}

const (
	hldEnvelope uint8 = iota
	hldHostList
	hldHost
	hldDetectionList
)

// NewHostDetections returns a decoder reading Host List Detection XML from r.
func NewHostDetections(r io.Reader) *HostDetections {
	d := &HostDetections{}
	d.s.r = r
	d.env = envelope{root: "HOST_LIST_VM_DETECTION_OUTPUT", wrapper: "RESPONSE"}
	return d
}

// Next advances to the next host boundary or detection. It returns io.EOF after the document
// ended cleanly. A *RecordError means a record was skipped and decoding may go on: with
// KindHostStart the whole host and its detections were skipped (no KindHostEnd follows), with
// KindDetection one detection, with KindHostEnd fields after DETECTION_LIST were malformed (the
// host still ended). Any other error is sticky: the page is incomplete.
func (d *HostDetections) Next() (Kind, error) {
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
		return KindNone, err
	}
	d.lastKind = k
	return k, err
}

// UnreadableFields lists the fields of the record of the last Next that could not be read and
// are absent from it: the detection's for KindDetection, the host's otherwise (for KindHostStart
// those before DETECTION_LIST, which is all of them in Qualys output). Paths start at DETECTION or
// HOST. The slice is valid until the next call.
func (d *HostDetections) UnreadableFields() []FieldError {
	if d.lastKind == KindDetection {
		if len(d.detLost) == 0 {
			return nil
		}
		return d.detLost
	}
	return d.s.unreadable()
}

// Read returns the next detection, skipping host boundaries; see Next for the errors.
func (d *HostDetections) Read() (*Detection, error) {
	for {
		k, err := d.Next()
		if err != nil {
			return nil, err
		}
		if k == KindDetection {
			return d.det, nil
		}
	}
}

// Host returns the current host. Each host is a new *Host, so it may be kept.
func (d *HostDetections) Host() *Host { return d.host }

// Detection returns the detection of the last KindDetection; see FreshRecords for how long it
// stays valid.
func (d *HostDetections) Detection() *Detection { return d.det }

// Warning returns RESPONSE/WARNING, or nil when the page has none (the last page). It is valid
// after Next returned io.EOF.
func (d *HostDetections) Warning() *Warning { return d.env.warning }

// Datetime returns RESPONSE/DATETIME, the time Qualys generated the page.
func (d *HostDetections) Datetime() time.Time { return d.env.datetime }

// InputOffset returns the input offset of the decoder, in bytes read from r.
func (d *HostDetections) InputOffset() int64 { return d.s.offset() }

func (d *HostDetections) advance() (Kind, error) {
	s := &d.s
	if d.endNext {
		d.endNext = false
		return KindHostEnd, nil
	}
	for {
		switch d.state {
		case hldEnvelope:
			if err := d.env.next(s); err != nil {
				return KindNone, err
			}
			if string(s.name) == "HOST_LIST" && !s.empty {
				d.state = hldHostList
			} else {
				s.skip()
			}
		case hldHostList:
			switch s.next() {
			case tokErr:
				return KindNone, s.err
			case tokEnd:
				d.state = hldEnvelope
			case tokStart:
				if string(s.name) != "HOST" {
					s.skip()
					continue
				}
				d.host, d.hostOff, d.hostShown = &Host{}, s.tagOff, false
				s.beginRecord()
				d.hostDepth = s.recDepth
				if s.empty {
					return KindHostStart, s.hostCheck(d.host, d.hostOff)
				}
				d.state = hldHost
			}
		case hldHost:
			if k, err, ok := d.hostStep(); ok {
				return k, err
			}
		case hldDetectionList:
			switch s.next() {
			case tokErr:
				return KindNone, s.err
			case tokEnd:
				d.state = hldHost
			case tokStart:
				if string(s.name) != "DETECTION" {
					s.skip()
					continue
				}
				return KindDetection, d.readDetection()
			}
		}
	}
}

// hostStep handles one child of HOST; ok says a result is ready.
func (d *HostDetections) hostStep() (k Kind, err error, ok bool) {
	s := &d.s
	switch s.next() {
	case tokErr:
		return KindNone, s.err, true
	case tokEnd: // </HOST>
		d.state = hldHostList
		err := s.hostCheck(d.host, d.hostOff)
		if !d.hostShown {
			d.endNext = err == nil
			return KindHostStart, err, true
		}
		return KindHostEnd, err, true
	case tokStart:
		if string(s.name) != "DETECTION_LIST" {
			if !s.hostField(d.host) {
				s.skip()
			}
			return KindNone, nil, false
		}
		if d.hostShown {
			// A second DETECTION_LIST: keep going with the same host.
			if !s.empty {
				d.state = hldDetectionList
			}
			return KindNone, nil, false
		}
		d.hostShown = true
		if err := s.hostCheck(d.host, d.hostOff); err != nil {
			// Skip the rest of the host: its detections cannot be attributed.
			s.skip()
			s.skipRest()
			d.state = hldHostList
			return KindHostStart, err, true
		}
		if !s.empty {
			d.state = hldDetectionList
		}
		return KindHostStart, nil, true
	}
	return KindNone, nil, false
}

// readDetection reads the DETECTION whose start tag next just returned.
func (d *HostDetections) readDetection() error {
	s := &d.s
	det := d.det
	if !d.FreshRecords && det != nil {
		*det = Detection{QDSFactors: det.QDSFactors[:0]}
	} else {
		det = &Detection{}
		d.det = det
	}
	det.Host = d.host
	off := s.tagOff
	// The host's unreadable fields wait in hostLost while the detection's are collected.
	d.hostLost, s.lost = s.lost, d.detLost
	s.beginRecord()
	defer func() { d.detLost, s.lost, s.recDepth = s.lost, d.hostLost, d.hostDepth }()
	if !s.empty {
		for s.next() == tokStart {
			d.detectionField(det)
		}
		if s.err != nil {
			return s.err
		}
	}
	if det.QID <= 0 {
		err := s.missingID(off, "QID")
		err.ID = detectionID(d.host, det)
		return err
	}
	return nil
}

func detectionID(h *Host, det *Detection) string {
	return strconv.FormatInt(h.ID, 10) + "/" + strconv.FormatInt(det.QID, 10)
}

func (d *HostDetections) detectionField(det *Detection) {
	s := &d.s
	switch string(s.name) {
	case "QID":
		det.QID = s.int64()
	case "TYPE":
		det.Type = s.intern()
	case "SEVERITY":
		det.Severity = s.int()
	case "PORT":
		det.Port = s.int()
	case "PROTOCOL":
		det.Protocol = s.intern()
	case "FQDN":
		det.FQDN = s.str()
	case "SSL":
		det.SSL = s.bool()
	case "INSTANCE":
		det.Instance = s.intern()
	case "RESULTS":
		det.Results, det.ResultsTruncated, det.ResultsRepaired = d.results()
	case "STATUS":
		det.Status = s.intern()
	case "FIRST_FOUND_DATETIME":
		det.FirstFound = s.time()
	case "LAST_FOUND_DATETIME":
		det.LastFound = s.time()
	case "QDS":
		det.QDSSeverity = s.attrStr("severity")
		det.QDS = s.int()
	case "QDS_FACTORS":
		det.QDSFactors = d.qdsFactors(det.QDSFactors, det.QID)
	case "TIMES_FOUND":
		det.TimesFound = s.int()
	case "LAST_TEST_DATETIME":
		det.LastTest = s.time()
	case "LAST_UPDATE_DATETIME":
		det.LastUpdate = s.time()
	case "LAST_FIXED_DATETIME":
		det.LastFixed = s.time()
	case "FIRST_REOPENED_DATETIME":
		det.FirstReopened = s.time()
	case "LAST_REOPENED_DATETIME":
		det.LastReopened = s.time()
	case "TIMES_REOPENED":
		det.TimesReopened = s.int()
	case "SERVICE":
		det.Service = s.intern()
	case "IS_IGNORED":
		det.IsIgnored = s.bool()
	case "IS_DISABLED":
		det.IsDisabled = s.bool()
	case "AFFECT_RUNNING_KERNEL":
		det.AffectsKernel = s.bool()
	case "AFFECT_RUNNING_SERVICE":
		det.AffectsService = s.bool()
	case "AFFECT_EXPLOITABLE_CONFIG":
		det.AffectsConfig = s.bool()
	case "LAST_PROCESSED_DATETIME":
		det.LastProcessed = s.time()
	case "UNIQUE_VULN_ID":
		det.UniqueVulnID = s.int64()
	default:
		s.skip()
	}
}

func (d *HostDetections) results() (text string, truncated, repaired bool) {
	limit := d.MaxResultsBytes
	switch {
	case limit == 0:
		limit = DefaultMaxResultsBytes
	case limit < 0:
		d.s.skip()
		return "", false, false
	}
	b, truncated := d.s.text(limit)
	text, repaired = repairText(b)
	return text, truncated, repaired
}
