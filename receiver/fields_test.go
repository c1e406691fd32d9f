// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-d80aa3af/qualysreceiver/internal/assets"
	"github.com/seed-d80aa3af/qualysreceiver/internal/convert"
	"github.com/seed-d80aa3af/qualysreceiver/internal/kb"
	"github.com/seed-d80aa3af/qualysreceiver/internal/simulator"
	"github.com/seed-d80aa3af/qualysreceiver/internal/vulnerabilities"
)

// Every detection's resource carries its host's tag names, as Host List Detection lists them
// (show_tags=1).
func TestVulnerabilitiesCarryHostTags(t *testing.T) {
	e := newSimEnv(t, simulator.TenantConfig{Hosts: 40, DetectionsPerHost: 2}, simulator.Options{})
	require.NoError(t, newVulnStream(t, e, nil).Poll(t.Context(), e.sinks))
	tagged := 0
	eachLog(e.sinks.allLogs(), func(res, _ map[string]any) {
		h, ok := e.tenant.HostByID(uint64(res[convert.AttrQualysHostID].(int64)))
		require.True(t, ok)
		var want []any
		for _, tag := range h.Tags {
			want = append(want, tag.Name)
		}
		if len(want) == 0 {
			assert.NotContains(t, res, convert.AttrAssetTags)
			return
		}
		tagged++
		assert.Equal(t, want, res[convert.AttrAssetTags], "host %d", h.ID)
	})
	assert.Positive(t, tagged)
}

// With knowledge_base::include_text the detections carry the KnowledgeBase's diagnosis,
// consequence and solution as the KnowledgeBase wrote them; without it, neither they nor the
// cache hold any text.
func TestVulnerabilitiesKnowledgeBaseText(t *testing.T) {
	for _, include := range []bool{false, true} {
		e := newSimEnv(t, simulator.TenantConfig{Hosts: 10, DetectionsPerHost: 3, QIDs: 15}, simulator.Options{})
		cache := kb.NewCache(vulnerabilities.KnowledgeBaseFetcher{Client: e.client, IncludeText: include}, 24*time.Hour, kb.Limits{})
		s := newVulnStream(t, e, func(c *vulnerabilities.Settings) { c.KnowledgeBase = cache })
		require.NoError(t, s.Poll(t.Context(), e.sinks))
		records := 0
		eachLog(e.sinks.allLogs(), func(_, rec map[string]any) {
			records++
			qid := rec[convert.AttrQID].(int64)
			v, ok := e.tenant.Vuln(uint64(qid))
			require.True(t, ok)
			entry := cache.Get(qid)
			require.NotNil(t, entry)
			if !include {
				for _, k := range []string{convert.AttrVulnDiagnosis, convert.AttrVulnConsequence, convert.AttrVulnSolution} {
					assert.NotContains(t, rec, k)
				}
				assert.Empty(t, entry.Diagnosis+entry.Consequence+entry.Solution, "the cache keeps no text")
				return
			}
			assert.Equal(t, v.Diagnosis, rec[convert.AttrVulnDiagnosis])
			assert.Equal(t, v.Consequence, rec[convert.AttrVulnConsequence])
			assert.Equal(t, v.Solution, rec[convert.AttrVulnSolution])
		})
		assert.Positive(t, records)
	}
}

// The KnowledgeBase fields of a detection are the simulator's KnowledgeBase entry, under their
// documented names.
func TestVulnerabilitiesKnowledgeBaseFields(t *testing.T) {
	e := newSimEnv(t, simulator.TenantConfig{Hosts: 10, DetectionsPerHost: 3, QIDs: 15}, simulator.Options{})
	require.NoError(t, newVulnStream(t, e, nil).Poll(t.Context(), e.sinks))
	threats := 0
	eachLog(e.sinks.allLogs(), func(_, rec map[string]any) {
		v, ok := e.tenant.Vuln(uint64(rec[convert.AttrQID].(int64)))
		require.True(t, ok)
		assert.Equal(t, convert.SeverityName(v.Severity), rec[convert.AttrVulnSeverity])
		assert.Equal(t, "CVSS", rec[convert.AttrVulnClassification])
		assert.Equal(t, v.CVSS3Version, rec[convert.AttrVulnScoreVersion])
		assert.Equal(t, v.CVSS3Vector, rec[convert.AttrCVSS3Vector])
		assert.Equal(t, v.CVSS3Temporal, rec[convert.AttrCVSS3Temporal])
		assert.Equal(t, v.CVSSVector, rec[convert.AttrCVSS2Vector])
		assert.Equal(t, v.CVSSTemporal, rec[convert.AttrCVSS2Temporal])
		var refs []any
		for _, c := range v.CVEs {
			refs = append(refs, simulator.CVEURL(c))
		}
		for _, r := range v.VendorRefs {
			refs = append(refs, r.URL)
		}
		if len(refs) > 0 {
			assert.Equal(t, refs, rec[convert.AttrVulnReference])
		} else {
			assert.NotContains(t, rec, convert.AttrVulnReference)
		}
		if v.VulnType != simulator.VulnTypeIG {
			assert.Equal(t, []any{map[string]any{"vendor": v.Vendor, "product": v.Product}}, rec[convert.AttrVulnSoftware])
		}
		if v.PCIFlag {
			assert.Equal(t, true, rec[convert.AttrVulnPCIFlag])
		} else {
			assert.NotContains(t, rec, convert.AttrVulnPCIFlag)
		}
		if len(v.ThreatIntel) > 0 {
			threats++
			assert.Equal(t, distinct(v.ThreatIntel), rec[convert.AttrVulnThreatIntel])
		}
	})
	assert.Positive(t, threats)
}

func distinct(list []string) []any {
	var out []any
	seen := map[string]bool{}
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// A cloud host's asset carries its host asset's cloud source on the resource; any other asset has
// none of it.
func TestAssetsCarryCloudSource(t *testing.T) {
	e := newSimEnv(t, simulator.TenantConfig{Hosts: 60}, simulator.Options{})
	s := newAssetsStream(t, e, func(c *assets.Settings) { c.ModifiedWithin = 0 })
	require.NoError(t, s.Poll(t.Context(), e.sinks))
	byProvider := map[string]int{}
	eachLog(e.sinks.allLogs(), func(res, rec map[string]any) {
		h, ok := e.tenant.HostByID(uint64(res[convert.AttrQualysHostID].(int64)))
		require.True(t, ok)
		if h.CloudProvider == "" {
			for _, k := range assetOnlyResource[1:] {
				assert.NotContains(t, res, k, "host %d is in no cloud", h.ID)
			}
			return
		}
		byProvider[h.CloudProvider]++
		c := h.Cloud
		assert.Equal(t, c.InstanceID, res[convert.AttrHostID])
		assert.Equal(t, c.InstanceType, res[convert.AttrHostType])
		assert.Equal(t, c.Account, res[convert.AttrCloudAccountID])
		assert.Equal(t, c.State, rec[convert.AttrAssetCloudState])
		if c.Region != "" {
			assert.Equal(t, c.Region, res[convert.AttrCloudRegion])
		} else {
			assert.Regexp(t, `^[a-z]+-[a-z]+\d$`, res[convert.AttrCloudRegion], "GCP's region, from its zone %s", c.Zone)
		}
		if c.Zone != "" {
			assert.Equal(t, c.Zone, res[convert.AttrCloudZone])
		}
		if c.ImageID != "" {
			assert.Equal(t, c.ImageID, res[convert.AttrHostImageID])
		}
		if len(c.Tags) > 0 {
			want := map[string]any{}
			for _, kv := range c.Tags {
				want[kv[0]] = kv[1]
			}
			assert.Equal(t, want, rec[convert.AttrAssetCloudTags])
		}
	})
	assert.Len(t, byProvider, 3, "EC2, Azure and GCP hosts: %v", byProvider)
}
