// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"io"
	"time"
)

// HostAsset is ServiceResponse/data/HostAsset of the Asset Management (QPS) host asset search.
type HostAsset struct {
	ID                 int64
	Name               string
	Created            time.Time
	Modified           time.Time
	Type               string
	QWebHostID         int64 // the VM host ID (HOST/ID of the VM APIs)
	DNSHostName        string
	FQDN               string
	NetbiosName        string
	Address            string
	OS                 string
	TrackingMethod     string
	LastVulnScan       time.Time
	LastComplianceScan time.Time
	LastSystemBoot     time.Time
	Tags               []Tag
	Interfaces         []HostAssetInterface
	// Agent is agentInfo, nil when absent (the asset has no Cloud Agent).
	Agent *AgentInfo
	// CloudSources are the cloud entries of sourceInfo (EC2, Azure, GCP), in the order sent.
	CloudSources []CloudSource
	// Criticality is criticality (or criticality/score) when QPS sends it; the documented
	// HostAsset has no such element, so it is usually 0.
	Criticality int
}

// HostAssetInterface is networkInterface/list/HostAssetInterface.
type HostAssetInterface struct {
	Hostname       string
	InterfaceID    string // a number on some hosts, text (eni-...) on cloud hosts
	InterfaceName  string
	MACAddress     string
	Type           string
	Address        string
	GatewayAddress string
}

// AgentInfo is HostAsset/agentInfo.
type AgentInfo struct {
	AgentID      string
	AgentVersion string
	Status       string
}

// ServiceResponse is the paging and status frame of a QPS response.
type ServiceResponse struct {
	// Code is responseCode: SUCCESS, or an error such as UNAUTHORIZED or INVALID_CREDENTIALS.
	Code string
	// ErrorMessage is responseErrorDetails/errorMessage, set with an error Code.
	ErrorMessage   string
	Count          int
	HasMoreRecords bool
	// LastID is the id to page from: the next request asks for id GREATER than it.
	LastID int64
}

// ServiceError is the sticky error a QPS response with a responseCode other than SUCCESS ends
// with (QPS may report bad credentials this way under HTTP 200).
type ServiceError struct {
	Code    string
	Message string
}

// Error reports the QPS responseCode and message.
func (e *ServiceError) Error() string {
	if e.Message == "" {
		return "qps: responseCode " + e.Code
	}
	return "qps: responseCode " + e.Code + ": " + e.Message
}

// HostAssets decodes a QPS host asset search response (ServiceResponse) one HostAsset at a time.
// The paging fields may come before or after data; Response is complete after io.EOF. A response
// whose responseCode is not SUCCESS ends with a *ServiceError instead of io.EOF, so an error page
// can never pass for an empty one.
type HostAssets struct {
	// MaxElementBytes limits one tag or one element's text; a longer text makes its record a
	// *RecordError, a longer tag is a stream error. Default DefaultMaxElementBytes.
	MaxElementBytes int

	s       scanner
	env     envelope
	started bool
	inData  bool
	err     error
	resp    ServiceResponse
}

// NewHostAssets returns a decoder reading a QPS hostasset ServiceResponse from r.
func NewHostAssets(r io.Reader) *HostAssets {
	d := &HostAssets{}
	d.s.r = r
	d.env = envelope{root: "ServiceResponse"}
	return d
}

// Read returns the next host asset, a new *HostAsset each time. It returns io.EOF after the
// document ended cleanly (and responseCode was SUCCESS); a *RecordError means one asset was
// skipped; any other error, *ServiceError included, is sticky.
func (d *HostAssets) Read() (*HostAsset, error) {
	if d.err != nil {
		return nil, d.err
	}
	if !d.started {
		d.started = true
		d.s.init(d.s.r, d.MaxElementBytes)
	}
	a, err := d.advance()
	if err != nil && !isRecordError(err) {
		if err == io.EOF && d.resp.Code != "SUCCESS" {
			err = &ServiceError{Code: d.resp.Code, Message: d.resp.ErrorMessage}
		}
		d.err = err
	}
	return a, err
}

// Response returns the responseCode and paging fields read so far; complete after Read returned
// io.EOF (or a *ServiceError).
func (d *HostAssets) Response() ServiceResponse { return d.resp }

// UnreadableFields lists the fields of the asset Read returned last that could not be read and
// are absent from it (paths start at HostAsset); nil when none. Valid until the next call.
func (d *HostAssets) UnreadableFields() []FieldError { return d.s.unreadable() }

// InputOffset returns the input offset of the decoder, in bytes read from r.
func (d *HostAssets) InputOffset() int64 { return d.s.offset() }

func (d *HostAssets) advance() (*HostAsset, error) {
	s := &d.s
	for {
		if !d.inData {
			if err := d.env.next(s); err != nil {
				return nil, err
			}
			d.responseField()
			continue
		}
		switch s.next() {
		case tokErr:
			return nil, s.err
		case tokEnd:
			d.inData = false
		case tokStart:
			if string(s.name) == "HostAsset" {
				return d.readAsset()
			}
			s.skip()
		}
	}
}

// responseField reads a child of ServiceResponse other than data's records.
func (d *HostAssets) responseField() {
	s := &d.s
	switch string(s.name) {
	case "data":
		d.inData = !s.empty
		return
	case "responseCode":
		d.resp.Code = s.intern()
	case "count", "COUNT":
		d.resp.Count = s.int()
	case "hasMoreRecords":
		d.resp.HasMoreRecords = s.bool()
	case "lastId":
		d.resp.LastID = s.int64()
	case "responseErrorDetails":
		for s.next() == tokStart {
			if string(s.name) == "errorMessage" {
				d.resp.ErrorMessage = s.str()
			} else {
				s.skip()
			}
		}
	default:
		s.skip()
	}
	// A malformed paging field is no record's field; it reads as zero.
	s.lost = s.lost[:0]
}

func (d *HostAssets) readAsset() (*HostAsset, error) {
	s := &d.s
	a := &HostAsset{}
	off := s.tagOff
	s.beginRecord()
	if !s.empty {
		for s.next() == tokStart {
			d.assetField(a)
		}
		if s.err != nil {
			return nil, s.err
		}
	}
	if a.ID <= 0 {
		return nil, s.missingID(off, "id")
	}
	return a, nil
}

func (d *HostAssets) assetField(a *HostAsset) {
	s := &d.s
	switch string(s.name) {
	case "id":
		a.ID = s.int64()
	case "name":
		a.Name = s.str()
	case "created":
		a.Created = s.time()
	case "modified":
		a.Modified = s.time()
	case "type":
		a.Type = s.intern()
	case "qwebHostId":
		a.QWebHostID = s.int64()
	case "dnsHostName":
		a.DNSHostName = s.str()
	case "fqdn":
		a.FQDN = s.str()
	case "netbiosName":
		a.NetbiosName = s.str()
	case "address":
		a.Address = s.str()
	case "os":
		a.OS = s.intern()
	case "trackingMethod":
		a.TrackingMethod = s.intern()
	case "lastVulnScan":
		a.LastVulnScan = s.time()
	case "lastComplianceScan":
		a.LastComplianceScan = s.time()
	case "lastSystemBoot":
		a.LastSystemBoot = s.time()
	case "tags":
		a.Tags = qpsList(s, "TagSimple", a.Tags, tagSimple)
	case "networkInterface":
		a.Interfaces = qpsList(s, "HostAssetInterface", a.Interfaces, assetInterface)
	case "agentInfo":
		a.Agent = d.agentInfo()
	case "sourceInfo":
		a.CloudSources = s.sourceInfo(a.CloudSources)
	case "criticality":
		a.Criticality = d.criticality()
	default:
		s.skip()
	}
}

// qpsList reads <X><list><item/>...</list></X>, the QPS list shape (other children such as count
// are skipped), appending each item read by read. One item is a list of one.
func qpsList[T any](s *scanner, item string, dst []T, read func(*scanner, *T)) []T {
	if s.empty {
		return dst
	}
	for s.next() == tokStart {
		if string(s.name) != "list" || s.empty {
			s.skip()
			continue
		}
		for s.next() == tokStart {
			if string(s.name) != item {
				s.skip()
				continue
			}
			var v T
			if !s.empty {
				read(s, &v)
			}
			dst = append(dst, v)
		}
	}
	return dst
}

func tagSimple(s *scanner, t *Tag) {
	for s.next() == tokStart {
		switch string(s.name) {
		case "id":
			t.ID = s.int64()
		case "name":
			t.Name = s.intern()
		default:
			s.skip()
		}
	}
}

func assetInterface(s *scanner, n *HostAssetInterface) {
	for s.next() == tokStart {
		switch string(s.name) {
		case "hostname":
			n.Hostname = s.str()
		case "interfaceId":
			n.InterfaceID = s.str()
		case "interfaceName":
			n.InterfaceName = s.intern()
		case "macAddress":
			n.MACAddress = s.str()
		case "type":
			n.Type = s.intern()
		case "address":
			n.Address = s.str()
		case "gatewayAddress":
			n.GatewayAddress = s.str()
		default:
			s.skip()
		}
	}
}

func (d *HostAssets) agentInfo() *AgentInfo {
	s := &d.s
	ai := &AgentInfo{}
	if s.empty {
		return ai
	}
	for s.next() == tokStart {
		switch string(s.name) {
		case "agentId":
			ai.AgentID = s.str()
		case "agentVersion":
			ai.AgentVersion = s.intern()
		case "status":
			ai.Status = s.intern()
		default:
			s.skip()
		}
	}
	return ai
}

// criticality reads criticality as a number, or its score child.
func (d *HostAssets) criticality() int {
	s := &d.s
	if s.leaf || s.empty {
		return s.int()
	}
	v := 0
	for s.next() == tokStart {
		if string(s.name) == "score" {
			v = s.int()
		} else {
			s.skip()
		}
	}
	return v
}
