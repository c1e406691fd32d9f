// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-d80aa3af/qualysreceiver/internal/simulator"
)

// dashboardFaults make the simulator answer so that the receiver has something to show in the
// dashboard's fault panels: a concurrency-limit answer it waits out, and invalid characters in a
// detection's RESULTS that it repairs. Neither changes what the databases must hold.
var dashboardFaults = []simulator.Fault{
	{Kind: simulator.FaultConcurrencyLimit, Endpoint: simulator.EndpointHLD},
	// Every answer after that one: the first ones may be the start-up check's, which has no records.
	{Kind: simulator.FaultBadChars, Endpoint: simulator.EndpointHLD, Record: 2, Count: -1},
}

// dashboardPanel is a panel of dashboards/qualys-receiver.json with its PromQL queries.
type dashboardPanel struct {
	Title   string                  `json:"title"`
	Targets []struct{ Expr string } `json:"targets"`
	Panels  []dashboardPanel        `json:"panels"`
}

// dashboardVariables are the values Grafana would put in the queries: the lookback variable's
// default, and a rate interval of a few scrape intervals.
var dashboardVariables = strings.NewReplacer("$lookback", "2d", "$__rate_interval", "5m")

// checkDashboard runs every query of the Grafana dashboard against the metrics database: each must
// be valid, and each panel must show data.
func checkDashboard(t *testing.T, metrics *victoriaMetrics) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "dashboards", "qualys-receiver.json"))
	require.NoError(t, err)
	var d struct {
		Panels []dashboardPanel `json:"panels"`
	}
	require.NoError(t, json.Unmarshal(raw, &d))
	var panels []dashboardPanel
	var walk func([]dashboardPanel)
	walk = func(ps []dashboardPanel) {
		for _, p := range ps {
			if len(p.Targets) > 0 {
				panels = append(panels, p)
			}
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	require.GreaterOrEqual(t, len(panels), 10)

	for _, p := range panels {
		// The collector's own metrics arrive by scraping, every second: wait a little for them.
		var empty []string
		ok := assert.Eventually(t, func() bool {
			empty = nil
			series := 0
			for _, tg := range p.Targets {
				rows, err := metrics.query(dashboardVariables.Replace(tg.Expr))
				if !assert.NoError(t, err, "panel %q", p.Title) {
					return true
				}
				if len(rows) == 0 {
					empty = append(empty, tg.Expr)
				}
				series += len(rows)
			}
			return series > 0
		}, 20*time.Second, time.Second, "panel %q shows no data", p.Title)
		if !ok {
			names, _ := metrics.query(`count by (__name__) ({__name__=~"otelcol_receiver_qualys_.*"})`)
			var have []string
			for _, n := range names {
				have = append(have, n.Metric["__name__"])
			}
			t.Logf("panel %q: empty queries %q; the collector's metrics present: %v", p.Title, empty, have)
		}
	}
}
