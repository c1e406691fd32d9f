// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"fmt"
	"strings"
	"time"
)

// Host is one generated host with every attribute any endpoint shows; each endpoint prints its
// own subset (Host List Detection has no MAC addresses, QPS host assets have no TruRisk, ...).
type Host struct {
	Index          int
	ID             uint64 // Qualys host ID (HOST/ID, qwebHostId)
	AssetID        uint64 // asset ID (HOST/ASSET_ID, HostAsset/id)
	IP             string
	IPv6           string // empty for most hosts
	TrackingMethod string // IP, DNSNAME, NETBIOS, QAGENT, INSTANCE_ID
	OS             string
	OSCPE          string
	OSFamily       string // Windows, Linux, macOS, Network
	TechnologyID   uint64 // PC technology of the OS
	TechnologyName string
	DNS            string // empty when the host has no DNS name
	Hostname       string
	Domain         string
	FQDN           string
	NetBIOS        string
	CloudProvider  string // AWS, Azure, GCP or empty
	CloudService   string
	CloudResource  string
	EC2InstanceID  string
	Cloud          CloudSource // the host asset's sourceInfo, cloud hosts only
	QGHostID       string      // Cloud Agent host ID, agent hosts only
	AgentID        string
	AgentVersion   string
	SerialNumber   string
	HardwareUUID   string
	Interfaces     []Interface
	Tags           []Tag
	TruRisk        int // 0-1000
	Criticality    int // asset criticality score 1-5
	FirstFound     time.Time
	LastBoot       time.Time
	LastScan       time.Time // LAST_SCAN_DATETIME
	LastVMScanned  time.Time
	VMScanDuration int       // seconds
	LastAuthScan   time.Time // zero when never authenticated-scanned
	LastPCScanned  time.Time // zero when in no policy
	VMProcessed    time.Time // what vm_processed_after/before compare
	Modified       time.Time // asset last update (QPS modified/updated)
}

// Interface is one network interface of a host.
type Interface struct {
	ID       int
	Name     string
	MAC      string
	Address  string
	Gateway  string
	Hostname string
}

// Tag is one asset tag of the tenant's tag pool.
type Tag struct {
	ID    uint64
	Name  string
	Color string
}

// Host returns host i (0 <= i < HostCount), with mutations applied.
func (t *Tenant) Host(i int) Host {
	var h Host
	t.fillHost(&h, i)
	return h
}

// HostByID returns the host with this ID.
func (t *Tenant) HostByID(id uint64) (Host, bool) {
	i, ok := t.HostIndex(id)
	if !ok {
		return Host{}, false
	}
	return t.Host(i), true
}

func (t *Tenant) fillHost(h *Host, i int) {
	r := newRNG(t.seed, kindHost, uint64(i), 0)
	os := osTable[r.weighted(osWeights)]
	*h = Host{Index: i, ID: t.HostID(i), AssetID: t.assetID(i), OS: os.name, OSCPE: os.cpe,
		OSFamily: os.family, TechnologyID: os.techID, TechnologyName: os.techName}
	h.IP = ipv4(i)
	if r.chance(25) {
		h.IPv6 = fmt.Sprintf("fd00:%x:%x::%x", t.seed&0xffff, i>>16, i&0xffff+1)
	}
	if os.family != "Network" && r.chance(20) {
		t.fillCloud(h, &r)
	}
	t.fillNames(h, os, &r)
	h.TrackingMethod = trackingMethod(h, &r)
	if h.TrackingMethod == "QAGENT" {
		h.QGHostID = uuidFrom(r.next(), r.next())
		h.AgentID = uuidFrom(r.next(), r.next())
		h.AgentVersion = fmt.Sprintf("6.%d.0.%d", r.intn(4), r.between(20, 99))
	}
	h.SerialNumber, h.HardwareUUID = serialNumber(os.family, &r), uuidFrom(r.next(), r.next())
	h.Interfaces = t.interfaces(h, i, &r)
	h.Criticality = 1 + r.weighted([]int{10, 20, 35, 25, 10})
	h.TruRisk = min(1000, h.Criticality*150+r.intn(300))
	t.fillDates(h, &r)
	h.Tags = t.hostTags(i, os.family)
	if at, ok := t.ov.hostProcessed(h.ID); ok {
		h.touch(at)
	}
	if at, ok := t.ov.hostJoined(h.ID); ok && !h.LastPCScanned.IsZero() {
		h.LastPCScanned = at // its policies first evaluated it when it joined
	}
}

func (t *Tenant) fillCloud(h *Host, r *rng) {
	switch r.weighted([]int{60, 25, 15}) {
	case 0:
		h.CloudProvider, h.CloudService = "AWS", "EC2"
		h.EC2InstanceID = fmt.Sprintf("i-0%016x", r.next())
		h.CloudResource = h.EC2InstanceID
	case 1:
		h.CloudProvider, h.CloudService = "Azure", "VM"
		h.CloudResource = fmt.Sprintf("/subscriptions/%s/resourceGroups/rg-prod/providers/Microsoft.Compute/virtualMachines/vm-%d",
			uuidFrom(t.seed, 7), h.Index)
	default:
		h.CloudProvider, h.CloudService = "GCP", "COMPUTE"
		h.CloudResource = fmt.Sprintf("%d", 1_000_000_000_000_000_000+r.next()%8_000_000_000_000_000_000)
	}
	t.fillCloudSource(h)
}

func (t *Tenant) fillNames(h *Host, os osInfo, r *rng) {
	hasDNS := r.chance(92)
	if os.family == "Network" {
		hasDNS = r.chance(70)
	}
	h.Hostname = fmt.Sprintf("%s-%04d", os.role, h.Index)
	h.Domain = r.pick(domains)
	if h.CloudProvider == "AWS" {
		h.Hostname, h.Domain = "ip-"+strings.ReplaceAll(h.IP, ".", "-"), "ec2.internal"
	}
	if hasDNS {
		h.FQDN = h.Hostname + "." + h.Domain
		h.DNS = h.FQDN
	}
	if os.family == "Windows" {
		h.NetBIOS = strings.ToUpper(h.Hostname)
		h.NetBIOS = h.NetBIOS[:min(15, len(h.NetBIOS))]
	}
}

func trackingMethod(h *Host, r *rng) string {
	switch {
	case h.CloudProvider == "AWS":
		return []string{"INSTANCE_ID", "QAGENT", "IP"}[r.weighted([]int{40, 40, 20})]
	case h.OSFamily == "Network":
		return []string{"IP", "DNSNAME"}[r.weighted([]int{70, 30})]
	case h.OSFamily == "Windows":
		return []string{"QAGENT", "IP", "DNSNAME", "NETBIOS"}[r.weighted([]int{35, 30, 15, 20})]
	}
	return []string{"QAGENT", "IP", "DNSNAME"}[r.weighted([]int{40, 40, 20})]
}

func serialNumber(family string, r *rng) string {
	switch {
	case family == "Network":
		return fmt.Sprintf("FTX%04d%04X", r.intn(10000), r.intn(0x10000))
	case family == "macOS":
		return fmt.Sprintf("C02%07X", r.intn(0x10000000))
	case r.chance(60):
		b := r.next()
		c := r.next()
		return fmt.Sprintf("VMware-56 4d %02x %02x %02x %02x %02x %02x-%02x %02x %02x %02x %02x %02x %02x %02x",
			byte(b), byte(b>>8), byte(b>>16), byte(b>>24), byte(b>>32), byte(b>>40),
			byte(c), byte(c>>8), byte(c>>16), byte(c>>24), byte(c>>32), byte(c>>40), byte(c>>48), byte(c>>56))
	}
	return fmt.Sprintf("5CD%04d%c%c%c", r.intn(10000), 'A'+r.intn(26), 'A'+r.intn(26), 'A'+r.intn(26))
}

func (t *Tenant) interfaces(h *Host, i int, r *rng) []Interface {
	names := interfaceNames[h.OSFamily]
	n := 1
	if r.chance(30) {
		n = 2
	}
	out := make([]Interface, n)
	for k := range out {
		addr := h.IP
		if k == 1 {
			addr = fmt.Sprintf("192.168.%d.%d", (i/250)%250, i%250+1)
		}
		b := r.next()
		out[k] = Interface{ID: k + 1, Name: names[k], Address: addr, Gateway: gatewayOf(addr), Hostname: h.Hostname,
			MAC: fmt.Sprintf("00:50:56:%02x:%02x:%02x", byte(b), byte(b>>8), byte(b>>16))}
	}
	return out
}

// fillDates spreads scan dates so that about 12 % of hosts were last scanned more than 90 days
// before BaseTime (the "modified within 90 days" window of the assets stream excludes them).
func (t *Tenant) fillDates(h *Host, r *rng) {
	var ageDays int
	switch r.weighted([]int{70, 18, 12}) {
	case 0:
		ageDays = r.intn(30)
	case 1:
		ageDays = r.between(30, 89)
	default:
		ageDays = r.between(91, 400)
	}
	h.VMScanDuration = r.between(60, 3600)
	h.LastScan = t.ago(ageDays*day + r.between(3600, day))
	h.LastVMScanned = h.LastScan.Add(-time.Duration(h.VMScanDuration) * time.Second)
	h.VMProcessed = t.notAfterBase(h.LastScan.Add(time.Duration(r.between(30, 1800)) * time.Second))
	h.Modified = t.notAfterBase(h.VMProcessed.Add(time.Duration(r.intn(600)) * time.Second))
	h.FirstFound = h.LastScan.Add(-time.Duration(r.between(30, 1500)*day) * time.Second)
	h.LastBoot = h.LastScan.Add(-time.Duration(r.between(3600, 60*day)) * time.Second)
	if h.TrackingMethod == "QAGENT" || r.chance(50) {
		h.LastAuthScan = h.LastVMScanned
	}
	if t.inAnyPolicy(h.Index) {
		h.LastPCScanned = h.LastScan.Add(-time.Duration(r.intn(3*day)) * time.Second)
	}
}

// touch applies TouchHost: the host was scanned and processed at `at`.
func (h *Host) touch(at time.Time) {
	h.LastScan = at
	h.LastVMScanned = at.Add(-time.Duration(h.VMScanDuration) * time.Second)
	if !h.LastAuthScan.IsZero() {
		h.LastAuthScan = h.LastVMScanned
	}
	h.VMProcessed, h.Modified = at, at
}

func (t *Tenant) notAfterBase(at time.Time) time.Time {
	if at.After(t.cfg.BaseTime) {
		return t.cfg.BaseTime
	}
	return at
}

func (t *Tenant) hostTags(i int, family string) []Tag {
	var out []Tag
	for k, tag := range t.tags {
		def := tagDefs[k%len(tagDefs)]
		if k >= len(tagDefs) {
			def = tagDef{pct: 10}
		}
		in := def.families == family
		if def.families == "" {
			in = hash3(t.seed, kindHostTag, uint64(i), uint64(k))%100 < uint64(def.pct)
		}
		if in {
			out = append(out, tag)
		}
	}
	return out
}

func (t *Tenant) makeTags() []Tag {
	tags := make([]Tag, t.cfg.Tags)
	id := 7_000_000 + mix64(t.seed+5)%1000*1000
	for k := range tags {
		id += 1 + hash3(t.seed, kindTag, uint64(k), 0)%40
		def := tagDefs[k%len(tagDefs)]
		name := def.name
		if k >= len(tagDefs) {
			name = fmt.Sprintf("Business Unit %02d", k-len(tagDefs)+1)
		}
		tags[k] = Tag{ID: id, Name: name, Color: def.color}
	}
	return tags
}

// Tags returns the tenant's tag pool.
func (t *Tenant) Tags() []Tag { return append([]Tag(nil), t.tags...) }

// ipv4 gives host i a unique address in 10.0.0.0/8 (unique up to 15.6 million hosts).
func ipv4(i int) string {
	return fmt.Sprintf("10.%d.%d.%d", (i/62500)%256, (i/250)%250, i%250+1)
}

func gatewayOf(addr string) string {
	if k := strings.LastIndexByte(addr, '.'); k > 0 {
		return addr[:k] + ".254"
	}
	return ""
}

func uuidFrom(a, b uint64) string {
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", uint32(a>>32), uint16(a>>16), uint16(a)&0xfff,
		uint16(b>>48)&0x3fff|0x8000, b&0xffffffffffff)
}
