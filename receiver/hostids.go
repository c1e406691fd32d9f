// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver // import "github.com/seed-d80aa3af/qualysreceiver/receiver"

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"time"

	"github.com/seed-d80aa3af/qualysreceiver/internal/decode"
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
// ranges: enough for workers to pull in parallel, none larger than a page of pageSize hosts unless
// the tenant is small.
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
		err = func() error {
			defer resp.Body.Close()
			for {
				kind, err := d.Next()
				if errors.Is(err, io.EOF) {
					return nil
				}
				if err != nil {
					resp.Unreadable()
					return qualys.ResponseError("host_ids", err)
				}
				switch kind {
				case decode.KindIDRange:
					r := d.IDRange()
					cut.addRange(r.Min, r.Max)
				case decode.KindHost:
					cut.addRange(d.Host().ID, d.Host().ID)
				}
			}
		}()
		if err != nil {
			return hostPlan{}, err
		}
		if plan.serverTime.IsZero() {
			plan.serverTime = d.Datetime()
		}
		n, more, err := nextPage(d.Warning(), next)
		if err != nil {
			return hostPlan{}, qualys.ResponseError("host_ids", err)
		}
		if !more {
			break
		}
		next = n
	}
	plan.hosts = int64(cut.count)
	target := max(fineRangeHosts, min(pageSize, ceilDiv(cut.count, max(1, workers)*rangesPerWorker)))
	plan.ranges = coalesce(cut.finish(), target/fineRangeHosts)
	return plan, nil
}

// nextPage reads the id_min of the next page from a truncation WARNING (code 1980). A next page
// that does not move forward would loop forever; it is an error in the answer.
func nextPage(w *decode.Warning, current int64) (next int64, more bool, err error) {
	if w == nil || w.URL == "" {
		return 0, false, nil
	}
	u, err := url.Parse(w.URL)
	if err != nil {
		return 0, false, fmt.Errorf("WARNING code %d: next-page URL %q: %w", w.Code, w.URL, err)
	}
	raw := u.Query().Get("id_min")
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return 0, false, fmt.Errorf("WARNING code %d: next-page URL without a valid id_min: %q", w.Code, w.URL)
	}
	if n <= current {
		return 0, false, fmt.Errorf("WARNING code %d: next page starts at id %d, not after %d", w.Code, n, current)
	}
	return n, true, nil
}

// coalesce merges every n consecutive ranges into one.
func coalesce(fine []idRange, n int) []idRange {
	if n <= 1 {
		return fine
	}
	var out []idRange
	for i := 0; i < len(fine); i += n {
		last := fine[min(i+n, len(fine))-1]
		out = append(out, idRange{Min: fine[i].Min, Next: fine[i].Min, Max: last.Max})
	}
	return out
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }
