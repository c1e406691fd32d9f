// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"
)

// FaultKind names one way a request can go wrong.
type FaultKind string

// Fault kinds. Response-level kinds replace the answer; writer-level kinds damage the body on the
// wire; content-level kinds change what is generated.
const (
	// FaultHTTPError answers Status (default 503) with a short HTML body.
	FaultHTTPError FaultKind = "http_error"
	// FaultConcurrencyLimit answers 409 SIMPLE_RETURN 1960 (API server only).
	FaultConcurrencyLimit FaultKind = "concurrency_limit"
	// FaultRateLimit answers 409 SIMPLE_RETURN 1965 with SECONDS_TO_WAIT = WaitSeconds (API server only).
	FaultRateLimit FaultKind = "rate_limit"
	// FaultGateway429 answers 429 with Retry-After = WaitSeconds (PCRS calls only).
	FaultGateway429 FaultKind = "gateway_429"
	// FaultAccountExpired answers SIMPLE_RETURN 2001 "This account has expired." under HTTP 200.
	FaultAccountExpired FaultKind = "account_expired"
	// FaultRegistration answers 409 SIMPLE_RETURN 2003 (registration not completed).
	FaultRegistration FaultKind = "registration_required"
	// FaultBadLogin answers 401 "Bad Login/Password" whatever the credentials (API server and /auth).
	FaultBadLogin FaultKind = "bad_login"
	// FaultJWTExpired answers 401 "JWT expired" and invalidates the token the request carried (PCRS).
	FaultJWTExpired FaultKind = "jwt_expired"

	// FaultSlowBody pauses Delay (default 200ms) after every ChunkBytes (default 4096) of body.
	FaultSlowBody FaultKind = "slow_body"
	// FaultStallBody sends AfterBytes (default 1024) of body, then holds the connection open
	// without writing until the client gives up, the server closes, or Options.StallTimeout.
	FaultStallBody FaultKind = "stall_body"
	// FaultReset sends AfterBytes of body, then resets the TCP connection (RST).
	FaultReset FaultKind = "connection_reset"
	// FaultTruncate ends the body cleanly after AfterBytes bytes: a well-framed, incomplete document.
	FaultTruncate FaultKind = "truncate"

	// FaultMalformed injects a broken tag (or broken JSON) before record number Record (default 1).
	FaultMalformed FaultKind = "malformed"
	// FaultBadChars puts invalid UTF-8 and control characters into the RESULTS of detection number
	// Record (HLD) or the TITLE of entry number Record (KnowledgeBase).
	FaultBadChars FaultKind = "bad_chars"
	// FaultBadValue puts text where a number or date is due: TIMES_FOUND of detection number
	// Record (HLD), modified of host asset number Record (QPS), PUBLISHED_DATETIME of VULN number
	// Record (KnowledgeBase).
	FaultBadValue FaultKind = "bad_value"
	// FaultHugeResults makes the first detection's RESULTS Size bytes long (default 100 MiB), streamed.
	FaultHugeResults FaultKind = "huge_results"
	// FaultEmpty answers as for an empty tenant: RESPONSE with only DATETIME, no hosts assets,
	// 204 from postureInfo.
	FaultEmpty FaultKind = "empty"
)

// Endpoint names, used by faults, limits and the request log.
const (
	EndpointHLD             = "hld"
	EndpointHostList        = "hostlist"
	EndpointHostAsset       = "hostasset"
	EndpointKB              = "kb"
	EndpointPosture         = "posture"
	EndpointPolicyList      = "policy_list"
	EndpointAbout           = "about"
	EndpointAuth            = "auth"
	EndpointPCRSPolicies    = "pcrs_policies"
	EndpointPCRSHostIDs     = "pcrs_hostids"
	EndpointPCRSPostureInfo = "pcrs_postureinfo"
	endpointUnknown         = "unknown"
	defaultHugeResultsSize  = 100 << 20
	defaultFaultAfterBytes  = 1024
	defaultSlowChunkBytes   = 4096
	defaultSlowDelay        = 200 * time.Millisecond
	defaultFaultWaitSeconds = 60
	defaultFaultHTTPStatus  = 503
	maxInstalledFaults      = 1000
)

var (
	apiOnlyKinds      = []FaultKind{FaultConcurrencyLimit, FaultRateLimit, FaultAccountExpired, FaultRegistration}
	pcrsOnlyKinds     = []FaultKind{FaultGateway429, FaultJWTExpired}
	recordEndpoints   = []string{EndpointHLD, EndpointHostList, EndpointHostAsset, EndpointKB, EndpointPosture, EndpointPolicyList, EndpointPCRSPolicies, EndpointPCRSHostIDs, EndpointPCRSPostureInfo}
	pcrsEndpoints     = []string{EndpointPCRSPolicies, EndpointPCRSHostIDs, EndpointPCRSPostureInfo}
	gatewayEndpoints  = append([]string{EndpointAuth}, pcrsEndpoints...)
	writerLevelKinds  = []FaultKind{FaultSlowBody, FaultStallBody, FaultReset, FaultTruncate}
	responseLevelKind = []FaultKind{FaultHTTPError, FaultConcurrencyLimit, FaultRateLimit, FaultGateway429,
		FaultAccountExpired, FaultRegistration, FaultBadLogin, FaultJWTExpired}
)

// AppliesTo reports whether a fault of this kind means something on endpoint (EndpointHLD, ...):
// InjectFault takes it there, and requests to endpoint match it.
func (k FaultKind) AppliesTo(endpoint string) bool { return k.appliesTo(endpoint) }

func (k FaultKind) writerLevel() bool   { return slices.Contains(writerLevelKinds, k) }
func (k FaultKind) responseLevel() bool { return slices.Contains(responseLevelKind, k) }

// appliesTo reports whether a fault of this kind means something on an endpoint; a fault is only
// matched (and counted) by requests to endpoints it applies to.
func (k FaultKind) appliesTo(endpoint string) bool {
	gateway := slices.Contains(gatewayEndpoints, endpoint)
	switch {
	case slices.Contains(apiOnlyKinds, k):
		return !gateway && endpoint != EndpointHostAsset
	case slices.Contains(pcrsOnlyKinds, k):
		return slices.Contains(pcrsEndpoints, endpoint)
	case k == FaultBadLogin:
		return !slices.Contains(pcrsEndpoints, endpoint)
	case k == FaultHugeResults:
		return endpoint == EndpointHLD
	case k == FaultBadChars:
		return endpoint == EndpointHLD || endpoint == EndpointKB
	case k == FaultBadValue:
		return endpoint == EndpointHLD || endpoint == EndpointHostAsset || endpoint == EndpointKB
	case k == FaultMalformed, k == FaultEmpty:
		return slices.Contains(recordEndpoints, endpoint)
	}
	return true
}

// Fault is one scripted failure. It fires on the Nth request (counting from 1) that matches its
// endpoint after it was installed, and on the Count-1 matching requests after that.
type Fault struct {
	Kind FaultKind `json:"kind"`
	// Endpoint restricts the fault to one endpoint (EndpointHLD, ...); empty matches every
	// endpoint the kind applies to.
	Endpoint string `json:"endpoint,omitempty"`
	// Nth is the first matching request the fault fires on (default 1: the next one).
	Nth int `json:"nth,omitempty"`
	// Count is how many consecutive matching requests it fires on (default 1; negative: until cleared).
	Count int `json:"count,omitempty"`
	// Status is the HTTP status of http_error (default 503).
	Status int `json:"status,omitempty"`
	// WaitSeconds is SECONDS_TO_WAIT of rate_limit and Retry-After of gateway_429 (default 60).
	WaitSeconds int `json:"wait_seconds,omitempty"`
	// AfterBytes is where truncate, stall_body and connection_reset strike (default 1024).
	AfterBytes int64 `json:"after_bytes,omitempty"`
	// Record is the record malformed and bad_chars damage (1-based, default 1).
	Record int `json:"record,omitempty"`
	// Delay is slow_body's pause between chunks (default 200ms); JSON takes "50ms".
	Delay time.Duration `json:"-"`
	// ChunkBytes is slow_body's chunk size (default 4096).
	ChunkBytes int `json:"chunk_bytes,omitempty"`
	// Size is huge_results' RESULTS length in bytes (default 100 MiB).
	Size int64 `json:"size,omitempty"`
	// HostID, when set, restricts the fault to the pages that hold this host, as Qualys fails every
	// page of a host it times out on or cannot write: Host List Detection pages, classic posture
	// pages and postureInfo calls (hostEndpoints) whose answer would list the host. Nth and Count
	// count those pages.
	HostID uint64 `json:"host_id,omitempty"`
}

type faultJSON struct {
	Delay string `json:"delay,omitempty"`
	faultAlias
}

type faultAlias Fault

// MarshalJSON writes Delay as a Go duration string.
func (f Fault) MarshalJSON() ([]byte, error) {
	j := faultJSON{faultAlias: faultAlias(f)}
	if f.Delay > 0 {
		j.Delay = f.Delay.String()
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads Delay as a Go duration string ("50ms").
func (f *Fault) UnmarshalJSON(b []byte) error {
	var j faultJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*f = Fault(j.faultAlias)
	if j.Delay != "" {
		d, err := time.ParseDuration(j.Delay)
		if err != nil {
			return fmt.Errorf("delay: %w", err)
		}
		f.Delay = d
	}
	return nil
}

var knownKinds = append(append(append([]FaultKind{}, responseLevelKind...), writerLevelKinds...),
	FaultMalformed, FaultBadChars, FaultBadValue, FaultHugeResults, FaultEmpty)

func (f *Fault) validate() error {
	if !slices.Contains(knownKinds, f.Kind) {
		return fmt.Errorf("unknown fault kind %q", f.Kind)
	}
	if f.Endpoint != "" && !slices.Contains(allEndpoints, f.Endpoint) {
		return fmt.Errorf("unknown endpoint %q (one of %v)", f.Endpoint, allEndpoints)
	}
	if f.Endpoint != "" && !f.Kind.appliesTo(f.Endpoint) {
		return fmt.Errorf("fault %s does not apply to endpoint %s", f.Kind, f.Endpoint)
	}
	if f.HostID != 0 && !slices.ContainsFunc(hostEndpoints, f.matchesHostPage) {
		return fmt.Errorf("host_id applies to endpoints %v only, with a fault that applies to one", hostEndpoints)
	}
	return nil
}

func (f *Fault) record() int { return max(1, f.Record) }

func (f *Fault) afterBytes() int64 {
	if f.AfterBytes > 0 {
		return f.AfterBytes
	}
	return defaultFaultAfterBytes
}

func (f *Fault) waitSeconds() int {
	if f.WaitSeconds > 0 {
		return f.WaitSeconds
	}
	return defaultFaultWaitSeconds
}

// FaultState is an installed fault and how often it matched and fired.
type FaultState struct {
	ID      int   `json:"id"`
	Fault   Fault `json:"fault"`
	Matched int   `json:"matched"`
	Fired   int   `json:"fired"`
}

type faultSet struct {
	mu     sync.Mutex
	nextID int
	rules  []FaultState
}

func (fs *faultSet) add(f Fault) (int, error) {
	if err := f.validate(); err != nil {
		return 0, err
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if len(fs.rules) >= maxInstalledFaults {
		return 0, fmt.Errorf("too many faults installed (%d)", len(fs.rules))
	}
	fs.nextID++
	fs.rules = append(fs.rules, FaultState{ID: fs.nextID, Fault: f})
	return fs.nextID, nil
}

// take returns the fault a request to endpoint suffers, if any. Every applicable rule counts the
// request; the first one due fires. Rules for a host are taken by takeForHosts.
func (fs *faultSet) take(endpoint string) *Fault {
	return fs.takeWhere(func(f *Fault) bool {
		return f.HostID == 0 && (f.Endpoint == "" || f.Endpoint == endpoint) && f.Kind.appliesTo(endpoint)
	})
}

// hostEndpoints are the endpoints whose pages a fault for a host strikes.
var hostEndpoints = []string{EndpointHLD, EndpointPosture, EndpointPCRSPostureInfo}

// matchesHostPage says whether a fault for a host strikes the pages of endpoint.
func (f *Fault) matchesHostPage(endpoint string) bool {
	return slices.Contains(hostEndpoints, endpoint) && (f.Endpoint == "" || f.Endpoint == endpoint) && f.Kind.appliesTo(endpoint)
}

// takeForHosts returns the fault a page of endpoint suffers for the hosts it holds, if any.
func (fs *faultSet) takeForHosts(endpoint string, holds func(id uint64) bool) *Fault {
	return fs.takeWhere(func(f *Fault) bool { return f.HostID != 0 && f.matchesHostPage(endpoint) && holds(f.HostID) })
}

// faultForHosts applies the fault due for a host that a page of endpoint holds, if any: it answers
// in place of the page (true), or is left in rc to damage the page's body. hosts lists the hosts
// the page would hold; it is called only while a fault for a host is installed.
func (s *Server) faultForHosts(w http.ResponseWriter, r *http.Request, rc *reqCtx, endpoint string, hosts func() func(id uint64) bool) bool {
	if rc.fault != nil || !s.faults.forHosts() {
		return false
	}
	f := s.faults.takeForHosts(endpoint, hosts())
	if f == nil {
		return false
	}
	rc.rec.Fault = f.Kind
	if f.Kind.responseLevel() {
		s.answerFault(w, r, rc, f)
		return true
	}
	rc.fault = f
	return false
}

// forHosts says whether a rule for a host is installed.
func (fs *faultSet) forHosts() bool {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return slices.ContainsFunc(fs.rules, func(r FaultState) bool { return r.Fault.HostID != 0 })
}

func (fs *faultSet) takeWhere(matches func(f *Fault) bool) *Fault {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	var fired *Fault
	for i := range fs.rules {
		r := &fs.rules[i]
		if !matches(&r.Fault) {
			continue
		}
		r.Matched++
		count := r.Fault.Count
		if count == 0 {
			count = 1
		}
		if fired != nil || r.Matched < max(1, r.Fault.Nth) || count > 0 && r.Fired >= count {
			continue
		}
		r.Fired++
		f := r.Fault
		fired = &f
	}
	return fired
}

func (fs *faultSet) list() []FaultState {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return slices.Clone(fs.rules)
}

func (fs *faultSet) remove(id int) bool {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	n := len(fs.rules)
	fs.rules = slices.DeleteFunc(fs.rules, func(r FaultState) bool { return id == 0 || r.ID == id })
	return len(fs.rules) < n
}

// InjectFault installs a fault and returns its ID.
func (s *Server) InjectFault(f Fault) (int, error) { return s.faults.add(f) }

// Faults lists the installed faults with their match and fire counts.
func (s *Server) Faults() []FaultState { return s.faults.list() }

// RemoveFault uninstalls one fault.
func (s *Server) RemoveFault(id int) bool { return id != 0 && s.faults.remove(id) }

// ClearFaults uninstalls every fault.
func (s *Server) ClearFaults() { s.faults.remove(0) }
