// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// KnowledgeBase VULN_TYPE values and the detection TYPE each one produces.
const (
	VulnTypeVulnerability = "Vulnerability"
	VulnTypePotential     = "Potential Vulnerability"
	VulnTypeIG            = "Information Gathered"
)

var (
	vulnTypeNames = [3]string{VulnTypeVulnerability, VulnTypePotential, VulnTypeIG}
	detTypeNames  = [3]string{TypeConfirmed, TypePotential, TypeInfo}
)

// Vuln is one KnowledgeBase entry.
type Vuln struct {
	QID             uint64
	VulnType        string // Vulnerability, Potential Vulnerability, Information Gathered
	Severity        int    // 1-5
	Title           string
	Category        string
	Published       time.Time
	Modified        time.Time // LAST_SERVICE_MODIFICATION_DATETIME
	Patchable       bool
	Kernel          bool // kernel-related: its detections carry AFFECT_RUNNING_KERNEL
	CVEs            []string
	VendorRefs      []VendorRef
	CVSSBase        float64
	CVSSTemporal    float64
	CVSSVector      string
	CVSS3Base       float64
	CVSS3Temporal   float64
	CVSS3Vector     string
	CVSS3Version    string
	Vendor          string
	Product         string
	Diagnosis       string
	Consequence     string
	Solution        string
	PCIFlag         bool
	ThreatIntel     []string // THREAT_INTEL names; the id attribute is the index in threatIntel + 1
	RemoteDiscovery bool
}

// VendorRef is one VENDOR_REFERENCE: an advisory's name and URL.
type VendorRef struct {
	ID  string
	URL string
}

// vulnCore is the part of a KB entry detections need; it is cheap (no strings) because every
// detection computes the core of its QID.
type vulnCore struct {
	typ       int // index into vulnTypeNames
	severity  int
	kernel    bool
	cvss3     int // tenths
	published int // days before BaseTime
	modified  int // days before BaseTime
}

// KBCount returns the number of KnowledgeBase entries, added ones included.
func (t *Tenant) KBCount() int { return t.cfg.QIDs + t.ov.kbAddedCount() }

// qidAt returns the QID of pool entry k; QIDs ascend with k, with gaps.
func (t *Tenant) qidAt(k int) uint64 {
	return qidBase + uint64(k)*t.qidStride + hash3(t.seed, kindQID, uint64(k), 0)%t.qidStride
}

// qidIndex returns the pool index of a QID, or false when the QID is not in the pool.
func (t *Tenant) qidIndex(qid uint64) (int, bool) {
	if qid < qidBase {
		return 0, false
	}
	k := int((qid - qidBase) / t.qidStride)
	return k, k < t.cfg.QIDs && t.qidAt(k) == qid
}

// HasQID reports whether the KnowledgeBase has this QID.
func (t *Tenant) HasQID(qid uint64) bool {
	if _, ok := t.qidIndex(qid); ok {
		return true
	}
	_, ok := t.ov.kbAddedAt(qid)
	return ok
}

// EachQID calls fn for every KnowledgeBase QID in ascending order until fn returns false.
func (t *Tenant) EachQID(fn func(qid uint64) bool) {
	added := t.ov.kbAddedSorted()
	a := 0
	for k := 0; k < t.cfg.QIDs; k++ {
		q := t.qidAt(k)
		for ; a < len(added) && added[a] < q; a++ {
			if !fn(added[a]) {
				return
			}
		}
		if !fn(q) {
			return
		}
	}
	for ; a < len(added); a++ {
		if !fn(added[a]) {
			return
		}
	}
}

func (t *Tenant) vulnCore(qid uint64) (vulnCore, rng) {
	r := newRNG(t.seed, kindVuln, qid, 0)
	c := vulnCore{typ: r.weighted([]int{72, 16, 12})}
	if c.typ == 2 {
		c.severity = r.between(1, 3)
	} else {
		c.severity = 1 + r.weighted([]int{10, 20, 35, 25, 10})
		c.kernel = r.chance(10)
	}
	c.cvss3 = min(100, max(10, c.severity*19+r.between(-10, 10)))
	c.published = r.between(30, 4000)
	c.modified = r.intn(c.published)
	return c, r
}

// Vuln returns the KnowledgeBase entry of a QID, with mutations applied.
func (t *Tenant) Vuln(qid uint64) (Vuln, bool) {
	addedAt, added := t.ov.kbAddedAt(qid)
	if _, inPool := t.qidIndex(qid); !inPool && !added {
		return Vuln{}, false
	}
	c, r := t.vulnCore(qid)
	v := Vuln{QID: qid, VulnType: vulnTypeNames[c.typ], Severity: c.severity, Kernel: c.kernel,
		Published: t.ago(c.published*day + r.intn(day)), Modified: t.ago(c.modified*day + r.intn(day))}
	if added {
		v.Published, v.Modified = addedAt, addedAt
	}
	if at, ok := t.ov.kbModifiedAt(qid); ok {
		v.Modified = at
	}
	vp := vendorProducts[r.intn(len(vendorProducts))]
	v.Vendor, v.Product = vp[0], vp[1]
	v.Title, v.Category = vulnTitle(&v, &r), r.pick(vulnCategories)
	if c.typ == 2 {
		v.Category = "Information gathering"
	} else if c.kernel {
		v.Category = "Local"
	}
	v.Patchable = c.typ != 2 && r.chance(75)
	v.PCIFlag = c.severity >= 3 && c.typ != 2
	v.RemoteDiscovery = r.chance(60)
	if c.typ != 2 {
		for n := r.intn(4); n > 0; n-- {
			v.CVEs = append(v.CVEs, fmt.Sprintf("CVE-%d-%d", v.Published.Year(), r.between(1000, 49999)))
		}
		for n := r.intn(4); n > 0; n-- {
			v.ThreatIntel = append(v.ThreatIntel, r.pick(threatIntel))
		}
	}
	v.CVSS3Base = float64(c.cvss3) / 10
	v.CVSS3Temporal = float64(max(10, c.cvss3-r.intn(15))) / 10
	v.CVSS3Vector, v.CVSS3Version = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "3.1"
	v.CVSSBase = float64(min(100, max(10, c.cvss3-r.between(0, 8)))) / 10
	v.CVSSTemporal = float64(max(10, int(v.CVSSBase*10)-r.intn(15))) / 10
	v.CVSSVector = "AV:N/AC:L/Au:N/C:P/I:P/A:P"
	v.Diagnosis = fmt.Sprintf("%s %s is affected by a weakness that a remote attacker can use.<P>Affected versions: prior to %d.%d.%d",
		titleCase(v.Vendor), titleCase(strings.ReplaceAll(v.Product, "_", " ")), r.between(1, 9), r.intn(20), r.intn(50))
	v.Consequence = "Successful exploitation could allow an attacker to compromise confidentiality, integrity & availability."
	if v.Patchable {
		// The advisory the solution links to; derived, so no other generated value moved.
		v.VendorRefs = []VendorRef{{ID: titleCase(v.Vendor) + " Security Advisory " + strconv.FormatUint(qid, 10),
			URL: "https://www.example.com/advisories/" + strconv.FormatUint(qid, 10)}}
	}
	v.Solution = fmt.Sprintf("Customers are advised to upgrade %s to the latest version.<P>Patch:<BR><A HREF=\"https://www.example.com/advisories/%d\" TARGET=\"_blank\">Advisory %d</A>",
		v.Product, qid, qid)
	return v, true
}

func vulnTitle(v *Vuln, r *rng) string {
	switch {
	case v.VulnType == VulnTypeIG:
		return r.pick(igTitles)
	case v.Kernel:
		return fmt.Sprintf("Linux Kernel Privilege Escalation Vulnerability (%s)", kernelAdvisory(r))
	}
	tmpl := titleTemplates[r.intn(len(titleTemplates))]
	return fmt.Sprintf(tmpl, titleCase(v.Vendor), titleCase(strings.ReplaceAll(v.Product, "_", " ")))
}

func kernelAdvisory(r *rng) string {
	return fmt.Sprintf("RHSA-20%02d:%04d", r.between(18, 25), r.intn(10000))
}

func titleCase(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		words[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return strings.Join(words, " ")
}
