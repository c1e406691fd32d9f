// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import "time"

// Permission is a Qualys module a user may lack.
type Permission string

// Permissions the endpoints require: VM for Host List Detection and Host List, KB for the
// KnowledgeBase, PC for classic posture and PCRS, AM for QPS host assets.
const (
	PermVM Permission = "VM"
	PermKB Permission = "KB"
	PermPC Permission = "PC"
	PermAM Permission = "AM"
)

// Options configures a Server. Zero values take the documented defaults.
type Options struct {
	// Username and Password are the only valid credentials (default "qualys_user" / "qualys_pass").
	Username string
	Password string
	// ConcurrencyLimit is the calls each API server API may run at once (default 2, Qualys
	// Standard); negative: unlimited.
	ConcurrencyLimit int
	// RateLimit is the calls each API server API accepts per RateWindow (default 300); negative:
	// unlimited.
	RateLimit int
	// RateWindow is the rolling rate window (default 1h).
	RateWindow time.Duration
	// Limits overrides the limits of single endpoints (EndpointHLD, ...), field by field.
	Limits map[string]Limit
	// CompactConcurrencyHeaders spells the concurrency headers X-ConcurrencyLimit-Limit/-Running,
	// as some Qualys documents do, instead of X-Concurrency-Limit-Limit/-Running.
	CompactConcurrencyHeaders bool
	// PCRSRateLimit is the calls each PCRS API accepts per PCRSRateWindow (default 25 per 60s);
	// negative: unlimited. /auth is exempt.
	PCRSRateLimit  int
	PCRSRateWindow time.Duration
	// PCRSMaxVersion is the newest PCRS version served (default 5: /pcrs/1.0 ... /pcrs/5.0).
	PCRSMaxVersion int
	// JWTLifetime is the lifetime of tokens from /auth (default 4h).
	JWTLifetime time.Duration
	// BandwidthBytesPerSec caps every response body (0: unlimited).
	BandwidthBytesPerSec int64
	// MaxInFlight bounds the requests served at once across all endpoints; further requests wait
	// for a slot (0: unlimited). Unlike the per-API limits it queues instead of answering 409.
	MaxInFlight int
	// MissingPermissions lists modules the user lacks; their endpoints answer as for such a user.
	MissingPermissions []Permission
	// QPSErrorsInBody answers QPS failures (bad credentials, missing permission, invalid request)
	// with HTTP 200 and only the responseCode in the body saying so, as QPS may do; by
	// default they come as HTTP 401, 403 and 400 with the same body.
	QPSErrorsInBody bool
	// SeparateGateway makes Start serve the gateway on its own port.
	SeparateGateway bool
	// StallTimeout bounds how long stall_body holds a connection (default 10m).
	StallTimeout time.Duration
	// PolicyListTruncation is the classic policy list's truncation_limit when a request gives none
	// (0: no limit). Qualys documents the parameter but not its default, so a tenant with many
	// policies may get the list in pages (WARNING 1980 and id_min), as with this set.
	PolicyListTruncation int
	// MaxRequestLog bounds the request log; older records are dropped (default 10000).
	MaxRequestLog int
	// PrettyXML writes the text of every XML element, plain or CDATA, on a line of its own, indented
	// one level deeper than its tags, the way Qualys's guide and other integrations' recorded
	// answers are laid out. The receiver must read it exactly as the compact layout.
	PrettyXML bool
	// DisableAdmin turns off the /sim/ admin endpoints.
	DisableAdmin bool
	// Clock replaces time.Now for DATETIME, limits and tokens (tests pin it for byte-identical output).
	Clock func() time.Time
}

func (o Options) withDefaults() Options {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	defDur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	if o.Username == "" {
		o.Username, o.Password = "qualys_user", "qualys_pass"
	}
	def(&o.ConcurrencyLimit, 2)
	def(&o.RateLimit, 300)
	defDur(&o.RateWindow, time.Hour)
	def(&o.PCRSRateLimit, 25)
	defDur(&o.PCRSRateWindow, time.Minute)
	def(&o.PCRSMaxVersion, 5)
	defDur(&o.JWTLifetime, 4*time.Hour)
	defDur(&o.StallTimeout, 10*time.Minute)
	def(&o.MaxRequestLog, 10000)
	if o.Clock == nil {
		o.Clock = time.Now
	}
	return o
}
