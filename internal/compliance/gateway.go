// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package compliance // import "github.com/seed-d80aa3af/qualysreceiver/internal/compliance"

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
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
	// resolved is the hosts of the policies of this poll's last Resolve Host IDs call, by policy.
	resolved map[int64]policyHosts
}

var (
	_ postureAPI      = (*gatewaySource)(nil)
	_ pull.HostProber = (*gatewaySource)(nil)
)

// Checks implements pull.Source: login to the gateway, and PCRS.
func (g *gatewaySource) Checks() []pull.Check {
	c := g.s.Client
	return []pull.Check{
		pull.GatewayLoginCheck(c),
		{What: "Policy Compliance posture (PCRS)", Run: func(ctx context.Context) error { return pull.CloseBody(g.policyList(ctx)) }},
	}
}

// policyList calls Get Policy List on the newest PCRS version the gateway serves: the known one, or
// each of qualys.PCRSVersions from the newest until one is not a 404.
func (g *gatewaySource) policyList(ctx context.Context) (*qualys.Response, error) {
	c := g.s.Client
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
			g.s.Logger.Info("Using PC posture streaming (PCRS)", zap.String("version", v))
		}
		return resp, err
	}
	return nil, lastErr
}

func isNotFound(err error) bool {
	var qe *qualys.Error
	return errors.As(err, &qe) && qe.StatusCode == http.StatusNotFound
}

// Plan implements pull.Source: the selected policies of the policy list, one range each.
func (g *gatewaySource) Plan(ctx context.Context, _ time.Time) (pull.HostPlan, error) {
	return g.s.plan(ctx)
}

func (g *gatewaySource) policies(ctx context.Context) ([]policyEntry, time.Time, error) {
	g.resolved = nil // a new poll resolves its policies' hosts again
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
		g.s.Logger.Warn("Policies without a usable id skipped", zap.String("endpoint", "pcrs_policies"),
			zap.Strings("policies", unusable))
	}
	return list, serverTime, nil
}

// Page implements pull.Source: the postures of the next batch of at most PageSize hosts, in one
// postureInfo call: those of r.Policy from host r.Next on and, while the batch has room, those of
// the next policies of the same Resolve Host IDs answer, each from where its range stands. A span
// that ends (r.Max, the search for a failing host in internal/pull/skip.go) takes only its own
// policy's hosts up to r.Max; one that holds none of them asks Qualys nothing.
func (g *gatewaySource) Page(ctx context.Context, r pull.IDRange, out *pull.Batcher) (int64, bool, error) {
	if err := g.s.listedPolicies(ctx); err != nil {
		return 0, false, err
	}
	ph, err := g.hostsOf(ctx, r.Policy)
	if err != nil {
		return 0, false, err
	}
	b := postureBatch{limit: g.s.PageSize, skipped: g.s.Rec.State.Current.Skipped}
	next, done := b.add(ph, r.Next, r.Max)
	for _, o := range g.s.rangesAfter(r.Policy) {
		oph, resolved := g.resolved[o.Policy]
		if r.Max > 0 || !done || !resolved || b.hosts >= b.limit {
			break
		}
		m := pull.RangeMove{Policy: o.Policy}
		m.Next, m.Done = b.add(oph, o.Next, 0)
		out.MoveRange(m)
	}
	if len(b.body) == 0 {
		out.Unasked()
	} else if err := g.postures(ctx, b.body, &postureWriter{s: g.s, out: out}); err != nil {
		return 0, false, pull.HostsAnswerFailed(err)
	}
	out.CountHosts(int64(b.hosts))
	return next, done, nil
}

// ProbeHost implements pull.HostProber: the host of r's policy nearest below host that skipped
// does not name, else the nearest above; a span without hosts would ask Qualys nothing. Without
// this poll's Resolve Host IDs answer for the policy it cannot name one: that is an error, as
// skipping a host no answer proved to fail alone would be.
func (g *gatewaySource) ProbeHost(r pull.IDRange, host int64, skipped func(id int64) bool) (int64, bool, error) {
	ph, ok := g.resolved[r.Policy]
	if !ok {
		return 0, false, fmt.Errorf("policy %d: no Resolve Host IDs answer to name a host to probe", r.Policy)
	}
	ids := ph.hosts
	i, _ := slices.BinarySearch(ids, host)
	for j := i - 1; j >= 0; j-- {
		if !skipped(ids[j]) {
			return ids[j], true, nil
		}
	}
	for j := i; j < len(ids); j++ {
		if ids[j] != host && !skipped(ids[j]) {
			return ids[j], true, nil
		}
	}
	return 0, false, nil
}

// postureBatch is the body of one postureInfo call, of at most limit hosts.
type postureBatch struct {
	limit, hosts int
	body         []qualys.PostureBatch
	// skipped are the hosts the pull skipped (internal/pull/skip.go): they are not asked for
	// again, in any policy.
	skipped []int64
}

// add adds the hosts of ph from host from on, up to host to when to > 0, as many as the batch has
// room for, and returns where ph's range stands after them: at its first host not added, or done.
func (b *postureBatch) add(ph policyHosts, from, to int64) (next int64, done bool) {
	i, _ := slices.BinarySearch(ph.hosts, from)
	left := ph.hosts[i:]
	end := len(left)
	if to > 0 {
		end = sort.Search(len(left), func(k int) bool { return left[k] > to })
	}
	var ids []string
	k := 0 // left[:k] are added or skipped
	for ; k < end && b.hosts+len(ids) < b.limit; k++ {
		if !slices.Contains(b.skipped, left[k]) {
			ids = append(ids, strconv.FormatInt(left[k], 10))
		}
	}
	if len(ids) > 0 {
		b.body = append(b.body, qualys.PostureBatch{
			PolicyID: strconv.FormatInt(ph.policy, 10), SubscriptionID: ph.subscription, HostIDs: ids,
		})
		b.hosts += len(ids)
	}
	switch {
	case k < end && k == 0:
		return from, false // no room left
	case k < end:
		return left[k-1] + 1, false
	case end < len(left):
		return left[end], false // the span's hosts are all in; the policy's next host is past it
	}
	return from, true
}

// postures pulls one postureInfo batch into w, the JSON array decoded posture by posture.
func (g *gatewaySource) postures(ctx context.Context, batch []qualys.PostureBatch, w *postureWriter) error {
	q := qualys.PostureQuery{Evidence: g.s.cfg.Evidence, StatusChangedSince: g.s.since}
	resp, err := g.s.Client.PCRSPostures(ctx, g.version, q, batch)
	if err != nil {
		if isNotFound(err) {
			g.version = ""
		}
		return err
	}
	defer resp.Body.Close()
	d := decode.NewPCRSPostures(resp.Body)
	if !g.s.cfg.Evidence {
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
