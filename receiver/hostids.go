// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver // import "github.com/seed-d80aa3af/qualysreceiver/receiver"

import (
	"context"
	"time"

	"github.com/seed-d80aa3af/qualysreceiver/internal/decode"
	"github.com/seed-d80aa3af/qualysreceiver/internal/pull"
	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
)

// hostPlan is what the host id list says about a pull: the id ranges to pull in parallel, how many
// hosts they hold and the Qualys server time when the list was read (the next cursor).
type hostPlan struct {
	ranges     []idRange
	hosts      int64
	serverTime time.Time
}

// fineRangeHosts is the grain of the first cut. Ranges are merged from these once the host count is
// known, so memory stays a few bytes per host even for millions of hosts.
const fineRangeHosts = 50

// rangesPerWorker keeps every worker busy until the end of a pull: with several ranges each, a
// worker that finishes early takes another instead of idling while one slow range finishes.
const rangesPerWorker = 4

// planHostRanges reads the ids of the hosts q selects (Host List, details=None) and cuts them into
// ranges of equal host counts: a multiple of workers, enough for each to pull several, none larger
// than a page of pageSize hosts unless the tenant is small (a range is never below fineRangeHosts).
// Every host is in a range; the last range is open-ended.
func planHostRanges(ctx context.Context, client *qualys.Client, q qualys.HostQuery, workers, pageSize int) (hostPlan, error) {
	cut := rangeCutter{perRange: fineRangeHosts}
	var plan hostPlan
	next := int64(0)
	for {
		resp, err := client.HostIDs(ctx, q, qualys.IDRange{Min: next})
		if err != nil {
			return hostPlan{}, err
		}
		d := decode.NewHostList(resp.Body)
		// An id the list cannot give leaves the plan unknown: the answer is unreadable.
		err = pull.ReadAnswer(resp, "host_ids", d.Next, nil, func(kind decode.Kind) error {
			switch kind {
			case decode.KindIDRange:
				r := d.IDRange()
				cut.addRange(r.Min, r.Max)
			case decode.KindHost:
				cut.addRange(d.Host().ID, d.Host().ID)
			}
			return nil
		})
		resp.Body.Close()
		if err != nil {
			return hostPlan{}, err
		}
		if plan.serverTime.IsZero() {
			plan.serverTime = d.Datetime()
		}
		n, more, err := qualys.NextPage(d.Warning(), next)
		if err != nil {
			return hostPlan{}, qualys.ResponseError("host_ids", err)
		}
		if !more {
			break
		}
		next = n
	}
	plan.hosts = int64(cut.count)
	plan.ranges = balance(cut.finish(), rangeCount(cut.count, workers, pageSize))
	return plan, nil
}

// rangeCount is how many ranges a pull of hosts is cut into: rangesPerWorker per worker, more when
// a range would hold more than a page of pageSize hosts, rounded up to a multiple of workers. Equal
// ranges then end together: with one range more than a multiple, that range runs alone at the end
// of the pull while the other workers idle, and the whole pull takes up to a range longer.
func rangeCount(hosts, workers, pageSize int) int {
	workers = max(1, workers)
	n := workers * rangesPerWorker
	if pageSize > 0 {
		n = max(n, ceilDiv(hosts, pageSize))
	}
	return ceilDiv(n, workers) * workers
}

// balance merges consecutive fine ranges into n ranges that hold the same number of fine ranges, give
// or take one; with n or fewer fine ranges it returns them as they are. The merged ranges cover the
// same ids, and the last keeps the open end of the last fine range.
func balance(fine []idRange, n int) []idRange {
	if n >= len(fine) {
		return fine
	}
	out := make([]idRange, 0, n)
	for i := range n {
		merged := fine[i*len(fine)/n : (i+1)*len(fine)/n]
		first, last := merged[0], merged[len(merged)-1]
		r := idRange{Min: first.Min, Next: first.Min, Max: last.Max}
		for _, f := range merged {
			r.Hosts += f.Hosts
		}
		out = append(out, r)
	}
	return out
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }
