// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-d80aa3af/qualysreceiver/internal/simulator"
)

// A slow pull logs its progress at a steady pace: pages, records, hosts done of the total, elapsed
// time and an estimate of what is left.
func TestProgressLinesOnSlowPull(t *testing.T) {
	e := newSimEnv(t, simulator.TenantConfig{Hosts: 40, DetectionsPerHost: 4, ResultsBytes: 400},
		simulator.Options{BandwidthBytesPerSec: 200_000})
	s := newVulnStream(t, e, func(c *VulnerabilitiesSettings) {
		c.ProgressEvery = 100 * time.Millisecond
		c.PageSize = 4
		c.Workers = 1
	})
	require.NoError(t, s.Poll(t.Context(), e.sinks))

	lines := e.logs.FilterMessage("Pull in progress").All()
	require.GreaterOrEqual(t, len(lines), 2, "a pull of over a second logs progress more than once")
	var lastDone int64
	for i, l := range lines {
		f := l.ContextMap()
		for _, key := range []string{"pages", "records", "elapsed", "hosts_done", "hosts_total"} {
			assert.Contains(t, f, key, "line %d", i)
		}
		assert.EqualValues(t, 40, f["hosts_total"])
		done := f["hosts_done"].(int64)
		assert.GreaterOrEqual(t, done, lastDone, "progress never goes back")
		lastDone = done
		if done > 0 && done < 40 {
			assert.Contains(t, f, "estimated_remaining", "an estimate once some hosts are done")
		}
	}
}
