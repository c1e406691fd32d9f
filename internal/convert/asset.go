// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package convert // import "github.com/seed-d80aa3af/qualysreceiver/internal/convert"

import (
	"slices"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/seed-d80aa3af/qualysreceiver/internal/decode"
)

// Asset is one host as the assets stream merges it: the Host List host (details=All) and its
// asset-management host asset, nil when the stream has none for it. Host List is the authority for
// the identity and for what both APIs say; the host asset adds the network interfaces, the FQDN and
// the modified date, and fills what Host List left empty.
type Asset struct {
	Host      *decode.Host
	HostAsset *decode.HostAsset
}

// Identity is the asset's host identity: HostFromVM of its Host List host, exactly what its
// detections carry. The host asset never changes it (its FQDN and name go on the record).
func (a Asset) Identity() HostIdentity { return HostFromVM(a.Host) }

// FillResource writes the host identity on res, plus host.mac: the distinct MAC addresses of the
// host asset's interfaces in IEEE RA form, in interface order.
func (a Asset) FillResource(res pcommon.Resource) {
	id := a.Identity()
	id.FillResource(res)
	a.putCloud(res.Attributes())
	if macs := a.MACs(); len(macs) > 0 {
		s := res.Attributes().PutEmptySlice(AttrHostMAC)
		s.EnsureCapacity(len(macs))
		for _, m := range macs {
			s.AppendEmpty().SetStr(m)
		}
	}
}

// MACs returns the distinct MAC addresses of the host asset's interfaces in IEEE RA form; text
// that is no MAC address is left out.
func (a Asset) MACs() []string {
	if a.HostAsset == nil {
		return nil
	}
	var out []string
	for _, n := range a.HostAsset.Interfaces {
		if m := MAC(n.MACAddress); m != "" && !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out
}

// Time is when the asset last changed: the host asset's modified date, else the Host List's last
// activity. A backend sorts assets by it; the poll time is the observed time.
func (a Asset) Time() time.Time {
	if a.HostAsset != nil && !a.HostAsset.Modified.IsZero() {
		return a.HostAsset.Modified
	}
	return a.Host.LastActivity
}

// TrackingMethod is how Qualys tracks the asset (IP, DNSNAME, NETBIOS, INSTANCE_ID, QAGENT, ...).
func (a Asset) TrackingMethod() string {
	if a.Host.TrackingMethod == "" && a.HostAsset != nil {
		return a.HostAsset.TrackingMethod
	}
	return a.Host.TrackingMethod
}

// AssetRecord writes the asset's one log record into lr. Fields Qualys left empty (or 0) are left
// out, not written as zero, so a backend can tell "not reported" from a value.
func AssetRecord(lr plog.LogRecord, a Asset, observed time.Time) {
	lr.SetEventName(EventAsset)
	lr.SetObservedTimestamp(pcommon.NewTimestampFromTime(observed))
	if t := a.Time(); !t.IsZero() {
		lr.SetTimestamp(pcommon.NewTimestampFromTime(t))
	}
	h, ha := a.Host, a.HostAsset
	if ha == nil {
		ha = &decode.HostAsset{}
	}
	attrs := lr.Attributes()
	attrs.EnsureCapacity(32)
	putTags(attrs, h.Tags, ha.Tags)
	putStr(attrs, AttrAssetTrackingMethod, a.TrackingMethod())
	putStr(attrs, AttrAssetSerialNumber, h.SerialNumber)
	putStr(attrs, AttrAssetFQDN, first(ha.FQDN, h.DNSData.FQDN))
	putStr(attrs, AttrAssetNetBIOS, first(h.NetBIOS, ha.NetbiosName))
	putInterfaces(attrs, ha.Interfaces)
	putPositive(attrs, AttrAssetCriticality, first(h.AssetCriticalityScore, ha.Criticality))
	putPositive(attrs, AttrAssetTruRisk, h.TruRiskScore)
	putTime(attrs, AttrAssetLastVMScan, firstTime(h.LastVulnScanDatetime, h.LastVMScannedDate, h.LastScanDatetime, ha.LastVulnScan))
	putTime(attrs, AttrAssetLastVMAuthScan, h.LastVMAuthScannedDate)
	putTime(attrs, AttrAssetLastPCScan, firstTime(h.LastComplianceScanDatetime, h.LastPCScannedDate, ha.LastComplianceScan))
	putTime(attrs, AttrAssetLastActivity, h.LastActivity)
	putTime(attrs, AttrAssetFirstFound, firstTime(h.FirstFoundDate, ha.Created))
	putTime(attrs, AttrAssetModified, ha.Modified)
	agent := h.AgentStatus
	if agent == "" && ha.Agent != nil {
		agent = ha.Agent.Status
	}
	putStr(attrs, AttrAssetAgentStatus, agent)
	putPositive(attrs, AttrAssetNetworkID, h.NetworkID)
	putStr(attrs, AttrAssetQGHostID, h.QGHostID)
	putStr(attrs, AttrAssetCloudService, h.CloudService)
	putStr(attrs, AttrAssetName, ha.Name)
	putTime(attrs, AttrAssetLastBoot, firstTime(h.LastBoot, ha.LastSystemBoot))
	putStr(attrs, AttrAssetHardwareUUID, h.HardwareUUID)
	putPositive(attrs, AttrAssetRiskScore, h.AssetRiskScore)
	putStr(attrs, AttrAssetOSCPE, h.OSCPE)
	if ha.Agent != nil {
		putStr(attrs, AttrAssetAgentID, ha.Agent.AgentID)
		putStr(attrs, AttrAssetAgentVersion, ha.Agent.AgentVersion)
	}
	if src := a.CloudSource(); src != nil {
		putStr(attrs, AttrAssetCloudState, src.State)
		putCloudTags(attrs, src.Tags)
	}
}

// putTags writes the tag names, Host List's (TAGS/TAG/NAME) or else the host asset's.
func putTags(attrs pcommon.Map, tags, assetTags []decode.Tag) {
	if len(tags) == 0 {
		tags = assetTags
	}
	var names []string
	for _, t := range tags {
		if t.Name != "" && !slices.Contains(names, t.Name) {
			names = append(names, t.Name)
		}
	}
	if len(names) == 0 {
		return
	}
	s := attrs.PutEmptySlice(AttrAssetTags)
	s.EnsureCapacity(len(names))
	for _, n := range names {
		s.AppendEmpty().SetStr(n)
	}
}

// putInterfaces writes the network interfaces as a list of maps, and their distinct gateway
// addresses as a list of their own (the field Microsoft's connector reads). QPS lists an interface
// once per address, so entries stay as QPS sends them.
func putInterfaces(attrs pcommon.Map, nics []decode.HostAssetInterface) {
	if len(nics) == 0 {
		return
	}
	var gateways []string
	list := attrs.PutEmptySlice(AttrAssetInterfaces)
	list.EnsureCapacity(len(nics))
	for _, n := range nics {
		m := list.AppendEmpty().SetEmptyMap()
		putStr(m, AttrInterfaceName, n.InterfaceName)
		putStr(m, AttrInterfaceMAC, MAC(n.MACAddress))
		putStr(m, AttrInterfaceAddress, normalizeIPOrEmpty(n.Address))
		g := normalizeIPOrEmpty(n.GatewayAddress)
		putStr(m, AttrInterfaceGateway, g)
		putStr(m, AttrInterfaceHostname, n.Hostname)
		putStr(m, AttrInterfaceTypeOfMember, n.Type)
		if g != "" && !slices.Contains(gateways, g) {
			gateways = append(gateways, g)
		}
	}
	if len(gateways) > 0 {
		s := attrs.PutEmptySlice(AttrAssetGateways)
		s.EnsureCapacity(len(gateways))
		for _, g := range gateways {
			s.AppendEmpty().SetStr(g)
		}
	}
}

func normalizeIPOrEmpty(s string) string {
	if s == "" {
		return ""
	}
	return normalizeIP(s)
}

func putPositive[T int | int64](a pcommon.Map, key string, v T) {
	if v > 0 {
		a.PutInt(key, int64(v))
	}
}

// first returns the first of values that is not the zero value.
func first[T int | string](values ...T) T {
	var zero T
	for _, v := range values {
		if v != zero {
			return v
		}
	}
	return zero
}

// firstTime returns the first of times that is set.
func firstTime(times ...time.Time) time.Time {
	for _, t := range times {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}
