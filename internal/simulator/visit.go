// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

// EachHost calls fn for every present host, in ascending ID order, with what Counts counts of it:
// its detections matching q when the host passes q's host filters (else none), and its postures of
// q's policies matching q. It stops when fn returns false. Tests build from it the records a
// receiver must deliver.
func (t *Tenant) EachHost(q Query, fn func(h *Host, detections []Detection, postures []Posture) bool) {
	cq := t.compile(&q)
	t.eachHostIndex(&q, 0, func(i int) bool {
		var h Host
		t.fillHost(&h, i)
		var postures []Posture
		for k := range t.policies {
			p := &t.policies[k]
			if !t.InPolicy(k, i) || cq.PolicyIDs != nil && !cq.PolicyIDs.Contains(p.ID) {
				continue
			}
			for j := range p.Controls {
				if ps := t.Posture(k, &h, j); cq.postureMatches(&ps) {
					postures = append(postures, ps)
				}
			}
		}
		var detections []Detection
		if cq.hostMatches(&h) {
			detections = t.matchingDetections(nil, &h, cq)
		}
		return fn(&h, detections, postures)
	})
}
