// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package compliance // import "github.com/seed-d80aa3af/qualysreceiver/internal/compliance"

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"

	"go.uber.org/zap"

	"github.com/seed-d80aa3af/qualysreceiver/internal/convert"
	"github.com/seed-d80aa3af/qualysreceiver/internal/decode"
	"github.com/seed-d80aa3af/qualysreceiver/internal/pull"
	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
)

// gatewaySource reads postures from PC posture streaming (PCRS) on the API gateway: the policy
// list, the host ids of up to 10 policies per Resolve Host IDs call, then postureInfo for batches
// of those hosts (see internal/qualys/pcrs.go). The client keeps every call within the PCRS limits: it waits
// out a 429 for as long as Retry-After says and honours X-RateLimit-* headers when the gateway
// sends them; it renews the JWT before it expires and once on a 401.
type gatewaySource struct {
	s *Stream
	// version is the newest PCRS version the gateway serves, found by the first policy list call.
	version string
}

func (g *gatewaySource) checks() []pull.Check {
	c := g.s.cfg.Client
	return []pull.Check{
		pull.GatewayLoginCheck(c),
		{What: "Policy Compliance posture (PCRS)", Run: func(ctx context.Context) error { return pull.CloseBody(g.policyList(ctx)) }},
	}
}

// policyList calls Get Policy List on the newest PCRS version the gateway serves: the known one, or
// each of qualys.PCRSVersions from the newest until one is not a 404.
func (g *gatewaySource) policyList(ctx context.Context) (*qualys.Response, error) {
	c := g.s.cfg.Client
	if g.version != "" {
		resp, err := c.PCRSPolicies(ctx, g.version)
		if !isNotFound(err) {
			return resp, err
		}
		g.version = "" // no longer served: find the newest again
	}
	var lastErr error
	for _, v := range qualys.PCRSVersions {
		resp, err := c.PCRSPolicies(ctx, v)
		if isNotFound(err) {
			lastErr = err
			continue
		}
		if err == nil {
			g.version = v
			g.s.cfg.Logger.Info("Using PC posture streaming (PCRS)", zap.String("version", v))
		}
		return resp, err
	}
	return nil, lastErr
}

func isNotFound(err error) bool {
	var qe *qualys.Error
	return errors.As(err, &qe) && qe.StatusCode == http.StatusNotFound
}

func (g *gatewaySource) policies(ctx context.Context) ([]policyEntry, time.Time, error) {
	resp, err := g.policyList(ctx)
	if err != nil {
		return nil, time.Time{}, err
	}
	defer resp.Body.Close()
	// PCRS answers carry no DATETIME; the gateway's Date header is its clock.
	serverTime, _ := http.ParseTime(resp.Header.Get("Date"))
	d := decode.NewPCRSPolicies(resp.Body)
	var list []policyEntry
	var unusable []string
	skip := func(re *decode.RecordError) { unusable = append(unusable, re.Error()) }
	err = pull.ReadAnswer(resp, "pcrs_policies", d.Read, skip, func(p *decode.PCRSPolicy) error {
		id, err := strconv.ParseInt(p.ID, 10, 64)
		if err != nil || id <= 0 {
			unusable = append(unusable, strconv.Quote(p.ID))
			return nil
		}
		list = append(list, policyEntry{id: id, title: p.Title})
		return nil
	})
	if err != nil {
		return nil, time.Time{}, err
	}
	if len(unusable) > 0 {
		g.s.cfg.Logger.Warn("Policies without a usable id skipped", zap.String("endpoint", "pcrs_policies"),
			zap.Strings("policies", unusable))
	}
	return list, serverTime, nil
}

// policyHosts is a policy's hosts from Resolve Host IDs, ascending.
type policyHosts struct {
	policy       int64
	subscription string
	hosts        []int64
}

func (g *gatewaySource) pull(ctx context.Context, run *postureRun) error {
	cur := run.cur
	for cur.Next < len(cur.Policies) {
		start, end := cur.Next, min(len(cur.Policies), cur.Next+g.s.cfg.PoliciesPerCall)
		var hosts []policyHosts
		err := g.s.withRetries(ctx, "resolve host ids", func() (err error) {
			hosts, err = g.resolve(ctx, cur.Policies[start:end])
			return err
		})
		if err != nil {
			return err
		}
		if err := g.pullGroup(ctx, run, start, hosts); err != nil {
			return err
		}
		// Policies without hosts, or the last ones of the group, are done too.
		run.moveTo(ctx, position{next: end}, 0)
	}
	return nil
}

// resolve asks Resolve Host IDs for the hosts of up to 10 policies, in their order.
func (g *gatewaySource) resolve(ctx context.Context, group []int64) ([]policyHosts, error) {
	resp, err := g.s.cfg.Client.PCRSHostIDs(ctx, g.version, group)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out := make([]policyHosts, len(group))
	for i, id := range group {
		out[i].policy = id
	}
	log := g.s.cfg.Logger
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

// pullGroup pulls the postures of a group of policies (the pull's policies from index start on),
// in batches of at most PageSize host ids, from the pull's position on.
func (g *gatewaySource) pullGroup(ctx context.Context, run *postureRun, start int, group []policyHosts) error {
	limit := g.s.cfg.PageSize
	from := position{next: run.cur.Next, host: run.cur.NextHost}
	var batch []qualys.PostureBatch
	n := 0
	send := func(after position) error {
		body, pairs := batch, int64(n)
		batch, n = nil, 0
		return run.batch(ctx, "postures", func(ctx context.Context, w *postureWriter) (position, int64, error) {
			return after, pairs, g.postures(ctx, run, body, w)
		})
	}
	for k, ph := range group {
		pi := start + k
		ids := ph.hosts
		if pi == from.next {
			i, _ := slices.BinarySearch(ids, from.host)
			ids = ids[i:]
		}
		for len(ids) > 0 {
			take := min(len(ids), limit-n)
			batch = append(batch, qualys.PostureBatch{
				PolicyID: strconv.FormatInt(ph.policy, 10), SubscriptionID: ph.subscription, HostIDs: hostIDText(ids[:take]),
			})
			n += take
			last := ids[take-1]
			ids = ids[take:]
			if n < limit {
				continue
			}
			after := position{next: pi, host: last + 1}
			if len(ids) == 0 {
				after = position{next: pi + 1}
			}
			if err := send(after); err != nil {
				return err
			}
		}
	}
	if n > 0 {
		return send(position{next: start + len(group)})
	}
	return nil
}

func hostIDText(ids []int64) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = strconv.FormatInt(id, 10)
	}
	return out
}

// postures pulls one postureInfo batch into w, the JSON array decoded posture by posture.
func (g *gatewaySource) postures(ctx context.Context, run *postureRun, batch []qualys.PostureBatch, w *postureWriter) error {
	cfg := &g.s.cfg
	q := qualys.PostureQuery{Evidence: cfg.Evidence, StatusChangedSince: run.since}
	resp, err := cfg.Client.PCRSPostures(ctx, g.version, q, batch)
	if err != nil {
		if isNotFound(err) {
			g.version = ""
		}
		return err
	}
	defer resp.Body.Close()
	d := decode.NewPCRSPostures(resp.Body)
	if !cfg.Evidence {
		d.MaxEvidenceBytes = -1
	}
	defer w.reportUnreadable("pcrs_postures")
	err = pull.ReadAnswer(resp, "pcrs_postures", d.Read, func(*decode.RecordError) { w.skip() }, func(p *decode.Posture) error {
		return w.add(ctx, p, convert.HostFromPCRS(p), nil, d.UnreadableFields())
	})
	if err != nil {
		return err
	}
	w.reportSkipped("pcrs_postures", 0)
	return nil
}
