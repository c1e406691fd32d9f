// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"strconv"
	"time"
)

// Host is a VM host as Host List Detection and Host List describe it.
// Both APIs fill it through one parser, so a host looks the same whichever stream read it; fields
// an API (or the request's options) does not return stay zero.
type Host struct {
	ID             int64
	AssetID        int64
	IP             string
	IPv6           string
	TrackingMethod string
	NetworkID      int64
	OS             string
	OSCPE          string
	DNS            string
	DNSData        DNSData
	CloudProvider  string
	CloudService   string
	// CloudResourceID is the cloud instance or resource ID.
	CloudResourceID string
	EC2InstanceID   string
	NetBIOS         string
	QGHostID        string
	SerialNumber    string
	HardwareUUID    string

	LastScanDatetime           time.Time
	LastVMScannedDate          time.Time
	LastVMAuthScannedDate      time.Time
	LastPCScannedDate          time.Time
	LastVulnScanDatetime       time.Time // Host List
	LastComplianceScanDatetime time.Time // Host List
	LastBoot                   time.Time // Host List
	FirstFoundDate             time.Time // Host List
	// LastActivity is LAST_ACTIVITY (or LAST_ACTIVITY_DATE): the host's last update, Host List.
	LastActivity        time.Time
	AgentStatus         string // Host List
	CloudAgentRunningOn string // Host List

	Tags                  []Tag
	AssetRiskScore        int
	TruRiskScore          int
	AssetCriticalityScore int
}

// DNSData is HOST/DNS_DATA.
type DNSData struct {
	Hostname string
	Domain   string
	FQDN     string
}

// Tag is an asset tag (HOST/TAGS/TAG).
type Tag struct {
	ID   int64
	Name string
}

// hostField reads the HOST child element whose start tag next just returned into h. It reports
// false for elements it does not know, which the caller handles or skips. Elements the receiver
// does not emit (LAST_VM_SCANNED_DURATION, for example) are left to be skipped, so a malformed one
// is never reported.
func (s *scanner) hostField(h *Host) bool {
	switch string(s.name) {
	case "ID":
		h.ID = s.int64()
	case "ASSET_ID":
		h.AssetID = s.int64()
	case "IP":
		h.IP = s.str()
	case "IPV6":
		h.IPv6 = s.str()
	case "TRACKING_METHOD":
		h.TrackingMethod = s.intern()
	case "NETWORK_ID":
		h.NetworkID = s.int64()
	case "OS":
		h.OS = s.intern()
	case "OS_CPE":
		h.OSCPE = s.intern()
	case "DNS":
		h.DNS = s.str()
	case "DNS_DATA":
		s.dnsData(&h.DNSData)
	case "CLOUD_PROVIDER":
		h.CloudProvider = s.intern()
	case "CLOUD_SERVICE":
		h.CloudService = s.intern()
	case "CLOUD_RESOURCE_ID":
		h.CloudResourceID = s.str()
	case "EC2_INSTANCE_ID":
		h.EC2InstanceID = s.str()
	case "NETBIOS":
		h.NetBIOS = s.str()
	case "QG_HOSTID":
		h.QGHostID = s.str()
	case "SERIAL_NUMBER":
		h.SerialNumber = s.str()
	case "HARDWARE_UUID":
		h.HardwareUUID = s.str()
	case "LAST_SCAN_DATETIME":
		h.LastScanDatetime = s.time()
	case "LAST_VM_SCANNED_DATE":
		h.LastVMScannedDate = s.time()
	case "LAST_VM_AUTH_SCANNED_DATE":
		h.LastVMAuthScannedDate = s.time()
	case "LAST_PC_SCANNED_DATE":
		h.LastPCScannedDate = s.time()
	case "LAST_VULN_SCAN_DATETIME":
		h.LastVulnScanDatetime = s.time()
	case "LAST_COMPLIANCE_SCAN_DATETIME":
		h.LastComplianceScanDatetime = s.time()
	case "LAST_BOOT":
		h.LastBoot = s.time()
	case "FIRST_FOUND_DATE":
		h.FirstFoundDate = s.time()
	case "LAST_ACTIVITY", "LAST_ACTIVITY_DATE":
		h.LastActivity = s.time()
	case "AGENT_STATUS":
		h.AgentStatus = s.intern()
	case "CLOUD_AGENT_RUNNING_ON":
		h.CloudAgentRunningOn = s.intern()
	case "TAGS":
		h.Tags = s.tags(h.Tags[:0])
	case "ASSET_RISK_SCORE":
		h.AssetRiskScore = s.int()
	case "TRURISK_SCORE":
		h.TruRiskScore = s.int()
	case "ASSET_CRITICALITY_SCORE":
		h.AssetCriticalityScore = s.int()
	default:
		return false
	}
	return true
}

func (s *scanner) dnsData(d *DNSData) {
	if s.empty {
		return
	}
	for s.next() == tokStart {
		switch string(s.name) {
		case "HOSTNAME":
			d.Hostname = s.str()
		case "DOMAIN":
			d.Domain = s.intern()
		case "FQDN":
			d.FQDN = s.str()
		default:
			s.skip()
		}
	}
}

// tags reads TAGS/TAG (one TAG is a list of one).
func (s *scanner) tags(dst []Tag) []Tag {
	if s.empty {
		return dst
	}
	for s.next() == tokStart {
		if string(s.name) != "TAG" || s.empty {
			s.skip()
			continue
		}
		var t Tag
		for s.next() == tokStart {
			switch string(s.name) {
			case "TAG_ID":
				t.ID = s.int64()
			case "NAME":
				t.Name = s.intern()
			default:
				s.skip()
			}
		}
		dst = append(dst, t)
	}
	return dst
}

// hostCheck is the record error of a host without a usable ID, else nil.
func (s *scanner) hostCheck(h *Host, off int64) error {
	if h.ID <= 0 {
		return s.missingID(off, "ID")
	}
	return nil
}

func idString(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}
