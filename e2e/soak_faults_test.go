// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

//go:build unix

package e2e

import (
	"time"

	"github.com/stretchr/testify/require"

	"github.com/seed-d80aa3af/qualysreceiver/internal/simulator"
)

// soakFaultKinds is the fault matrix the soak draws from: every kind but empty, which answers as
// for a tenant without hosts and so changes the tenant rather than damaging an answer.
var soakFaultKinds = []simulator.FaultKind{
	simulator.FaultHTTPError, simulator.FaultConcurrencyLimit, simulator.FaultRateLimit, simulator.FaultGateway429,
	simulator.FaultAccountExpired, simulator.FaultRegistration, simulator.FaultBadLogin, simulator.FaultJWTExpired,
	simulator.FaultSlowBody, simulator.FaultStallBody, simulator.FaultReset, simulator.FaultTruncate,
	simulator.FaultMalformed, simulator.FaultBadChars, simulator.FaultBadValue, simulator.FaultHugeResults,
}

// soakFaultEndpoints are the endpoints the three streams call.
var soakFaultEndpoints = []string{
	simulator.EndpointAbout, simulator.EndpointHostList, simulator.EndpointHLD, simulator.EndpointKB, simulator.EndpointHostAsset,
	simulator.EndpointAuth, simulator.EndpointPCRSPolicies, simulator.EndpointPCRSHostIDs, simulator.EndpointPCRSPostureInfo,
}

// injectFault installs a fault drawn from the matrix on an endpoint it applies to. bad_value is
// kept off the host assets, where it would hit the modified date the soak tells asset versions by.
func (s *soak) injectFault() {
	kind := soakFaultKinds[s.rnd.IntN(len(soakFaultKinds))]
	var endpoints []string
	for _, e := range soakFaultEndpoints {
		if kind.AppliesTo(e) && (kind != simulator.FaultBadValue || e != simulator.EndpointHostAsset) {
			endpoints = append(endpoints, e)
		}
	}
	f := simulator.Fault{Kind: kind, Endpoint: endpoints[s.rnd.IntN(len(endpoints))], Nth: 1 + s.rnd.IntN(3), Count: 1 + s.rnd.IntN(3)}
	switch kind {
	case simulator.FaultHTTPError:
		f.Status = []int{500, 502, 503, 504}[s.rnd.IntN(4)]
	case simulator.FaultRateLimit, simulator.FaultGateway429:
		f.WaitSeconds = 30 + s.rnd.IntN(1800)
	case simulator.FaultSlowBody:
		f.Delay = 20 * time.Millisecond
	case simulator.FaultStallBody, simulator.FaultReset, simulator.FaultTruncate:
		f.AfterBytes = int64(200 + s.rnd.IntN(4000))
	case simulator.FaultMalformed, simulator.FaultBadChars, simulator.FaultBadValue:
		f.Record = 1 + s.rnd.IntN(5)
	case simulator.FaultHugeResults:
		f.Size = 2 << 20
	}
	_, err := s.sim.InjectFault(f)
	require.NoError(s.t, err, "%+v", f)
	s.faults[kind]++
}
