// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"encoding/json"
	"io"
	"time"
)

// Posture is one record of PCRS postureInfo: the v1/v2 fields of the vendor table (addendum §1.1)
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

	FirstFailDate          time.Time
	LastFailDate           time.Time
	FirstPassDate          time.Time
	LastPassDate           time.Time
	PostureModifiedDate    time.Time
	LastEvaluatedDate      time.Time
	Created                time.Time
	ComplianceLastScanDate time.Time

	HostID         int64
	AssetID        int64
	IP             string
	DNS            string
	NetBIOS        string
	OS             string
	OSCPE          string
	TrackingMethod string
	QGHostID       string
	NetworkID      int64
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
	ID                     flexInt64       `json:"id"`
	Instance               flexString      `json:"instance"`
	PolicyID               flexInt64       `json:"policyId"`
	PolicyTitle            flexString      `json:"policyTitle"`
	ControlID              flexInt64       `json:"controlId"`
	ControlStatement       flexString      `json:"controlStatement"`
	Rationale              flexString      `json:"rationale"`
	Remediation            flexString      `json:"remediation"`
	TechnologyID           flexInt64       `json:"technologyId"`
	Technology             *wireTechnology `json:"technology"`
	Status                 flexString      `json:"status"`
	PreviousStatus         flexString      `json:"previousStatus"`
	Criticality            *wireCrit       `json:"criticality"`
	FirstFailDate          flexTime        `json:"firstFailDate"`
	LastFailDate           flexTime        `json:"lastFailDate"`
	FirstPassDate          flexTime        `json:"firstPassDate"`
	LastPassDate           flexTime        `json:"lastPassDate"`
	PostureModifiedDate    flexTime        `json:"postureModifiedDate"`
	LastEvaluatedDate      flexTime        `json:"lastEvaluatedDate"`
	Created                flexTime        `json:"created"`
	ComplianceLastScanDate flexTime        `json:"complianceLastScanDate"`
	HostID                 flexInt64       `json:"hostId"`
	AssetID                flexInt64       `json:"assetId"`
	IP                     flexString      `json:"ip"`
	DNS                    flexString      `json:"dns"`
	NetBIOS                flexString      `json:"netBios"`
	OS                     flexString      `json:"os"`
	OSCPE                  flexString      `json:"osCpe"`
	TrackingMethod         flexString      `json:"trackingMethod"`
	QGHostID               flexString      `json:"qgHostid"`
	NetworkID              flexInt64       `json:"networkId"`
	NetworkName            flexString      `json:"networkName"`
	CustomerUUID           flexString      `json:"customerUuid"`
	CustomerID             flexString      `json:"customerId"`
	Evidence               json.RawMessage `json:"evidence"`
	CauseOfFailure         json.RawMessage `json:"causeOfFailure"`
}

type wireTechnology struct {
	ID   flexInt64  `json:"id"`
	Name flexString `json:"name"`
}

type wireCrit struct {
	Label flexString `json:"label"`
	Value flexInt64  `json:"value"`
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

	a jsonArray
}

// NewPCRSPostures returns a decoder reading a PCRS postureInfo response from r.
func NewPCRSPostures(r io.Reader) *PCRSPostures {
	return &PCRSPostures{a: jsonArray{j: jsonStream{src: r}}}
}

// Read returns the next posture, a new *Posture each time. It returns io.EOF after the array
// closed cleanly; a *RecordError means one posture was skipped (a value of the wrong type, or no
// id); any other error is sticky.
func (d *PCRSPostures) Read() (*Posture, error) {
	var w wirePosture
	if err := d.a.next(d.MaxRecordBytes, &w); err != nil {
		return nil, err
	}
	if w.ID <= 0 {
		return nil, &RecordError{Offset: d.a.j.dec.InputOffset(), Err: ErrMissingID}
	}
	p := &Posture{
		ID: int64(w.ID), Instance: string(w.Instance), PolicyID: int64(w.PolicyID),
		PolicyTitle: string(w.PolicyTitle), ControlID: int64(w.ControlID),
		ControlStatement: string(w.ControlStatement), Rationale: string(w.Rationale),
		Remediation: string(w.Remediation), TechnologyID: int64(w.TechnologyID),
		Status: string(w.Status), PreviousStatus: string(w.PreviousStatus),
		FirstFailDate: time.Time(w.FirstFailDate), LastFailDate: time.Time(w.LastFailDate),
		FirstPassDate: time.Time(w.FirstPassDate), LastPassDate: time.Time(w.LastPassDate),
		PostureModifiedDate: time.Time(w.PostureModifiedDate), LastEvaluatedDate: time.Time(w.LastEvaluatedDate),
		Created: time.Time(w.Created), ComplianceLastScanDate: time.Time(w.ComplianceLastScanDate),
		HostID: int64(w.HostID), AssetID: int64(w.AssetID), IP: string(w.IP), DNS: string(w.DNS),
		NetBIOS: string(w.NetBIOS), OS: string(w.OS), OSCPE: string(w.OSCPE),
		TrackingMethod: string(w.TrackingMethod), QGHostID: string(w.QGHostID),
		NetworkID: int64(w.NetworkID), NetworkName: string(w.NetworkName),
		CustomerUUID: string(w.CustomerUUID), CustomerID: string(w.CustomerID),
	}
	if w.Technology != nil {
		p.Technology = Technology{ID: int64(w.Technology.ID), Name: string(w.Technology.Name)}
		if p.TechnologyID == 0 {
			p.TechnologyID = p.Technology.ID
		}
	}
	if w.Criticality != nil {
		p.Criticality = Criticality{Label: string(w.Criticality.Label), Value: int(w.Criticality.Value)}
	}
	p.Evidence, p.EvidenceTruncated = d.capRaw(w.Evidence, p.EvidenceTruncated)
	p.CauseOfFailure, p.EvidenceTruncated = d.capRaw(w.CauseOfFailure, p.EvidenceTruncated)
	return p, nil
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
