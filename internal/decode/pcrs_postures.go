// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"encoding/json"
	"errors"
	"io"
	"time"
)

// Posture is one record of PCRS postureInfo: the v1/v2 fields of the vendor table
// plus the v5 fields seen in the release 1.7 sample (policyTitle, netBios, controlStatement,
// rationale) and remediation, which is likely but unverified. Unknown keys are ignored.
type Posture struct {
	ID               int64
	Instance         string
	PolicyID         int64
	PolicyTitle      string
	ControlID        int64
	ControlStatement string
	Rationale        string
	Remediation      string
	TechnologyID     int64
	Technology       Technology
	Status           string // Passed, Failed or Error
	PreviousStatus   string
	Criticality      Criticality

	FirstFailDate       time.Time
	LastFailDate        time.Time
	FirstPassDate       time.Time
	LastPassDate        time.Time
	PostureModifiedDate time.Time
	LastEvaluatedDate   time.Time
	Created             time.Time

	HostID         int64
	AssetID        int64
	IP             string
	DNS            string
	NetBIOS        string
	OS             string
	OSCPE          string
	TrackingMethod string
	QGHostID       string
	NetworkName    string
	CustomerUUID   string
	CustomerID     string

	// Evidence (expectedValues, currentValues) and CauseOfFailure (missing, unexpected) are kept
	// as raw JSON. One larger than MaxEvidenceBytes is dropped and EvidenceTruncated set: raw JSON
	// cannot be cut.
	Evidence          json.RawMessage
	CauseOfFailure    json.RawMessage
	EvidenceTruncated bool
}

type wirePosture struct {
	ID                  looseInt64      `json:"id"`
	Instance            looseString     `json:"instance"`
	PolicyID            looseInt64      `json:"policyId"`
	PolicyTitle         looseString     `json:"policyTitle"`
	ControlID           looseInt64      `json:"controlId"`
	ControlStatement    looseString     `json:"controlStatement"`
	Rationale           looseString     `json:"rationale"`
	Remediation         looseString     `json:"remediation"`
	TechnologyID        looseInt64      `json:"technologyId"`
	Technology          *wireTechnology `json:"technology"`
	Status              looseString     `json:"status"`
	PreviousStatus      looseString     `json:"previousStatus"`
	Criticality         *wireCrit       `json:"criticality"`
	FirstFailDate       looseTime       `json:"firstFailDate"`
	LastFailDate        looseTime       `json:"lastFailDate"`
	FirstPassDate       looseTime       `json:"firstPassDate"`
	LastPassDate        looseTime       `json:"lastPassDate"`
	PostureModifiedDate looseTime       `json:"postureModifiedDate"`
	LastEvaluatedDate   looseTime       `json:"lastEvaluatedDate"`
	Created             looseTime       `json:"created"`
	HostID              looseInt64      `json:"hostId"`
	AssetID             looseInt64      `json:"assetId"`
	IP                  looseString     `json:"ip"`
	DNS                 looseString     `json:"dns"`
	NetBIOS             looseString     `json:"netBios"`
	OS                  looseString     `json:"os"`
	OSCPE               looseString     `json:"osCpe"`
	TrackingMethod      looseString     `json:"trackingMethod"`
	QGHostID            looseString     `json:"qgHostid"`
	NetworkName         looseString     `json:"networkName"`
	CustomerUUID        looseString     `json:"customerUuid"`
	CustomerID          looseString     `json:"customerId"`
	Evidence            json.RawMessage `json:"evidence"`
	CauseOfFailure      json.RawMessage `json:"causeOfFailure"`
}

type wireTechnology struct {
	ID   looseInt64  `json:"id"`
	Name looseString `json:"name"`
}

type wireCrit struct {
	Label looseString `json:"label"`
	Value looseInt64  `json:"value"`
}

// PCRSPostures decodes the PCRS postureInfo body, one JSON array of posture objects (not NDJSON),
// one posture at a time. A gzip body (compressionRequired=1, sent without Content-Encoding) is
// detected by its first bytes and decompressed. An empty body (HTTP 204) or [] is no records; a
// body that ends before the array closes (the vendor's broken chunked stream) is a sticky error
// wrapping ErrTruncated, so a batch only counts as done after io.EOF.
type PCRSPostures struct {
	// MaxRecordBytes limits one posture object; a larger one is a stream error. Default
	// DefaultMaxRecordBytes.
	MaxRecordBytes int
	// MaxEvidenceBytes is the largest evidence or causeOfFailure kept. Default
	// DefaultMaxEvidenceBytes; negative drops both.
	MaxEvidenceBytes int

	a    jsonArray
	lost []FieldError
}

// NewPCRSPostures returns a decoder reading a PCRS postureInfo response from r.
func NewPCRSPostures(r io.Reader) *PCRSPostures {
	return &PCRSPostures{a: jsonArray{j: jsonStream{src: r}}}
}

// Read returns the next posture, a new *Posture each time. It returns io.EOF after the array
// closed cleanly; a *RecordError means one posture was skipped (no readable id); a value of the
// wrong type costs that field only (see UnreadableFields); any other error is sticky.
func (d *PCRSPostures) Read() (*Posture, error) {
	var w wirePosture
	d.lost = d.lost[:0]
	err := d.a.next(d.MaxRecordBytes, &w)
	var re *RecordError
	if errors.As(err, &re) {
		fe, ok := typeErrorField(re.Err)
		if !ok {
			return nil, err
		}
		d.lost, err = append(d.lost, fe), nil
	}
	if err != nil {
		return nil, err
	}
	d.lost = unreadableJSON(d.lost, &w)
	if w.ID.v <= 0 {
		return nil, d.missingID()
	}
	p := &Posture{
		ID: int64(w.ID.v), Instance: string(w.Instance.v), PolicyID: int64(w.PolicyID.v),
		PolicyTitle: string(w.PolicyTitle.v), ControlID: int64(w.ControlID.v),
		ControlStatement: string(w.ControlStatement.v), Rationale: string(w.Rationale.v),
		Remediation: string(w.Remediation.v), TechnologyID: int64(w.TechnologyID.v),
		Status: string(w.Status.v), PreviousStatus: string(w.PreviousStatus.v),
		FirstFailDate: time.Time(w.FirstFailDate.v), LastFailDate: time.Time(w.LastFailDate.v),
		FirstPassDate: time.Time(w.FirstPassDate.v), LastPassDate: time.Time(w.LastPassDate.v),
		PostureModifiedDate: time.Time(w.PostureModifiedDate.v), LastEvaluatedDate: time.Time(w.LastEvaluatedDate.v),
		Created: time.Time(w.Created.v),
		HostID:  int64(w.HostID.v), AssetID: int64(w.AssetID.v), IP: string(w.IP.v), DNS: string(w.DNS.v),
		NetBIOS: string(w.NetBIOS.v), OS: string(w.OS.v), OSCPE: string(w.OSCPE.v),
		TrackingMethod: string(w.TrackingMethod.v), QGHostID: string(w.QGHostID.v),
		NetworkName:  string(w.NetworkName.v),
		CustomerUUID: string(w.CustomerUUID.v), CustomerID: string(w.CustomerID.v),
	}
	if w.Technology != nil {
		p.Technology = Technology{ID: int64(w.Technology.ID.v), Name: string(w.Technology.Name.v)}
		if p.TechnologyID == 0 {
			p.TechnologyID = p.Technology.ID
		}
	}
	if w.Criticality != nil {
		p.Criticality = Criticality{Label: string(w.Criticality.Label.v), Value: int(w.Criticality.Value.v)}
	}
	p.Evidence, p.EvidenceTruncated = d.capRaw(w.Evidence, p.EvidenceTruncated)
	p.CauseOfFailure, p.EvidenceTruncated = d.capRaw(w.CauseOfFailure, p.EvidenceTruncated)
	return p, nil
}

// missingID is the record error of a posture without a usable id: the id's own read error when
// it had one, else ErrMissingID.
func (d *PCRSPostures) missingID() *RecordError {
	off := d.a.j.dec.InputOffset()
	for _, fe := range d.lost {
		if fe.Path == "id" {
			return &RecordError{Offset: off, Err: &fe}
		}
	}
	return &RecordError{Offset: off, Err: ErrMissingID}
}

// UnreadableFields lists the fields of the posture Read returned last that could not be read (a
// value of the wrong type) and are absent from it, by JSON key (technology/id for a nested one);
// nil when none. Valid until the next call.
func (d *PCRSPostures) UnreadableFields() []FieldError {
	if len(d.lost) == 0 {
		return nil
	}
	return d.lost
}

// InputOffset returns the input offset of the decoder, in decompressed bytes.
func (d *PCRSPostures) InputOffset() int64 { return d.a.j.offset() }

// capRaw keeps raw JSON up to MaxEvidenceBytes; null is nothing.
func (d *PCRSPostures) capRaw(raw json.RawMessage, truncated bool) (json.RawMessage, bool) {
	limit := d.MaxEvidenceBytes
	if limit == 0 {
		limit = DefaultMaxEvidenceBytes
	}
	switch {
	case limit < 0 || len(raw) == 0 || isNull(raw):
		return nil, truncated
	case len(raw) > limit:
		return nil, true
	}
	return raw, truncated
}
