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

	"github.com/seed-d80aa3af/qualysreceiver/internal/convert"
	"github.com/seed-d80aa3af/qualysreceiver/internal/decode"
	"github.com/seed-d80aa3af/qualysreceiver/internal/pull"
	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
	"github.com/seed-d80aa3af/qualysreceiver/internal/telemetry"
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

// classicPage is one page of classic posture output. Qualys writes the glossary after all postures,
// so the postures are held until the page has been read.
type classicPage struct {
	infos    []decode.PostureInfo
	hosts    map[int64]decode.GlossaryHost
	controls map[int64]decode.Control
	techs    map[int64]decode.Technology
	titles   map[int64]string
	lost     telemetry.FirstLost // unreadable fields of the postures, by posture id
	hostLost telemetry.FirstLost // unreadable fields of the glossary hosts, by host id
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

func readClassicPage(resp *qualys.Response, d *decode.PostureInfoList, w *postureWriter) (*classicPage, error) {
	pg := &classicPage{hosts: map[int64]decode.GlossaryHost{}, controls: map[int64]decode.Control{},
		techs: map[int64]decode.Technology{}, titles: map[int64]string{}, lost: telemetry.FirstLost{}, hostLost: telemetry.FirstLost{}}
	err := pull.ReadAnswer(resp, "posture_info", d.Next, func(*decode.RecordError) { w.skip() }, func(kind decode.Kind) error {
		pg.take(kind, d)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return pg, nil
}

// take keeps what the decoder read: a posture, or a glossary entry the postures refer to.
func (pg *classicPage) take(kind decode.Kind, d *decode.PostureInfoList) {
	switch kind {
	case decode.KindPosture:
		pg.infos = append(pg.infos, *d.Info())
		pg.lost.Note(d.Info().ID, d.UnreadableFields())
	case decode.KindGlossaryHost:
		pg.hosts[d.GlossaryHost().ID] = *d.GlossaryHost()
		pg.hostLost.Note(d.GlossaryHost().ID, d.UnreadableFields())
	case decode.KindControl:
		pg.controls[d.Control().ID] = *d.Control()
	case decode.KindTechnology:
		pg.techs[d.Technology().ID] = *d.Technology()
	case decode.KindPolicy:
		pg.titles[d.Policy().ID] = d.Policy().Title
	}
}

// posture joins an INFO record with the glossary entries it refers to.
func (pg *classicPage) posture(info *decode.PostureInfo) *decode.Posture {
	var ctl *decode.Control
	if v, ok := pg.controls[info.ControlID]; ok {
		ctl = &v
	}
	var tech *decode.Technology
	if v, ok := pg.techs[info.TechnologyID]; ok {
		tech = &v
	}
	p := convert.ClassicPosture(info, ctl, tech, pg.titles[info.PolicyID])
	return &p
}

// host is the identity of a host of the page; only its id when the glossary lacks it.
func (pg *classicPage) host(id int64) convert.HostIdentity {
	if h, ok := pg.hosts[id]; ok {
		return convert.HostFromGlossary(&h)
	}
	return convert.HostIdentity{HostID: id}
}
