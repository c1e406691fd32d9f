// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"time"
)

// TenantConfig sizes a generated tenant. Zero fields take the defaults below; a negative count
// means "none" (for example DetectionsPerHost: -1 gives hosts without detections).
type TenantConfig struct {
	// Seed selects the tenant: the same seed and sizes give the same data, byte for byte.
	Seed uint64
	// Hosts is the number of hosts (default 25). Millions are fine: nothing is stored per host.
	Hosts int
	// DetectionsPerHost is the average number of detections per host (default 8); host counts vary
	// from 0 to twice the average. Information-gathered detections are part of it.
	DetectionsPerHost int
	// QIDs is the size of the KnowledgeBase (default 400, at most 989000).
	QIDs int
	// Tags is the size of the tag pool (default 12).
	Tags int
	// Policies is the number of compliance policies (default 3).
	Policies int
	// ControlsPerPolicy is the number of controls in each policy (default 12).
	ControlsPerPolicy int
	// HostsPerPolicy is the number of hosts each policy applies to (default three quarters of the
	// hosts, at least 1; capped at Hosts).
	HostsPerPolicy int
	// LaterHosts is how many of the Hosts, the ones with the highest IDs, join the tenant only
	// through AddHost, one per call in ascending order (default none): a tenant that grows.
	LaterHosts int
	// ResultsBytes is the typical size of a detection's RESULTS text (default 160); actual sizes vary
	// between half and one and a half times this.
	ResultsBytes int
	// BaseTime is the tenant's "now": every generated date is at or before it (default
	// 2026-01-15T12:00:00Z, fixed so that output does not depend on the wall clock).
	BaseTime time.Time
}

// DefaultBaseTime is the BaseTime of a TenantConfig that leaves it zero.
var DefaultBaseTime = time.Date(2026, time.January, 15, 12, 0, 0, 0, time.UTC)

const (
	defaultHosts             = 25
	defaultDetectionsPerHost = 8
	defaultQIDs              = 400
	maxQIDs                  = 989000
	defaultTags              = 12
	defaultPolicies          = 3
	defaultControlsPerPolicy = 12
	defaultResultsBytes      = 160

	// IDs start at realistic magnitudes; the strides leave gaps between neighbours as in real
	// tenants, where IDs come from a subscription-wide sequence.
	hostIDStride   = 6
	assetIDStride  = 4
	qidBase        = 11000
	qidSpan        = 989000
	postureIDBase  = 5_000_000_000
	uniqueVulnMult = 1_000_000
)

// Tenant is a deterministic generated Qualys subscription. All methods are safe for concurrent
// use; the mutation methods (SetDetectionStatus, TouchHost, ...) take effect for every later read.
type Tenant struct {
	cfg            TenantConfig
	seed           uint64
	hostBase       uint64
	assetBase      uint64
	qidStride      uint64
	detStride      int
	policyOffset   int
	subscriptionID uint64
	customerUUID   string
	tags           []Tag
	policies       []Policy
	ov             overrides
}

// NewTenant builds a tenant. It precomputes only the small pools (tags, policies and their
// controls); hosts, detections, KnowledgeBase entries and postures are computed when read.
func NewTenant(cfg TenantConfig) *Tenant {
	cfg = cfg.withDefaults()
	t := &Tenant{cfg: cfg, seed: cfg.Seed}
	t.hostBase = 100_000 + (mix64(cfg.Seed)%97)*10_000
	t.assetBase = 20_000_000 + (mix64(cfg.Seed+1)%89)*100_000
	t.qidStride = uint64(max(1, min(97, qidSpan/max(cfg.QIDs, 1))))
	t.detStride = coprimeStride(cfg.QIDs)
	if cfg.Policies > 0 {
		t.policyOffset = max(1, cfg.Hosts/(cfg.Policies+1))
	}
	t.subscriptionID = 100_000 + mix64(cfg.Seed+2)%900_000
	t.customerUUID = uuidFrom(mix64(cfg.Seed+3), mix64(cfg.Seed+4))
	t.tags = t.makeTags()
	t.policies = t.makePolicies()
	t.ov.init()
	return t
}

func (c TenantConfig) withDefaults() TenantConfig {
	def := func(v *int, d int) {
		switch {
		case *v == 0:
			*v = d
		case *v < 0:
			*v = 0
		}
	}
	def(&c.Hosts, defaultHosts)
	def(&c.DetectionsPerHost, defaultDetectionsPerHost)
	def(&c.QIDs, defaultQIDs)
	def(&c.Tags, defaultTags)
	def(&c.Policies, defaultPolicies)
	def(&c.ControlsPerPolicy, defaultControlsPerPolicy)
	def(&c.HostsPerPolicy, max(1, (c.Hosts*3+3)/4))
	def(&c.ResultsBytes, defaultResultsBytes)
	c.QIDs = min(c.QIDs, maxQIDs)
	c.HostsPerPolicy = min(c.HostsPerPolicy, c.Hosts)
	c.LaterHosts = min(max(c.LaterHosts, 0), c.Hosts)
	if c.QIDs == 0 {
		c.DetectionsPerHost = 0
	}
	if c.BaseTime.IsZero() {
		c.BaseTime = DefaultBaseTime
	}
	c.BaseTime = c.BaseTime.UTC().Truncate(time.Second)
	return c
}

// coprimeStride returns a step near n·0.618 that is coprime with n, so that (start + j·step) mod n
// visits n distinct values: a host's QIDs are distinct without storing a set.
func coprimeStride(n int) int {
	if n <= 1 {
		return 1
	}
	s := max(1, n*618/1000)
	for gcd(s, n) != 1 {
		s++
	}
	return s
}

// Config returns the configuration with defaults filled in.
func (t *Tenant) Config() TenantConfig { return t.cfg }

// SubscriptionID is the tenant's Qualys subscription (customer) ID, as PCRS reports it.
func (t *Tenant) SubscriptionID() uint64 { return t.subscriptionID }

// HostCount returns the number of hosts, counting those not in the tenant (HostPresent).
func (t *Tenant) HostCount() int { return t.cfg.Hosts }

// HostPresent reports whether host i is in the tenant: not a later host that has not joined yet
// (TenantConfig.LaterHosts, AddHost), nor a removed one (RemoveHost). Every endpoint, Counts and
// HostIndex see present hosts only.
func (t *Tenant) HostPresent(i int) bool {
	return i >= 0 && i < t.cfg.Hosts && !t.ov.absent(t.HostID(i), i-(t.cfg.Hosts-t.cfg.LaterHosts))
}

// HostID returns the ID of host i (0 <= i < HostCount). IDs ascend with i but are not contiguous.
func (t *Tenant) HostID(i int) uint64 {
	return t.hostBase + uint64(i)*hostIDStride + hash3(t.seed, kindHostID, uint64(i), 0)%hostIDStride
}

// HostIndex returns the index of the host with this ID.
func (t *Tenant) HostIndex(id uint64) (int, bool) {
	i := t.hostIndexAtOrAfter(id)
	return i, i < t.cfg.Hosts && t.HostID(i) == id && t.HostPresent(i)
}

// hostIndexAtOrAfter returns the first index whose host ID is >= id (HostCount if none): the
// id_min cursor of Qualys paging, computed without a search.
func (t *Tenant) hostIndexAtOrAfter(id uint64) int {
	if id <= t.hostBase {
		return 0
	}
	i := int(min((id-t.hostBase)/hostIDStride, uint64(t.cfg.Hosts)))
	if i < t.cfg.Hosts && t.HostID(i) < id {
		i++
	}
	return i
}

// assetID returns the asset ID of host i; asset IDs ascend with host IDs so both orders agree.
func (t *Tenant) assetID(i int) uint64 {
	return t.assetBase + uint64(i)*assetIDStride + hash3(t.seed, kindAssetID, uint64(i), 0)%assetIDStride
}

// assetIndexAtOrAfter is hostIndexAtOrAfter for asset IDs (the QPS id cursor).
func (t *Tenant) assetIndexAtOrAfter(id uint64) int {
	if id <= t.assetBase {
		return 0
	}
	i := int(min((id-t.assetBase)/assetIDStride, uint64(t.cfg.Hosts)))
	if i < t.cfg.Hosts && t.assetID(i) < id {
		i++
	}
	return i
}

// ago returns BaseTime minus the given seconds.
func (t *Tenant) ago(seconds int) time.Time {
	return t.cfg.BaseTime.Add(-time.Duration(seconds) * time.Second)
}

const day = 24 * 3600
