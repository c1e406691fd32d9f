// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package compliance // import "github.com/seed-d80aa3af/qualysreceiver/internal/compliance"

import (
	"context"
	"slices"
	"time"

	"go.uber.org/zap"

	"github.com/seed-d80aa3af/qualysreceiver/internal/pull"
)

// policyEntry is a policy of the policy list.
type policyEntry struct {
	id    int64
	title string
}

// plan is a pull of the selected policies, one range each, as of this poll's policy list.
func (s *Stream) plan(ctx context.Context) (pull.HostPlan, error) {
	list, serverTime, err := s.listPolicies(ctx)
	if err != nil {
		return pull.HostPlan{}, err
	}
	ids := s.selectPolicies(list)
	ranges := make([]pull.IDRange, len(ids))
	for i, id := range ids {
		ranges[i] = pull.IDRange{Policy: id}
	}
	return pull.HostPlan{Ranges: ranges, ServerTime: serverTime}, nil
}

// listPolicies reads the policy list, whose titles name the policies of postures that carry none
// (older PCRS versions); on the gateway it also finds the PCRS version.
func (s *Stream) listPolicies(ctx context.Context) ([]policyEntry, time.Time, error) {
	list, serverTime, err := s.api.policies(ctx)
	if err != nil {
		return nil, time.Time{}, err
	}
	s.titles = make(map[int64]string, len(list))
	for _, p := range list {
		s.titles[p.id] = p.title
	}
	return list, serverTime, nil
}

// listedPolicies makes sure this poll has read the policy list, once: a resumed pull was planned
// by an earlier poll.
func (s *Stream) listedPolicies(ctx context.Context) error {
	if s.titles != nil {
		return nil
	}
	_, _, err := s.listPolicies(ctx)
	return err
}

// selectPolicies is the configured policies, or every listed one, ascending and without repeats.
// A configured policy missing from the list is still asked for: Qualys says whether it exists.
func (s *Stream) selectPolicies(list []policyEntry) []int64 {
	ids := slices.Clone(s.cfg.PolicyIDs)
	if len(ids) == 0 {
		for _, p := range list {
			ids = append(ids, p.id)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// policyGroup is the policies of the pull in progress whose hosts one Resolve Host IDs call asks
// for: policy and the policies of the ranges not done after it, up to PoliciesPerCall.
func (s *Stream) policyGroup(policy int64) []int64 {
	group := []int64{policy}
	for _, r := range s.rangesAfter(policy) {
		if len(group) == s.cfg.PoliciesPerCall {
			break
		}
		group = append(group, r.Policy)
	}
	return group
}

// rangesAfter is the ranges of the pull in progress not done after policy's, in order. The engine
// pulls them on the goroutine that calls Page, as compliance runs one worker.
func (s *Stream) rangesAfter(policy int64) []pull.IDRange {
	ranges := s.Rec.State.Current.Ranges
	i := slices.IndexFunc(ranges, func(r pull.IDRange) bool { return r.Policy == policy })
	var after []pull.IDRange
	for _, r := range ranges[i+1:] {
		if !r.Done {
			after = append(after, r)
		}
	}
	return after
}

// resumeFields describe a resumed pull in the log: how many of its policies are done.
func resumeFields(p *pull.Progress) []zap.Field {
	done := 0
	for _, r := range p.Ranges {
		if r.Done {
			done++
		}
	}
	return []zap.Field{zap.Int("policies_done", done), zap.Int("policies", len(p.Ranges))}
}
