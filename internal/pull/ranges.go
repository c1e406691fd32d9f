// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package pull // import "github.com/seed-d80aa3af/qualysreceiver/internal/pull"

import (
	"context"
	"time"

	"github.com/seed-d80aa3af/qualysreceiver/internal/decode"
	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
)

// IDRange is a slice of the host id space, pulled page by page (id_min/id_max). Next is where the
// next page starts: every host below it has been accepted by the next consumer.
type IDRange struct {
	// Policy is the policy whose hosts the range holds, for a stream that pulls hosts policy by
	// policy (compliance: one range per policy); 0 for a range of every selected host.
	Policy int64 `json:"policy,omitempty"`
	Min    int64 `json:"min"`
	// Max is the last host id of the range; 0 leaves it open, so hosts added after the host id
	// list was read are pulled too.
	Max  int64 `json:"max"`
	Next int64 `json:"next"`
	Done bool  `json:"done"`
	// Hosts is how many hosts of the host id list the range holds; HostsDone how many of them were
	// pulled. A host without detections never appears in a page, so a range that ends counts all
	// its hosts done.
	Hosts     int64 `json:"hosts,omitempty"`
	HostsDone int64 `json:"hosts_done,omitempty"`
	// Failing is the page at Next while it keeps failing (skip.go); nil once a page passes.
	Failing *PageFailures `json:"failing,omitempty"`
}

// Progress is the pull in progress of a stream that pulls host id ranges, checkpointed so a
// restart resumes it.
type Progress struct {
	// Cursor is the Qualys server time when the pull began; it becomes the stream's cursor when the
	// pull completes.
	Cursor time.Time `json:"cursor"`
	// Full is a full pull (not only changes since the last cursor).
	Full bool `json:"full"`
	// API is the API the pull was planned on, for a stream that can pull from more than one; a pull
	// planned on another is not resumed (Engine.API).
	API    string    `json:"api,omitempty"`
	Ranges []IDRange `json:"ranges"`
	// Hosts is how many hosts the pull covers (0 when unknown); HostsDone how many were pulled.
	Hosts     int64 `json:"hosts,omitempty"`
	HostsDone int64 `json:"hosts_done,omitempty"`
	// Skipped are the hosts this pull skipped because every page that held them failed (skip.go).
	Skipped []int64 `json:"skipped,omitempty"`
	// Suspects are the hosts the last completed pull skipped: a page of a range that holds one is
	// likely failed by it again, so its first failure is searched as for a host skipped already.
	Suspects []int64 `json:"suspects,omitempty"`
	// formerPosition is the position of a pull read from a checkpoint of an earlier layout, named
	// in that layout's terms (RefOf); "" otherwise.
	formerPosition string
}

// NextPage reads where the page after r's page at Next starts from the answer's truncation
// warning, for Source.Page: done when the answer names no next page or the next page starts past
// r's end. An unreadable warning fails the hosts answer of endpoint.
func (r IDRange) NextPage(w *decode.Warning, endpoint string) (next int64, done bool, err error) {
	next, more, err := qualys.NextPage(w, r.Next)
	if err != nil {
		return 0, false, HostsAnswerFailed(qualys.ResponseError(endpoint, err))
	}
	if more && r.Max > 0 && next > r.Max {
		more = false
	}
	return next, !more, nil
}

// Began is when the pull began and whether it is full, for its checkpoint record.
func (p *Progress) Began() (time.Time, bool) { return p.Cursor, p.Full }

// HostPlan is what the host id list says about a pull: the id ranges to pull in parallel, how many
// hosts they hold and the Qualys server time when the list was read (the next cursor).
type HostPlan struct {
	Ranges     []IDRange
	Hosts      int64
	ServerTime time.Time
}

// fineRangeHosts is the grain of the first cut. Ranges are merged from these once the host count is
// known, so memory stays a few bytes per host even for millions of hosts.
const fineRangeHosts = 50

// rangesPerWorker keeps every worker busy until the end of a pull: with several ranges each, a
// worker that finishes early takes another instead of idling while one slow range finishes.
const rangesPerWorker = 4

// PlanHostRanges reads the ids of the hosts q selects (Host List, details=None) and cuts them into
// ranges of equal host counts: a multiple of workers, enough for each to pull several, none larger
// than a page of pageSize hosts unless the tenant is small (a range is never below fineRangeHosts).
// Every host is in a range; the last range is open-ended.
func PlanHostRanges(ctx context.Context, client *qualys.Client, q qualys.HostQuery, workers, pageSize int) (HostPlan, error) {
	cut := rangeCutter{perRange: fineRangeHosts}
	var plan HostPlan
	next := int64(0)
	for {
		resp, err := client.HostIDs(ctx, q, qualys.IDRange{Min: next})
		if err != nil {
			return HostPlan{}, err
		}
		d := decode.NewHostList(resp.Body)
		// An id the list cannot give leaves the plan unknown: the answer is unreadable.
		err = ReadAnswer(resp, "host_ids", d.Next, nil, func(kind decode.Kind) error {
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
			return HostPlan{}, err
		}
		if plan.ServerTime.IsZero() {
			plan.ServerTime = d.Datetime()
		}
		n, more, err := qualys.NextPage(d.Warning(), next)
		if err != nil {
			return HostPlan{}, qualys.ResponseError("host_ids", err)
		}
		if !more {
			break
		}
		next = n
	}
	plan.Hosts = int64(cut.count)
	plan.Ranges = balance(cut.finish(), rangeCount(cut.count, workers, pageSize))
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
func balance(fine []IDRange, n int) []IDRange {
	if n >= len(fine) {
		return fine
	}
	out := make([]IDRange, 0, n)
	for i := range n {
		merged := fine[i*len(fine)/n : (i+1)*len(fine)/n]
		first, last := merged[0], merged[len(merged)-1]
		r := IDRange{Min: first.Min, Next: first.Min, Max: last.Max}
		for _, f := range merged {
			r.Hosts += f.Hosts
		}
		out = append(out, r)
	}
	return out
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// rangeCutter cuts the ascending host ids of a host id list into ranges of about perRange hosts as
// the ids stream in, so a list of millions of hosts costs a few ranges of memory. The last range is
// left open so hosts added since the list was read are pulled too.
type rangeCutter struct {
	perRange int
	count    int
	last     int64
	ranges   []IDRange
}

// addRange adds the ids lo to hi, which all exist (an ID_RANGE of the host id list).
func (c *rangeCutter) addRange(lo, hi int64) {
	for id := lo; id <= hi; {
		if c.count%c.perRange == 0 {
			if n := len(c.ranges); n > 0 {
				c.ranges[n-1].Max = c.last
			}
			c.ranges = append(c.ranges, IDRange{Min: id, Next: id})
		}
		// Take as many ids of [id, hi] as fit in the current range at once.
		take := min(int64(c.perRange-c.count%c.perRange), hi-id+1)
		c.ranges[len(c.ranges)-1].Hosts += take
		c.last = id + take - 1
		c.count += int(take)
		id += take
	}
}

func (c *rangeCutter) finish() []IDRange {
	return c.ranges
}
