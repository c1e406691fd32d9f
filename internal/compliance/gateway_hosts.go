// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package compliance // import "github.com/seed-d80aa3af/qualysreceiver/internal/compliance"

import (
	"context"
	"slices"
	"strconv"

	"go.uber.org/zap"

	"github.com/seed-d80aa3af/qualysreceiver/internal/decode"
	"github.com/seed-d80aa3af/qualysreceiver/internal/pull"
)

// policyHosts is a policy's hosts from Resolve Host IDs, ascending.
type policyHosts struct {
	policy       int64
	subscription string
	hosts        []int64
}

// hostsOf is policy's hosts, from this poll's last Resolve Host IDs call, or from a new one for
// policy's group when that call did not ask for it.
func (g *gatewaySource) hostsOf(ctx context.Context, policy int64) (policyHosts, error) {
	if ph, ok := g.resolved[policy]; ok {
		return ph, nil
	}
	hosts, err := g.resolve(ctx, g.s.policyGroup(policy))
	if err != nil {
		return policyHosts{}, err
	}
	g.resolved = make(map[int64]policyHosts, len(hosts))
	for _, ph := range hosts {
		g.resolved[ph.policy] = ph
	}
	return g.resolved[policy], nil
}

// resolve asks Resolve Host IDs for the hosts of up to 10 policies, in their order.
func (g *gatewaySource) resolve(ctx context.Context, group []int64) ([]policyHosts, error) {
	resp, err := g.s.Client.PCRSHostIDs(ctx, g.version, group)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out := make([]policyHosts, len(group))
	for i, id := range group {
		out[i].policy = id
	}
	log := g.s.Logger
	d := decode.NewPCRSHostIDs(resp.Body)
	skip := func(re *decode.RecordError) { log.Warn("Unreadable Resolve Host IDs element skipped", zap.Error(re)) }
	err = pull.ReadAnswer(resp, "pcrs_host_ids", d.Read, skip, func(e *decode.PolicyHostIDs) error {
		id, perr := strconv.ParseInt(e.PolicyID, 10, 64)
		i := slices.Index(group, id)
		switch {
		case perr != nil || i < 0:
			log.Warn("Resolve Host IDs answered for a policy not asked for; skipped", zap.String("policy_id", e.PolicyID))
		case e.Error != "":
			log.Warn("Policy skipped", zap.Int64("policy_id", id), zap.String("qualys_error", e.Error))
		default:
			out[i] = policyHosts{policy: id, subscription: e.SubscriptionID, hosts: hostIDs(log, id, e.HostIDs)}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// hostIDs are a policy's host ids from Resolve Host IDs, ascending, without repeats; one that is not
// a positive number is logged and skipped.
func hostIDs(log *zap.Logger, policy int64, raw []string) []int64 {
	ids := make([]int64, 0, len(raw))
	var unusable []string
	for _, h := range raw {
		n, err := strconv.ParseInt(h, 10, 64)
		if err != nil || n <= 0 {
			unusable = append(unusable, strconv.Quote(h))
			continue
		}
		ids = append(ids, n)
	}
	if len(unusable) > 0 {
		log.Warn("Host ids that are not numbers skipped", zap.Int64("policy_id", policy), zap.Strings("host_ids", unusable))
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}
