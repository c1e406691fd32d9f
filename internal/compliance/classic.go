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

func (c *classicSource) checks() []pull.Check {
	client := c.s.cfg.Client
	return []pull.Check{
		pull.APIServerLoginCheck(client),
		{What: "Policy Compliance policy list", Run: func(ctx context.Context) error { return pull.CloseBody(client.CompliancePolicies(ctx, 0)) }},
	}
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
	resp, err := c.s.cfg.Client.CompliancePolicies(ctx, idMin)
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

func (c *classicSource) pull(ctx context.Context, run *postureRun) error {
	cur := run.cur
	for cur.Next < len(cur.Policies) {
		pi, policy, idMin := cur.Next, cur.Policies[cur.Next], cur.NextHost
		err := run.batch(ctx, "posture page", func(ctx context.Context, w *postureWriter) (position, int64, error) {
			return c.page(ctx, run, pi, policy, idMin, w)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// page pulls the page of policy (the pull's policy pi) that starts at host idMin into w and returns
// the position after it and how many hosts it held.
func (c *classicSource) page(ctx context.Context, run *postureRun, pi int, policy, idMin int64, w *postureWriter) (position, int64, error) {
	cfg := &c.s.cfg
	q := qualys.PostureQuery{Evidence: cfg.Evidence, StatusChangedSince: run.since}
	resp, err := cfg.Client.ClassicPostures(ctx, policy, q, qualys.IDRange{Min: idMin}, cfg.PageSize)
	if unknownPolicy(err) {
		// As on the gateway: the other policies are still pulled, and the gauge still completes.
		cfg.Logger.Warn("Policy skipped", zap.Int64("policy_id", policy), zap.Error(err))
		return position{next: pi + 1}, 0, nil
	}
	if err != nil {
		return position{}, 0, err
	}
	defer resp.Body.Close()
	d := decode.NewPostureInfoList(resp.Body)
	if !cfg.Evidence {
		d.MaxEvidenceBytes = -1
	}
	pg, err := readClassicPage(resp, d, w)
	if err != nil {
		resp.Unreadable()
		return position{}, 0, err
	}
	var hosts int64
	var lastHost int64
	defer w.reportUnreadable("posture_info", zap.Int64("policy_id", policy))
	for i := range pg.infos {
		info := &pg.infos[i]
		if info.PolicyID == 0 {
			info.PolicyID = policy
		}
		if info.HostID != lastHost {
			hosts++
			lastHost = info.HostID
		}
		lost := pg.lost.Of(info.ID)
		if len(lost) == 0 {
			lost = pg.hostLost.Of(info.HostID)
		}
		if err := w.add(ctx, pg.posture(info), pg.host(info.HostID), info, lost); err != nil {
			return position{}, 0, err
		}
	}
	w.reportSkipped("posture_info", policy)
	next, more, err := qualys.NextPage(d.Warning(), idMin)
	if err != nil {
		resp.Unreadable()
		return position{}, 0, qualys.ResponseError("posture_info", err)
	}
	if more {
		return position{next: pi, host: next}, hosts, nil
	}
	return position{next: pi + 1}, hosts, nil
}

// unknownPolicy says whether err is Qualys refusing the policy id itself (HTTP 400, code 1905
// "parameter policy_id has invalid value"): the policy does not exist, or not for this user. Any
// other refused parameter is the receiver's fault and fails the poll.
func unknownPolicy(err error) bool {
	var qe *qualys.Error
	return errors.As(err, &qe) && qe.Code == qualys.CodeInvalidValue && strings.Contains(qe.Text, "policy_id")
}
