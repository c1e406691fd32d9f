// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualysreceiver_test

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

const dashboardPath = "dashboards/qualys-receiver.json"

// Every PromQL query of the dashboard names metrics metadata.yaml defines, under the naming
// translation dashboards/README.md documents, and groups or filters only by their attributes.
func TestDashboardQueriesDefinedMetrics(t *testing.T) {
	raw, err := os.ReadFile(dashboardPath)
	require.NoError(t, err)
	catalog := loadPromCatalog(t)
	problems, queries := dashboardProblems(t, raw, catalog)
	assert.Empty(t, problems)
	assert.GreaterOrEqual(t, queries, 10, "the dashboard should have its queries")

	// Every metric in metadata.yaml has a panel, so a new metric is not forgotten here.
	used := map[string]bool{}
	var d dashboard
	require.NoError(t, json.Unmarshal(raw, &d))
	for _, p := range allPanels(d.Panels) {
		for _, tg := range p.Targets {
			for _, m := range parsePromQL(tg.Expr).metrics {
				if def, ok := catalog.series[m]; ok {
					used[def.name] = true
				}
			}
		}
	}
	for name := range catalog.metrics {
		assert.True(t, used[name], "no panel shows %s", name)
	}
}

// The check itself: unknown metric names, attributes a metric does not have, and names without the
// translation's suffixes are reported.
func TestDashboardCheckRejectsUnknownNames(t *testing.T) {
	catalog := loadPromCatalog(t)
	for _, tc := range []struct {
		name, expr, legend string
		want               string // a part of the expected problem; empty: no problem
	}{
		{"known gauge", `sum by (qualys_severity) (qualys_vulnerability_detections)`, "{{qualys_severity}}", ""},
		{"known counter", `rate(otelcol_receiver_qualys_requests_total{outcome="ok"}[5m])`, "", ""},
		{"histogram bucket with le", `histogram_quantile(0.9, sum by (le) (rate(otelcol_receiver_qualys_poll_duration_seconds_bucket[5m])))`, "", ""},
		{"resource attribute", `sum(qualys_assets) by (host_name)`, "", ""},
		{"name selector", `{__name__="qualys_assets", os_type="linux"}`, "", ""},
		{"unknown metric", `sum(qualys_vulnerability_detection)`, "", "qualys_vulnerability_detection is not a metric"},
		{"unknown metric in name selector", `{__name__="qualys_asset"}`, "", "qualys_asset is not a metric"},
		{"counter without _total", `rate(otelcol_receiver_qualys_requests[5m])`, "", "otelcol_receiver_qualys_requests is not a metric"},
		{"histogram without unit suffix", `otelcol_receiver_qualys_poll_duration_bucket`, "", "otelcol_receiver_qualys_poll_duration_bucket is not a metric"},
		{"gauge with _total", `qualys_assets_total`, "", "qualys_assets_total is not a metric"},
		{"unknown attribute in by", `sum by (severity) (qualys_vulnerability_detections)`, "", "has no attribute severity"},
		{"unknown attribute in matcher", `qualys_assets{qualys_severity="5"}`, "", "has no attribute qualys_severity"},
		{"telemetry attribute on another metric", `sum by (reason) (otelcol_receiver_qualys_polls_total)`, "", "has no attribute reason"},
		{"le on a non-histogram", `sum by (le) (qualys_assets)`, "", "has no attribute le"},
		{"unknown attribute in legend", `sum by (os_type) (qualys_assets)`, "{{os_family}}", "has no attribute os_family"},
		{"no metric", `vector(1)`, "", "names no metric"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := map[string]any{
				"templating": map[string]any{"list": []any{map[string]any{"name": "datasource", "type": "datasource", "query": "prometheus"}}},
				"panels": []any{map[string]any{"type": "row", "panels": []any{map[string]any{
					"title": "p", "datasource": map[string]any{"uid": "${datasource}"},
					"targets": []any{map[string]any{"expr": tc.expr, "legendFormat": tc.legend}},
				}}}},
			}
			raw, err := json.Marshal(d)
			require.NoError(t, err)
			problems, _ := dashboardProblems(t, raw, catalog)
			if tc.want == "" {
				assert.Empty(t, problems)
				return
			}
			require.Len(t, problems, 1)
			assert.Contains(t, problems[0], tc.want)
		})
	}
}

// The collector's own metrics are named otelcol_<telemetry metric> by the generated code; the
// translation below relies on it.
func TestTelemetryInstrumentNames(t *testing.T) {
	gen, err := os.ReadFile("internal/metadata/generated_telemetry.go")
	require.NoError(t, err)
	md := loadMetadata(t)
	for name := range md.Telemetry.Metrics {
		assert.Contains(t, string(gen), `"otelcol_`+name+`"`)
	}
}

// metadataFile is the part of metadata.yaml the dashboard check needs.
type metadataFile struct {
	ResourceAttributes map[string]any       `yaml:"resource_attributes"`
	Metrics            map[string]metricDef `yaml:"metrics"`
	Telemetry          struct {
		Metrics map[string]metricDef `yaml:"metrics"`
	} `yaml:"telemetry"`
}

type metricDef struct {
	Description string    `yaml:"description"`
	Unit        string    `yaml:"unit"`
	Attributes  []string  `yaml:"attributes"`
	Gauge       *struct{} `yaml:"gauge"`
	Sum         *struct {
		Monotonic bool `yaml:"monotonic"`
	} `yaml:"sum"`
	Histogram *struct{} `yaml:"histogram"`
}

func loadMetadata(t *testing.T) metadataFile {
	t.Helper()
	raw, err := os.ReadFile("metadata.yaml")
	require.NoError(t, err)
	var md metadataFile
	require.NoError(t, yaml.Unmarshal(raw, &md))
	require.NotEmpty(t, md.Metrics)
	require.NotEmpty(t, md.Telemetry.Metrics)
	return md
}

// promSeries is one Prometheus series name and what it may be grouped or filtered by.
type promSeries struct {
	name   string // the metadata.yaml metric it comes from
	labels map[string]bool
}

// promCatalog maps every Prometheus series name the receiver's metrics become to its metric.
type promCatalog struct {
	series  map[string]promSeries
	metrics map[string]bool
}

// scrapeLabels are added by Prometheus to every scraped series.
var scrapeLabels = []string{"job", "instance"}

// backticked finds the attribute names a telemetry metric's description lists (`stream`, `api`, …):
// telemetry metrics in metadata.yaml have no attributes list.
var backticked = regexp.MustCompile("`([a-z_]+)`")

func loadPromCatalog(t *testing.T) promCatalog {
	t.Helper()
	md := loadMetadata(t)
	c := promCatalog{series: map[string]promSeries{}, metrics: map[string]bool{}}
	add := func(name string, def metricDef, telemetry bool) {
		labels := map[string]bool{}
		for _, l := range scrapeLabels {
			labels[l] = true
		}
		if telemetry {
			for _, m := range backticked.FindAllStringSubmatch(def.Description, -1) {
				labels[m[1]] = true
			}
		} else {
			for _, a := range def.Attributes {
				labels[promLabel(a)] = true
			}
			for a := range md.ResourceAttributes {
				labels[promLabel(a)] = true
			}
		}
		series, err := promSeriesNames(name, def, telemetry)
		require.NoError(t, err)
		for _, s := range series {
			ls := labels
			if strings.HasSuffix(s, "_bucket") && def.Histogram != nil {
				ls = map[string]bool{"le": true}
				for l := range labels {
					ls[l] = true
				}
			}
			c.series[s] = promSeries{name: name, labels: ls}
		}
		c.metrics[name] = true
	}
	for name, def := range md.Metrics {
		add(name, def, false)
	}
	for name, def := range md.Telemetry.Metrics {
		add(name, def, true)
	}
	return c
}

// promLabel is an attribute name as a Prometheus label: qualys.detection.status → qualys_detection_status.
func promLabel(attr string) string {
	return strings.NewReplacer(".", "_", "-", "_").Replace(attr)
}

// promSeriesNames is the OTLP → Prometheus name translation dashboards/README.md documents (the
// default of Prometheus' OTLP receiver, the prometheus and prometheusremotewrite exporters, and the
// collector's own Prometheus endpoint with without_units/without_type_suffix false):
// dots become underscores; the collector's own metrics get the otelcol_ prefix; the unit is
// appended as a word (s → seconds; {annotations} are dropped); monotonic sums get _total;
// histograms become _bucket, _sum and _count series.
func promSeriesNames(name string, def metricDef, telemetry bool) ([]string, error) {
	base := promLabel(name)
	if telemetry {
		base = "otelcol_" + base
	}
	unit, err := promUnit(def.Unit)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if unit != "" && !strings.HasSuffix(base, "_"+unit) {
		base += "_" + unit
	}
	switch {
	case def.Histogram != nil:
		return []string{base + "_bucket", base + "_sum", base + "_count"}, nil
	case def.Sum != nil && def.Sum.Monotonic:
		if !strings.HasSuffix(base, "_total") {
			base += "_total"
		}
	}
	return []string{base}, nil
}

// promUnit is the word a UCUM unit adds to a Prometheus name. Units not listed here fail the test,
// so that a new unit gets a deliberate translation.
func promUnit(unit string) (string, error) {
	if unit == "" || regexp.MustCompile(`^\{[^}]*\}$`).MatchString(unit) {
		return "", nil
	}
	words := map[string]string{"s": "seconds", "ms": "milliseconds", "By": "bytes", "1": "ratio"}
	if w, ok := words[unit]; ok {
		return w, nil
	}
	return "", fmt.Errorf("unit %q has no Prometheus translation in dashboard_test.go", unit)
}

// dashboard is the part of a Grafana dashboard JSON model the check reads.
type dashboard struct {
	Panels     []panel `json:"panels"`
	Templating struct {
		List []struct {
			Name  string `json:"name"`
			Type  string `json:"type"`
			Query any    `json:"query"`
		} `json:"list"`
	} `json:"templating"`
}

type panel struct {
	Title      string `json:"title"`
	Type       string `json:"type"`
	Datasource *struct {
		UID string `json:"uid"`
	} `json:"datasource"`
	Targets []struct {
		Expr         string `json:"expr"`
		LegendFormat string `json:"legendFormat"`
		Datasource   *struct {
			UID string `json:"uid"`
		} `json:"datasource"`
	} `json:"targets"`
	Panels []panel `json:"panels"` // a row's panels
}

func allPanels(ps []panel) []panel {
	var out []panel
	for _, p := range ps {
		out = append(out, p)
		out = append(out, allPanels(p.Panels)...)
	}
	return out
}

var legendLabel = regexp.MustCompile(`\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}`)

// dashboardProblems lists what is wrong with a dashboard's queries and returns how many it read.
func dashboardProblems(t *testing.T, raw []byte, catalog promCatalog) (problems []string, queries int) {
	t.Helper()
	var d dashboard
	require.NoError(t, json.Unmarshal(raw, &d), "the dashboard is not valid JSON")
	hasDatasourceVar := slices.ContainsFunc(d.Templating.List, func(v struct {
		Name  string `json:"name"`
		Type  string `json:"type"`
		Query any    `json:"query"`
	}) bool {
		return v.Name == "datasource" && v.Type == "datasource" && v.Query == "prometheus"
	})
	if !hasDatasourceVar {
		problems = append(problems, "no templating variable `datasource` of type datasource (prometheus)")
	}
	for _, v := range d.Templating.List {
		if v.Type == "query" {
			problems = append(problems, fmt.Sprintf("variable %s: query variables are not checked; add them to the check", v.Name))
		}
	}
	for _, p := range allPanels(d.Panels) {
		if p.Type == "row" && len(p.Targets) == 0 {
			continue
		}
		if p.Datasource == nil || p.Datasource.UID != "${datasource}" {
			problems = append(problems, fmt.Sprintf("panel %q: datasource must be ${datasource}", p.Title))
		}
		if len(p.Targets) == 0 {
			problems = append(problems, fmt.Sprintf("panel %q: no queries", p.Title))
		}
		for _, tg := range p.Targets {
			queries++
			if tg.Datasource != nil && tg.Datasource.UID != "${datasource}" {
				problems = append(problems, fmt.Sprintf("panel %q: query datasource must be ${datasource}", p.Title))
			}
			q := parsePromQL(tg.Expr)
			if len(q.metrics) == 0 {
				problems = append(problems, fmt.Sprintf("panel %q: %q names no metric", p.Title, tg.Expr))
			}
			labels := slices.Clone(q.labels)
			for _, m := range legendLabel.FindAllStringSubmatch(tg.LegendFormat, -1) {
				labels = append(labels, m[1])
			}
			for _, m := range q.metrics {
				s, ok := catalog.series[m]
				if !ok {
					problems = append(problems, fmt.Sprintf("panel %q: %s is not a metric of metadata.yaml under the documented naming", p.Title, m))
					continue
				}
				// A label must exist on every metric of the query: stricter than PromQL's scoping,
				// and simple enough to hold without a PromQL parser.
				for _, l := range labels {
					if !s.labels[l] {
						problems = append(problems, fmt.Sprintf("panel %q: %s has no attribute %s", p.Title, m, l))
					}
				}
			}
		}
	}
	return problems, queries
}

// promQuery is what a PromQL expression refers to: metric names, and label names used in
// selectors, by/without, on/ignoring and group_left/group_right.
type promQuery struct {
	metrics, labels []string
}

var promKeywords = map[string]bool{
	"and": true, "or": true, "unless": true, "bool": true, "offset": true, "atan2": true,
	"inf": true, "nan": true, "start": true, "end": true,
}

// promAggregations are PromQL's aggregation operators; "sum by (x) (…)" puts by between the
// operator and its "(".
var promAggregations = map[string]bool{
	"sum": true, "min": true, "max": true, "avg": true, "group": true, "stddev": true, "stdvar": true,
	"count": true, "count_values": true, "bottomk": true, "topk": true, "quantile": true,
	"limitk": true, "limit_ratio": true,
}

var promLabelLists = map[string]bool{
	"by": true, "without": true, "on": true, "ignoring": true, "group_left": true, "group_right": true,
}

// parsePromQL scans a PromQL expression (with Grafana variables) for the names it refers to. It is
// a scanner, not a parser: identifiers followed by "(" are functions, a few are keywords, the
// contents of [...] (ranges, subqueries, $__rate_interval) are skipped, and "{…}" holds label
// matchers.
func parsePromQL(expr string) promQuery {
	var q promQuery
	isIdentStart := func(c byte) bool { return c == '_' || c == ':' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
	isIdent := func(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }
	skipSpace := func(i int) int {
		for i < len(expr) && (expr[i] == ' ' || expr[i] == '\t' || expr[i] == '\n') {
			i++
		}
		return i
	}
	skipString := func(i int) int { // expr[i] is the opening quote
		quote := expr[i]
		for i++; i < len(expr) && expr[i] != quote; i++ {
			if expr[i] == '\\' && quote != '`' {
				i++
			}
		}
		return i + 1
	}
	// labelList reads "( a, b )" starting at i and returns the index after it.
	labelList := func(i int) int {
		i = skipSpace(i)
		if i >= len(expr) || expr[i] != '(' {
			return i
		}
		end := strings.IndexByte(expr[i:], ')')
		if end < 0 {
			return len(expr)
		}
		for _, l := range strings.Split(expr[i+1:i+end], ",") {
			if l = strings.TrimSpace(l); l != "" {
				q.labels = append(q.labels, l)
			}
		}
		return i + end + 1
	}
	// matchers reads "{ a="x", b!~"y" }" starting at i (the "{") and returns the index after it.
	matchers := func(i int) int {
		for i++; i < len(expr) && expr[i] != '}'; {
			switch c := expr[i]; {
			case c == '"' || c == '\'' || c == '`':
				i = skipString(i)
			case isIdentStart(c):
				start := i
				for i < len(expr) && isIdent(expr[i]) {
					i++
				}
				name := expr[start:i]
				j := skipSpace(i)
				if name == "__name__" && j+1 < len(expr) && expr[j] == '=' {
					j = skipSpace(j + 1)
					if j < len(expr) && (expr[j] == '"' || expr[j] == '\'') {
						end := skipString(j)
						q.metrics = append(q.metrics, expr[j+1:end-1])
						i = end
					}
					continue
				}
				q.labels = append(q.labels, name)
			default:
				i++
			}
		}
		return i + 1
	}
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case c == '"' || c == '\'' || c == '`':
			i = skipString(i)
		case c == '[':
			end := strings.IndexByte(expr[i:], ']')
			if end < 0 {
				return q
			}
			i += end + 1
		case c == '{':
			i = matchers(i)
		case c == '$': // a Grafana variable: $name or ${name}
			i++
			if i < len(expr) && expr[i] == '{' {
				end := strings.IndexByte(expr[i:], '}')
				if end < 0 {
					return q
				}
				i += end + 1
				continue
			}
			for i < len(expr) && isIdent(expr[i]) {
				i++
			}
		case c >= '0' && c <= '9' || c == '.': // numbers and durations (5m, 1e3, 0.95)
			for i < len(expr) && (isIdent(expr[i]) || expr[i] == '.') {
				i++
			}
		case isIdentStart(c):
			start := i
			for i < len(expr) && isIdent(expr[i]) {
				i++
			}
			word := expr[start:i]
			next := skipSpace(i)
			switch {
			case promLabelLists[strings.ToLower(word)]:
				i = labelList(i)
			case promKeywords[strings.ToLower(word)], promAggregations[strings.ToLower(word)]:
			case next < len(expr) && expr[next] == '(':
				// a function or an aggregation
			default:
				q.metrics = append(q.metrics, word)
			}
		default:
			i++
		}
	}
	return q
}
