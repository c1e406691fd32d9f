// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"encoding/json"
	"io"
	"strconv"
	"time"
)

// PCRS IDs in the policy list and resolve-host-ids outputs are kept as the text received (a
// number literal or a string), because the gateway expects them back verbatim, as strings, in
// the postureInfo request body. They are not validated: the vendor doc samples
// carry placeholders such as "<POLICY ID>", which come through unchanged; a caller that needs a
// number parses it and decides.

// PCRSPolicy is one policyList element of PCRS Get Policy List.
type PCRSPolicy struct {
	ID                string
	Title             string
	CreatedBy         string
	CreatedDate       time.Time
	ModifiedBy        string
	ModifiedDate      time.Time
	LastEvaluatedDate time.Time
	Status            string
	Locked            bool
}

// PCRSPolicies decodes {"subscriptionId":…, "policyList":[…]} one policy at a time.
type PCRSPolicies struct {
	// MaxRecordBytes limits one policy; a larger one is a stream error. Default
	// DefaultMaxRecordBytes.
	MaxRecordBytes int

	j       jsonStream
	state   uint8
	subID   string
	decoded bool
}

const (
	objBefore uint8 = iota
	objKeys
	objArray
)

// NewPCRSPolicies returns a decoder reading a PCRS policy list from r (gzip detected by content).
func NewPCRSPolicies(r io.Reader) *PCRSPolicies {
	return &PCRSPolicies{j: jsonStream{src: r}}
}

// Read returns the next policy, a new *PCRSPolicy each time. It returns io.EOF after the object
// closed cleanly (an empty body is no policies); a *RecordError means one policy was skipped;
// any other error is sticky.
func (d *PCRSPolicies) Read() (*PCRSPolicy, error) {
	if d.j.err != nil {
		return nil, d.j.err
	}
	d.j.maxRecord = d.MaxRecordBytes
	if !d.j.start() {
		return nil, d.j.err
	}
	p, err := d.advance()
	return p, d.j.fail(err)
}

// SubscriptionID returns subscriptionId; complete after Read returned io.EOF.
func (d *PCRSPolicies) SubscriptionID() string { return d.subID }

// InputOffset returns the input offset of the decoder, in decompressed bytes.
func (d *PCRSPolicies) InputOffset() int64 { return d.j.offset() }

// wirePolicy reads every typed value loosely: a policy is what its postures are pulled by, so a
// date or flag of the wrong type costs that value, never the policy.
type wirePolicy struct {
	ID                flexString `json:"id"`
	Title             flexString `json:"title"`
	CreatedBy         flexString `json:"createdBy"`
	CreatedDate       looseTime  `json:"createdDate"`
	ModifiedBy        flexString `json:"modifiedBy"`
	ModifiedDate      looseTime  `json:"modifiedDate"`
	LastEvaluatedDate looseTime  `json:"lastEvaluatedDate"`
	Status            flexString `json:"status"`
	Locked            looseBool  `json:"locked"`
}

func (d *PCRSPolicies) advance() (*PCRSPolicy, error) {
	j := &d.j
	for {
		switch d.state {
		case objBefore:
			t, err := j.token()
			if err == io.EOF {
				return nil, io.EOF // empty body: no policies
			}
			if err != nil {
				return nil, err
			}
			if t != json.Delim('{') {
				return nil, j.stream(syntaxf("expected an object, got %v", t))
			}
			d.state = objKeys
		case objKeys:
			if !j.dec.More() {
				if err := j.expect('}'); err != nil {
					return nil, err
				}
				return nil, j.end()
			}
			if err := d.key(); err != nil {
				return nil, err
			}
		case objArray:
			if !j.dec.More() {
				if err := j.expect(']'); err != nil {
					return nil, err
				}
				d.state = objKeys
				continue
			}
			var w wirePolicy
			if err := j.decode(&w); err != nil {
				return nil, err
			}
			if w.ID == "" {
				return nil, &RecordError{Offset: j.dec.InputOffset(), Err: ErrMissingID}
			}
			return &PCRSPolicy{
				ID: string(w.ID), Title: string(w.Title), CreatedBy: string(w.CreatedBy),
				CreatedDate: time.Time(w.CreatedDate.v), ModifiedBy: string(w.ModifiedBy),
				ModifiedDate: time.Time(w.ModifiedDate.v), LastEvaluatedDate: time.Time(w.LastEvaluatedDate.v),
				Status: string(w.Status), Locked: bool(w.Locked.v),
			}, nil
		}
	}
}

// key reads one key of the top-level object and its value (or the start of policyList).
func (d *PCRSPolicies) key() error {
	j := &d.j
	t, err := j.token()
	if err == io.EOF {
		return j.stream(ErrTruncated)
	}
	if err != nil {
		return err
	}
	switch t {
	case "policyList":
		t, err := j.token()
		if err == io.EOF {
			return j.stream(ErrTruncated)
		}
		switch {
		case err != nil:
			return err
		case t == json.Delim('['):
			d.state = objArray
		case t != nil: // null is no policies
			return j.stream(syntaxf("policyList is not an array: %v", t))
		}
		return nil
	case "subscriptionId":
		var id flexString
		err := j.decode(&id)
		d.subID = string(id)
		if isRecordError(err) {
			return nil // a malformed subscriptionId is not worth the page
		}
		return err
	}
	var skip json.RawMessage
	if err := j.decode(&skip); err != nil && !isRecordError(err) {
		return err
	}
	return nil
}

// PolicyHostIDs is one element of PCRS Resolve Host IDs: the hosts of a policy. A policy that
// does not exist comes back with Error set ("Error: Compliance Policy does not exist.") and no
// host IDs, under HTTP 200; the caller must check it.
type PolicyHostIDs struct {
	PolicyID       string
	SubscriptionID string
	HostIDs        []string
	Error          string
}

// PCRSHostIDs decodes the Resolve Host IDs array one policy at a time.
type PCRSHostIDs struct {
	// MaxRecordBytes limits one policy element (with all its host IDs); a larger one is a stream
	// error. Default DefaultMaxRecordBytes.
	MaxRecordBytes int

	a jsonArray
}

// NewPCRSHostIDs returns a decoder reading a PCRS Resolve Host IDs response from r.
func NewPCRSHostIDs(r io.Reader) *PCRSHostIDs {
	return &PCRSHostIDs{a: jsonArray{j: jsonStream{src: r}}}
}

type wireHostIDs struct {
	PolicyID       flexString   `json:"policyId"`
	SubscriptionID flexString   `json:"subscriptionId"`
	HostIDs        []flexString `json:"hostIds"`
	Error          flexString   `json:"error"`
	// A 400 answer: [{"response":{"datetime":…,"code":1905,"text":"…"}}].
	Response *struct {
		Code flexInt64  `json:"code"`
		Text flexString `json:"text"`
	} `json:"response"`
}

// Read returns the next policy's host IDs, a new *PolicyHostIDs each time. It returns io.EOF
// after the array closed cleanly (an empty body or [] is none); a *RecordError means one element
// was skipped (an element without policyId, or a Qualys error response element, whose code and
// text the error carries); any other error is sticky.
func (d *PCRSHostIDs) Read() (*PolicyHostIDs, error) {
	var w wireHostIDs
	err := d.a.next(d.MaxRecordBytes, &w)
	if err != nil {
		return nil, err
	}
	if w.PolicyID == "" {
		cause := ErrMissingID
		if w.Response != nil {
			cause = &APIError{Code: int(w.Response.Code), Text: string(w.Response.Text)}
		}
		return nil, d.a.j.fail(&RecordError{Offset: d.a.j.dec.InputOffset(), Err: cause})
	}
	ids := make([]string, 0, len(w.HostIDs))
	for _, id := range w.HostIDs {
		if id != "" {
			ids = append(ids, string(id))
		}
	}
	return &PolicyHostIDs{
		PolicyID: string(w.PolicyID), SubscriptionID: string(w.SubscriptionID), HostIDs: ids, Error: string(w.Error),
	}, nil
}

// InputOffset returns the input offset of the decoder, in decompressed bytes.
func (d *PCRSHostIDs) InputOffset() int64 { return d.a.j.offset() }

// APIError is a Qualys error {code, text} found inside a JSON response body.
type APIError struct {
	Code int
	Text string
}

// Error reports the Qualys code and text.
func (e *APIError) Error() string { return "qualys: code " + strconv.Itoa(e.Code) + ": " + e.Text }

// jsonArray walks a top-level JSON array element by element.
type jsonArray struct {
	j     jsonStream
	state uint8 // objBefore, objArray
}

// next decodes the next element into v; io.EOF after the array closed cleanly or for an empty
// body.
func (a *jsonArray) next(maxRecord int, v any) error {
	j := &a.j
	if j.err != nil {
		return j.err
	}
	j.maxRecord = maxRecord
	if !j.start() {
		return j.err
	}
	if a.state == objBefore {
		t, err := j.token()
		if err == io.EOF {
			return j.fail(io.EOF) // empty body (or HTTP 204): no records
		}
		if err != nil {
			return j.fail(err)
		}
		if t != json.Delim('[') {
			return j.fail(j.stream(syntaxf("expected an array, got %v", t)))
		}
		a.state = objArray
	}
	if !j.dec.More() {
		if err := j.expect(']'); err != nil {
			return j.fail(err)
		}
		return j.fail(j.end())
	}
	return j.fail(j.decode(v))
}
