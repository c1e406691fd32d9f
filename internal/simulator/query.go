// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"math"
	"regexp"
	"slices"
	"time"
)

// Query selects hosts, detections and postures the way the Qualys filter parameters do; the HTTP
// handlers parse their parameters into a Query and Counts evaluates the same Query, so a test can
// compute what an endpoint must return. The zero Query is Host List Detection without filter
// parameters: every host; detections with status New, Active or Re-Opened, confirmed and
// potential, no information gathered, no ignored or disabled ones.
type Query struct {
	// Host filters (ids, id_min, id_max, use_tags..., vm_processed_after/before, os_pattern).
	IDs               IDSet // nil: all hosts
	IDMin, IDMax      uint64
	Tags              TagQuery
	VMProcessedAfter  time.Time
	VMProcessedBefore time.Time
	OSPattern         *regexp.Regexp

	// Detection filters.
	Statuses        []string // nil: New, Active, Re-Opened (Qualys' default)
	VulnType        string   // "", "confirmed" or "potential" (include_vuln_type)
	ShowIGs         bool     // include TYPE Info detections (show_igs=1)
	Severities      IDSet
	QIDs            IDSet
	ARFKernel       int // arf_kernel_filter 0-4
	UpdatedSince    time.Time
	UpdatedBefore   time.Time
	ProcessedAfter  time.Time // detection_processed_after, on LAST_PROCESSED_DATETIME
	ProcessedBefore time.Time
	QDSMin, QDSMax  int // 0: unbounded
	IncludeIgnored  bool
	IncludeDisabled bool

	// Posture filters; postures honour only the host ID filters above, not tags or dates.
	PolicyIDs           IDSet
	ControlIDs          IDSet
	PostureStatuses     []string // nil: all
	PostureChangedSince time.Time
}

// TagQuery is use_tags=1 with its tag_set_* parameters. A zero TagQuery filters nothing.
type TagQuery struct {
	ByName     bool     // tag_set_by=name; otherwise Include/Exclude hold decimal tag IDs
	Include    []string // tag_set_include
	Exclude    []string // tag_set_exclude
	IncludeAll bool     // tag_include_selector=all (default any)
	ExcludeAll bool     // tag_exclude_selector=all (default any)
}

// compiledQuery resolves tag names and IDs once per request.
type compiledQuery struct {
	*Query
	include, exclude []uint64
	includeMissing   bool // an include tag does not exist
}

func (t *Tenant) compile(q *Query) *compiledQuery {
	cq := &compiledQuery{Query: q}
	resolve := func(refs []string) (ids []uint64, missing bool) {
		for _, ref := range refs {
			i := slices.IndexFunc(t.tags, func(tag Tag) bool {
				if q.Tags.ByName {
					return tag.Name == ref
				}
				return formatUint(tag.ID) == ref
			})
			if i < 0 {
				missing = true
				continue
			}
			ids = append(ids, t.tags[i].ID)
		}
		return ids, missing
	}
	cq.include, cq.includeMissing = resolve(q.Tags.Include)
	cq.exclude, _ = resolve(q.Tags.Exclude)
	return cq
}

// eachHostIndex visits, in ascending ID order, the indexes of hosts that pass the ID filters,
// starting at index from, jumping straight to each ids range instead of scanning the tenant.
func (t *Tenant) eachHostIndex(q *Query, from int, fn func(i int) bool) {
	lo, hi := max(from, t.hostIndexAtOrAfter(q.IDMin)), t.indexAfter(q.IDMax)
	ranges := q.IDs
	if ranges == nil {
		ranges = IDSet{{0, math.MaxUint64}}
	}
	for _, r := range ranges {
		a, b := max(lo, t.hostIndexAtOrAfter(r.Lo)), min(hi, t.indexAfter(r.Hi))
		for i := a; i < b; i++ {
			if !t.HostPresent(i) {
				continue
			}
			if !fn(i) {
				return
			}
		}
	}
}

// indexAfter is the index of the first host with an ID above id (0 and MaxUint64 mean "no bound").
func (t *Tenant) indexAfter(id uint64) int {
	if id == 0 || id == math.MaxUint64 {
		return t.cfg.Hosts
	}
	return t.hostIndexAtOrAfter(id + 1)
}

func (cq *compiledQuery) hostMatches(h *Host) bool {
	if !cq.VMProcessedAfter.IsZero() && !h.VMProcessed.After(cq.VMProcessedAfter) {
		return false
	}
	if !cq.VMProcessedBefore.IsZero() && !h.VMProcessed.Before(cq.VMProcessedBefore) {
		return false
	}
	if cq.OSPattern != nil && !cq.OSPattern.MatchString(h.OS) {
		return false
	}
	return cq.tagsMatch(h.Tags)
}

func (cq *compiledQuery) tagsMatch(tags []Tag) bool {
	has := func(id uint64) bool { return slices.ContainsFunc(tags, func(t Tag) bool { return t.ID == id }) }
	if len(cq.Tags.Include) > 0 {
		n := 0
		for _, id := range cq.include {
			if has(id) {
				n++
			}
		}
		if cq.Tags.IncludeAll && (cq.includeMissing || n < len(cq.include)) || n == 0 {
			return false
		}
	}
	if len(cq.exclude) > 0 {
		n := 0
		for _, id := range cq.exclude {
			if has(id) {
				n++
			}
		}
		if cq.Tags.ExcludeAll && n == len(cq.exclude) && n == len(cq.Tags.Exclude) || !cq.Tags.ExcludeAll && n > 0 {
			return false
		}
	}
	return true
}

func (cq *compiledQuery) detectionMatches(d *Detection) bool {
	statuses := cq.Statuses
	if statuses == nil {
		statuses = defaultStatuses
	}
	switch {
	case !slices.Contains(statuses, d.Status),
		d.Type == TypeInfo && !cq.ShowIGs,
		d.Type == TypeConfirmed && cq.VulnType == "potential",
		d.Type == TypePotential && cq.VulnType == "confirmed",
		cq.Severities != nil && !cq.Severities.Contains(uint64(d.Severity)),
		cq.QIDs != nil && !cq.QIDs.Contains(d.QID),
		!arfKernelMatches(cq.ARFKernel, d.AffectRunningKernel),
		!cq.UpdatedSince.IsZero() && d.LastUpdate.Before(cq.UpdatedSince),
		!cq.UpdatedBefore.IsZero() && !d.LastUpdate.Before(cq.UpdatedBefore),
		!cq.ProcessedAfter.IsZero() && !d.LastProcessed.After(cq.ProcessedAfter),
		!cq.ProcessedBefore.IsZero() && !d.LastProcessed.Before(cq.ProcessedBefore),
		cq.QDSMin > 0 && d.QDS < cq.QDSMin,
		cq.QDSMax > 0 && d.QDS > cq.QDSMax,
		d.IsIgnored && !cq.IncludeIgnored,
		d.IsDisabled && !cq.IncludeDisabled:
		return false
	}
	return true
}

// arfKernelMatches applies arf_kernel_filter: 1 excludes kernel detections that do not affect
// the running kernel, 2 keeps only those, 3 keeps only kernel detections affecting the running
// kernel, 4 keeps only kernel-related detections.
func arfKernelMatches(filter, ark int) bool {
	switch filter {
	case 1:
		return ark != 0
	case 2:
		return ark == 0
	case 3:
		return ark == 1
	case 4:
		return ark >= 0
	}
	return true
}

func (cq *compiledQuery) postureMatches(p *Posture) bool {
	switch {
	case cq.ControlIDs != nil && !cq.ControlIDs.Contains(p.ControlID),
		cq.PostureStatuses != nil && !slices.Contains(cq.PostureStatuses, p.Status),
		!cq.PostureChangedSince.IsZero() && p.Modified.Before(cq.PostureChangedSince):
		return false
	}
	return true
}

// matchingDetections appends the host's detections that pass the query to dst.
func (t *Tenant) matchingDetections(dst []Detection, h *Host, cq *compiledQuery) []Detection {
	start := len(dst)
	dst = t.appendDetections(dst, h)
	out := dst[:start]
	for k := start; k < len(dst); k++ {
		if cq.detectionMatches(&dst[k]) {
			out = append(out, dst[k])
		}
	}
	return out
}
