// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package compliance // import "github.com/seed-d80aa3af/qualysreceiver/internal/compliance"

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/seed-d80aa3af/qualysreceiver/internal/decode"
	"github.com/seed-d80aa3af/qualysreceiver/internal/pull"
	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
)

// classicSource reads postures from the classic posture API on the API server
// (/api/2.0/fo/compliance/posture/info/, see internal/qualys/pcrs.go), for subscriptions without the
// gateway: one policy at a time, page by page in ascending host id (id_min from WARNING/URL).
type classicSource struct {
	s *Stream
}

var _ postureAPI = (*classicSource)(nil)

// Checks implements pull.Source: login to the API server, and the policy list.
func (c *classicSource) Checks() []pull.Check {
	client := c.s.Client
	return []pull.Check{
		pull.APIServerLoginCheck(client),
		{What: "Policy Compliance policy list", Run: func(ctx context.Context) error { return pull.CloseBody(client.CompliancePolicies(ctx, 0)) }},
	}
}

// Plan implements pull.Source: the selected policies of the policy list, one range each.
func (c *classicSource) Plan(ctx context.Context, _ time.Time) (pull.HostPlan, error) {
	return c.s.plan(ctx)
}

func (c *classicSource) policies(ctx context.Context) ([]policyEntry, time.Time, error) {
	var list []policyEntry
	var serverTime time.Time
	var idMin int64
	for {
		page, pageTime, warning, err := c.policyPage(ctx, idMin)
		if err != nil {
			return nil, time.Time{}, err
		}
		list = append(list, page...)
		if serverTime.IsZero() {
			serverTime = pageTime // the first page's time: the list is as of then, or later
		}
		next, more, err := qualys.NextPage(warning, idMin)
		if err != nil {
			return nil, time.Time{}, qualys.ResponseError("compliance_policies", fmt.Errorf("policy list: %w", err))
		}
		if !more {
			return list, serverTime, nil
		}
		idMin = next
	}
}

// policyPage reads one page of the policy list, from policy idMin on.
func (c *classicSource) policyPage(ctx context.Context, idMin int64) ([]policyEntry, time.Time, *decode.Warning, error) {
	resp, err := c.s.Client.CompliancePolicies(ctx, idMin)
	if err != nil {
		return nil, time.Time{}, nil, err
	}
	defer resp.Body.Close()
	page, err := decode.ReadClassicPolicyList(resp.Body)
	if err != nil {
		resp.Unreadable()
		return nil, time.Time{}, nil, qualys.ResponseError("compliance_policies", err)
	}
	list := make([]policyEntry, 0, len(page.Policies))
	for _, p := range page.Policies {
		list = append(list, policyEntry{id: p.ID, title: p.Title})
	}
	return list, page.Datetime, page.Warning, nil
}

// Page implements pull.Source: one page of r.Policy's postures, from host r.Next on, up to host
// r.Max when it ends (a span of the search for a failing host, internal/pull/skip.go).
func (c *classicSource) Page(ctx context.Context, r pull.IDRange, out *pull.Batcher) (int64, bool, error) {
	if err := c.s.listedPolicies(ctx); err != nil {
		return 0, false, err
	}
	q := qualys.PostureQuery{Evidence: c.s.cfg.Evidence, StatusChangedSince: c.s.since}
	resp, err := c.s.Client.ClassicPostures(ctx, r.Policy, q, qualys.IDRange{Min: r.Next, Max: r.Max}, c.s.PageSize)
	if unknownPolicy(err) {
		// As on the gateway: the other policies are still pulled, and the gauge still completes.
		c.s.Logger.Warn("Policy skipped", zap.Int64("policy_id", r.Policy), zap.Error(err))
		return 0, true, nil
	}
	if err != nil {
		return 0, false, pull.HostsAnswerFailed(err)
	}
	defer resp.Body.Close()
	d := decode.NewPostureInfoList(resp.Body)
	if !c.s.cfg.Evidence {
		d.MaxEvidenceBytes = -1
	}
	w := &postureWriter{s: c.s, out: out}
	pg, err := readClassicPage(resp, d, w)
	if err != nil {
		resp.Unreadable()
		return 0, false, pull.HostsAnswerFailed(err)
	}
	if err := c.write(ctx, pg, r.Policy, w); err != nil {
		return 0, false, err
	}
	next, done, err := r.NextPage(d.Warning(), "posture_info")
	if err != nil {
		resp.Unreadable()
	}
	return next, done, err
}

// write hands the postures of a page of policy to w, and counts its hosts done.
func (c *classicSource) write(ctx context.Context, pg *classicPage, policy int64, w *postureWriter) error {
	defer w.reportUnreadable("posture_info", zap.Int64("policy_id", policy))
	hosts := map[int64]bool{}
	for i := range pg.infos {
		info := &pg.infos[i]
		if info.PolicyID == 0 {
			info.PolicyID = policy
		}
		hosts[info.HostID] = true
		lost := pg.lost.Of(info.ID)
		if len(lost) == 0 {
			lost = pg.hostLost.Of(info.HostID)
		}
		if err := w.add(ctx, pg.posture(info), pg.host(info.HostID), info, lost); err != nil {
			return err
		}
	}
	w.reportSkipped("posture_info", policy)
	w.out.CountHosts(int64(len(hosts)))
	return nil
}

// unknownPolicy says whether err is Qualys refusing the policy id itself (HTTP 400, code 1905
// "parameter policy_id has invalid value"): the policy does not exist, or not for this user. Any
// other refused parameter is the receiver's fault and fails the poll.
func unknownPolicy(err error) bool {
	var qe *qualys.Error
	return errors.As(err, &qe) && qe.Code == qualys.CodeInvalidValue && strings.Contains(qe.Text, "policy_id")
}
