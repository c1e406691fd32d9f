// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

// Counts is what a Query selects, computed by running the generators: tests assert that what the
// receiver emitted adds up to these totals. Computing it walks the whole tenant, so use it on
// small tenants.
type Counts struct {
	Hosts               int            // hosts passing the host filters (what Host List returns)
	HostsWithDetections int            // hosts with at least one matching detection (what HLD returns)
	Detections          int            // matching detections
	BySeverity          map[int]int    // matching detections by SEVERITY
	ByStatus            map[string]int // by STATUS
	ByType              map[string]int // by TYPE (Confirmed, Potential, Info)
	Postures            int            // matching postures over the selected policies
	PosturesByStatus    map[string]int
}

// Counts evaluates q over the whole tenant.
func (t *Tenant) Counts(q Query) Counts {
	c := Counts{BySeverity: map[int]int{}, ByStatus: map[string]int{}, ByType: map[string]int{},
		PosturesByStatus: map[string]int{}}
	cq := t.compile(&q)
	var h Host
	var dets []Detection
	t.eachHostIndex(&q, 0, func(i int) bool {
		t.fillHost(&h, i)
		t.countPostures(&c, cq, &h)
		if !cq.hostMatches(&h) {
			return true
		}
		c.Hosts++
		dets = t.matchingDetections(dets[:0], &h, cq)
		if len(dets) > 0 {
			c.HostsWithDetections++
		}
		for k := range dets {
			d := &dets[k]
			c.Detections++
			c.BySeverity[d.Severity]++
			c.ByStatus[d.Status]++
			c.ByType[d.Type]++
		}
		return true
	})
	return c
}

func (t *Tenant) countPostures(c *Counts, cq *compiledQuery, h *Host) {
	for k := range t.policies {
		p := &t.policies[k]
		if !t.InPolicy(k, h.Index) || cq.PolicyIDs != nil && !cq.PolicyIDs.Contains(p.ID) {
			continue
		}
		for j := range p.Controls {
			ps := t.Posture(k, h, j)
			if cq.postureMatches(&ps) {
				c.Postures++
				c.PosturesByStatus[ps.Status]++
			}
		}
	}
}
