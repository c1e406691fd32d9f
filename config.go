// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualysreceiver // import "github.com/seed-d80aa3af/qualysreceiver"

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/config/configretry"

	"github.com/seed-d80aa3af/qualysreceiver/internal/convert"
	"github.com/seed-d80aa3af/qualysreceiver/internal/kb"
	"github.com/seed-d80aa3af/qualysreceiver/internal/metadata"
)

// Config is the user configuration of the qualys receiver.
type Config struct {
	// Platform is the Qualys platform of the subscription (US1 … KSA1). It fills APIURL and GatewayURL
	// from the platform table; the username's platform identifier tells which one it is.
	Platform Platform `mapstructure:"platform"`
	// APIURL is the Qualys API server (assets and vulnerabilities), e.g. https://qualysapi.qualys.com.
	// Set it for private cloud platforms; it wins over Platform.
	APIURL string `mapstructure:"api_url"`
	// GatewayURL is the Qualys API gateway (policy compliance through PCRS), e.g.
	// https://gateway.qg1.apps.qualys.com. Set it for private cloud platforms; it wins over Platform.
	GatewayURL string `mapstructure:"gateway_url"`

	// Username of the Qualys user the receiver polls as. Required.
	Username string `mapstructure:"username"`
	// Password of that user. Required; use ${env:QUALYS_PASSWORD}. Never printed.
	Password configopaque.String `mapstructure:"password"`

	// HTTP holds the client settings (timeout, tls, proxy_url, headers) at the top level of the
	// receiver's configuration. The timeout defaults to 10m because a Host List Detection page of
	// 1,000 hosts can take minutes to arrive.
	HTTP confighttp.ClientConfig `mapstructure:",squash"`

	// MaxConcurrency is the upper bound on requests in flight per Qualys API. Qualys'
	// X-Concurrency-Limit-Limit header can only lower it. Defaults to 2, the Standard tier limit.
	MaxConcurrency int `mapstructure:"max_concurrency"`

	// Retry configures back-off for 5xx answers and network errors. 409 limit answers are waited out
	// for exactly as long as Qualys says, not by this back-off.
	Retry configretry.BackOffConfig `mapstructure:"retry_on_failure"`

	// RetryFailedPoll is how soon a failed poll is tried again from its checkpoint (config_retry.go).
	RetryFailedPoll RetryFailedPollConfig `mapstructure:"retry_failed_poll"`

	// Storage is the ID of a storage extension (e.g. file_storage) that keeps checkpoints across
	// restarts. Without it checkpoints live in memory and a restart begins with a full pull.
	Storage *component.ID `mapstructure:"storage"`

	// LeaderElector is the ID of a leader-election extension (k8s_leader_elector): with several
	// collector replicas only the leader polls Qualys, and a new leader resumes from the checkpoint.
	LeaderElector *component.ID `mapstructure:"leader_elector"`

	// Tags filters assets and vulnerabilities by Qualys tag name.
	Tags TagsConfig `mapstructure:"tags"`

	Assets          AssetsConfig          `mapstructure:"assets"`
	Vulnerabilities VulnerabilitiesConfig `mapstructure:"vulnerabilities"`
	Compliance      ComplianceConfig      `mapstructure:"compliance"`

	// Body is what each log record's body holds: summary (default), a one-line description a person
	// reads in a log view, or none.
	Body BodyMode `mapstructure:"body"`
	// Timestamp is each log record's timestamp: poll (default), the start of the poll that emitted
	// it, or qualys, the record's own Qualys date. The Qualys dates are attributes either way.
	Timestamp TimestampMode `mapstructure:"timestamp"`

	// Capture writes every Qualys answer to a directory, for reporting a problem.
	Capture CaptureConfig `mapstructure:"capture"`

	// MetricsBuilder enables or disables the summary metrics and resource attributes.
	MetricsBuilder metadata.MetricsBuilderConfig `mapstructure:",squash"`

	// keyErrors are what Unmarshal found wrong in the user's keys themselves (unknown keys, durations
	// without a unit); Validate reports them with the rest (config_keys.go).
	keyErrors error

	// prevent unkeyed literal initialization
	_ struct{}
}

var _ component.Config = (*Config)(nil)

// TagsConfig selects assets by Qualys tag names (use_tags=1, tag_set_by=name).
type TagsConfig struct {
	// Include keeps only assets with these tags. A list, or one comma-separated string.
	Include TagNames `mapstructure:"include"`
	// Exclude drops assets with these tags. A list, or one comma-separated string.
	Exclude TagNames `mapstructure:"exclude"`
	// IncludeSelector is "any" (default) or "all" of the Include tags.
	IncludeSelector TagSelector `mapstructure:"include_selector"`
	// ExcludeSelector is "any" (default) or "all" of the Exclude tags.
	ExcludeSelector TagSelector `mapstructure:"exclude_selector"`
}

// AssetsConfig configures the assets stream: Host List merged with asset-management host assets.
type AssetsConfig struct {
	Enabled bool `mapstructure:"enabled"`
	// Interval between polls. Defaults to 4h.
	Interval time.Duration `mapstructure:"interval"`
	// PageSize is the number of hosts per request (truncation_limit / limitResults), 1 to 1000.
	// Defaults to 1000.
	PageSize int `mapstructure:"page_size"`
	// ModifiedWithin pulls only assets modified within this window, e.g. 90d or 2160h. 0 pulls every
	// asset. Defaults to 90d.
	ModifiedWithin Days `mapstructure:"modified_within"`
}

// VulnerabilitiesConfig configures the vulnerabilities stream: Host List Detection joined with the
// KnowledgeBase.
type VulnerabilitiesConfig struct {
	Enabled bool `mapstructure:"enabled"`
	// Interval between polls. Later polls ask only for hosts processed since the last completed poll.
	// Defaults to 4h.
	Interval time.Duration `mapstructure:"interval"`
	// FullSyncInterval is how often a poll pulls every detection again instead of only the changes,
	// which also picks up changes that no scan made (ignored, disabled, purged hosts). Defaults to 168h.
	FullSyncInterval time.Duration `mapstructure:"full_sync_interval"`
	// PageSize is the number of hosts per page (truncation_limit), 1 to 10000. Defaults to 1000.
	PageSize int `mapstructure:"page_size"`
	// Status is the detection statuses to pull. Defaults to all four: New, Active, Re-Opened, Fixed.
	Status DetectionStatuses `mapstructure:"status"`
	// IncludeVulnType is confirmed, potential or both (the default).
	IncludeVulnType VulnTypes `mapstructure:"include_vuln_type"`
	// ArfKernelFilter filters kernel-related detections: 0 no filter, 1 exclude non-exploitable kernel
	// vulnerabilities (non-running kernels), 2 only those, 3 only exploitable ones (running kernels),
	// 4 only kernel-related ones. Not sent when unset.
	ArfKernelFilter *ArfKernelFilter `mapstructure:"arf_kernel_filter"`
	// Severities keeps only detections of these severities (1 to 5). Empty means all.
	Severities Severities `mapstructure:"severities"`
	// QIDs keeps only detections of these QIDs. Empty means all.
	QIDs QIDs `mapstructure:"qids"`
	// ShowResults includes the scan result text (RESULTS). Defaults to true.
	ShowResults bool `mapstructure:"show_results"`
	// MaxResultsBytes cuts RESULTS to this many bytes (on a UTF-8 boundary). 1 to 1048576; defaults to 4096.
	MaxResultsBytes int `mapstructure:"max_results_bytes"`
	// KnowledgeBase joins each detection with its QID's KnowledgeBase entry.
	KnowledgeBase KnowledgeBaseConfig `mapstructure:"knowledge_base"`
}

// KnowledgeBaseConfig configures the KnowledgeBase cache shared by all polls.
type KnowledgeBaseConfig struct {
	// Enabled adds title, category, CVEs, CVSS, patchable and published date to detections. Defaults to true.
	Enabled bool `mapstructure:"enabled"`
	// RefreshInterval is how often cached entries are refreshed with last_modified_after. Defaults to 24h.
	RefreshInterval time.Duration `mapstructure:"refresh_interval"`
	// IncludeText adds the KnowledgeBase's diagnosis, consequence and solution to detections. Off by
	// default: the cache then holds kilobytes per QID instead of a few hundred bytes.
	IncludeText bool `mapstructure:"include_text"`
	// MaxEntries bounds the cached entries, the least recently used evicted first. Defaults to 100000.
	MaxEntries int `mapstructure:"max_entries"`
	// MaxBytes bounds the cached entries' estimated size in bytes. Defaults to 67108864 (64 MiB).
	MaxBytes int64 `mapstructure:"max_bytes"`
}

// ComplianceConfig configures the policy compliance stream (PCRS on the API gateway).
type ComplianceConfig struct {
	Enabled bool `mapstructure:"enabled"`
	// Interval between polls. Defaults to 24h.
	Interval time.Duration `mapstructure:"interval"`
	// API is where postures come from: gateway (PC posture streaming on the API gateway, the
	// default) or classic (the posture info API on the API server, for subscriptions without the
	// gateway).
	API ComplianceAPI `mapstructure:"api"`
	// PolicyIDs limits the stream to these policies. Empty means every policy.
	PolicyIDs PolicyIDs `mapstructure:"policy_ids"`
	// Status is the posture statuses to emit. Defaults to all three: Passed, Failed, Error.
	Status PostureStatuses `mapstructure:"status"`
	// IncludeEvidence adds expected and current values to each posture. Defaults to false: evidence is
	// large and may hold sensitive configuration values.
	IncludeEvidence bool `mapstructure:"include_evidence"`
}

const (
	defaultTimeout          = 10 * time.Minute
	defaultMaxConcurrency   = 2
	defaultInterval         = 4 * time.Hour
	defaultComplianceEvery  = 24 * time.Hour
	defaultFullSyncInterval = 7 * 24 * time.Hour
	defaultKBRefresh        = 24 * time.Hour
	defaultPageSize         = 1000
	defaultModifiedWithin   = Days(90 * 24 * time.Hour)
	defaultMaxResultsBytes  = 4096

	// minKBEntries and minKBBytes keep the entries of one KnowledgeBase call (500 QIDs) until the
	// detections that asked for them are converted.
	minKBEntries = 1000
	minKBBytes   = 1 << 20

	maxAssetsPageSize     = 1000 // QPS limitResults accepts 1–1000
	maxDetectionsPageSize = 10000
	maxResultsBytesLimit  = 1 << 20
)

func createDefaultConfig() component.Config {
	httpCfg := confighttp.NewDefaultClientConfig()
	httpCfg.Timeout = defaultTimeout
	retry := configretry.NewDefaultBackOffConfig()
	// Qualys 5xx answers are mostly maintenance windows: keep trying for longer than the default 5m.
	retry.MaxInterval = 2 * time.Minute
	retry.MaxElapsedTime = 15 * time.Minute
	return &Config{
		HTTP:            httpCfg,
		MaxConcurrency:  defaultMaxConcurrency,
		Retry:           retry,
		RetryFailedPoll: defaultRetryFailedPoll(),
		Tags: TagsConfig{
			IncludeSelector: TagSelectorAny,
			ExcludeSelector: TagSelectorAny,
		},
		Assets: AssetsConfig{
			Enabled:        true,
			Interval:       defaultInterval,
			PageSize:       defaultPageSize,
			ModifiedWithin: defaultModifiedWithin,
		},
		Vulnerabilities: VulnerabilitiesConfig{
			Enabled:          true,
			Interval:         defaultInterval,
			FullSyncInterval: defaultFullSyncInterval,
			PageSize:         defaultPageSize,
			Status:           slices.Clone(allDetectionStatuses),
			IncludeVulnType:  slices.Clone(allVulnTypes),
			ShowResults:      true,
			MaxResultsBytes:  defaultMaxResultsBytes,
			KnowledgeBase: KnowledgeBaseConfig{
				Enabled:         true,
				RefreshInterval: defaultKBRefresh,
				MaxEntries:      kb.DefaultMaxEntries,
				MaxBytes:        kb.DefaultMaxBytes,
			},
		},
		Compliance: ComplianceConfig{
			Enabled:  true,
			Interval: defaultComplianceEvery,
			API:      ComplianceAPIGateway,
			Status:   slices.Clone(allPostureStatuses),
		},
		Body:           BodyMode(convert.BodySummary),
		Timestamp:      TimestampMode(convert.TimestampPoll),
		Capture:        CaptureConfig{MaxBytes: defaultCaptureMaxBytes},
		MetricsBuilder: metadata.NewDefaultMetricsBuilderConfig(),
	}
}

// Validate checks what spans several keys; each typed key checks itself (see the types below), and
// confmap.Validate prefixes every message with the key path.
func (cfg *Config) Validate() error {
	errs := []error{cfg.keyErrors}
	if cfg.Platform == "" && cfg.APIURL == "" {
		errs = append(errs, errors.New("platform: set platform (US1 … KSA1) or api_url"))
	}
	if cfg.Compliance.Enabled && cfg.Compliance.API == ComplianceAPIGateway && cfg.GatewayURL == "" {
		switch {
		case cfg.APIURL != "":
			// The platform's gateway would receive the credentials meant for the api_url's server.
			errs = append(errs, errors.New("gateway_url: set gateway_url beside api_url when compliance is enabled (or compliance::api: classic, or remove api_url to use the platform's servers)"))
		case cfg.Platform == "":
			errs = append(errs, errors.New("gateway_url: set platform or gateway_url when compliance is enabled"))
		}
	}
	errs = append(errs, validateURL("api_url", cfg.APIURL), validateURL("gateway_url", cfg.GatewayURL))
	if cfg.HTTP.Endpoint != "" {
		errs = append(errs, errors.New("endpoint: not used by this receiver; set platform, api_url or gateway_url"))
	}
	if cfg.Username == "" {
		errs = append(errs, errors.New("username: must be set"))
	}
	if cfg.Password == "" {
		errs = append(errs, errors.New("password: must be set (for example password: ${env:QUALYS_PASSWORD})"))
	}
	if cfg.HTTP.Timeout < 0 {
		errs = append(errs, fmt.Errorf("timeout: %s must not be negative", cfg.HTTP.Timeout))
	}
	if cfg.MaxConcurrency < 1 {
		errs = append(errs, fmt.Errorf("max_concurrency: %d must be at least 1", cfg.MaxConcurrency))
	}
	if !cfg.Assets.Enabled && !cfg.Vulnerabilities.Enabled && !cfg.Compliance.Enabled {
		errs = append(errs, errors.New("enable at least one stream: assets, vulnerabilities or compliance"))
	}
	errs = append(errs, cfg.RetryFailedPoll.validate()...)
	errs = append(errs, cfg.Assets.validate()...)
	errs = append(errs, cfg.Vulnerabilities.validate()...)
	errs = append(errs, cfg.Compliance.validate()...)
	errs = append(errs, cfg.Capture.validate()...)
	return errors.Join(errs...)
}

// The stream checks run from Config.Validate, not as Validate methods of their own: confmap.Validate
// prefixes only the first line of a joined error, and every line must name its key. Disabled
// streams are not checked.

func (cfg *AssetsConfig) validate() []error {
	if !cfg.Enabled {
		return nil
	}
	return []error{
		validateInterval("assets::interval", cfg.Interval),
		validatePageSize("assets::page_size", cfg.PageSize, maxAssetsPageSize),
		validateWindow("assets::modified_within", time.Duration(cfg.ModifiedWithin)),
	}
}

func (cfg *VulnerabilitiesConfig) validate() []error {
	if !cfg.Enabled {
		return nil
	}
	errs := []error{
		validateInterval("vulnerabilities::interval", cfg.Interval),
		validateNotNegative("vulnerabilities::full_sync_interval", cfg.FullSyncInterval),
		validatePageSize("vulnerabilities::page_size", cfg.PageSize, maxDetectionsPageSize),
		validateNotEmpty("vulnerabilities::status", cfg.Status, allDetectionStatuses),
		validateNotEmpty("vulnerabilities::include_vuln_type", cfg.IncludeVulnType, allVulnTypes),
	}
	if cfg.ShowResults && (cfg.MaxResultsBytes < 1 || cfg.MaxResultsBytes > maxResultsBytesLimit) {
		errs = append(errs, fmt.Errorf("vulnerabilities::max_results_bytes: %d is not between 1 and %d", cfg.MaxResultsBytes, maxResultsBytesLimit))
	}
	if cfg.KnowledgeBase.Enabled {
		errs = append(errs, validateInterval("vulnerabilities::knowledge_base::refresh_interval", cfg.KnowledgeBase.RefreshInterval))
		if cfg.KnowledgeBase.MaxEntries < minKBEntries {
			errs = append(errs, fmt.Errorf("vulnerabilities::knowledge_base::max_entries: %d is less than %d, the QIDs of one KnowledgeBase call", cfg.KnowledgeBase.MaxEntries, minKBEntries))
		}
		if cfg.KnowledgeBase.MaxBytes < minKBBytes {
			errs = append(errs, fmt.Errorf("vulnerabilities::knowledge_base::max_bytes: %d is less than %d (1 MiB)", cfg.KnowledgeBase.MaxBytes, minKBBytes))
		}
	}
	return errs
}

func (cfg *ComplianceConfig) validate() []error {
	if !cfg.Enabled {
		return nil
	}
	return []error{
		validateInterval("compliance::interval", cfg.Interval),
		cfg.API.validate("compliance::api"),
		validateNotEmpty("compliance::status", cfg.Status, allPostureStatuses),
	}
}

// ComplianceAPI is where the compliance stream reads postures.
type ComplianceAPI string

const (
	// ComplianceAPIGateway is PC posture streaming (PCRS) on the API gateway.
	ComplianceAPIGateway ComplianceAPI = "gateway"
	// ComplianceAPIClassic is /api/2.0/fo/compliance/posture/info/ on the API server.
	ComplianceAPIClassic ComplianceAPI = "classic"
)

// UnmarshalText accepts any letter case, as platform does: Classic is classic.
func (a *ComplianceAPI) UnmarshalText(text []byte) error {
	*a = ComplianceAPI(strings.ToLower(strings.TrimSpace(string(text))))
	return nil
}

func (a ComplianceAPI) validate(key string) error {
	if a != ComplianceAPIGateway && a != ComplianceAPIClassic {
		return fmt.Errorf("%s: %q is not one of gateway, classic", key, string(a))
	}
	return nil
}

func validateNotEmpty[S ~[]string](key string, values S, allowed []string) error {
	if len(values) == 0 {
		return fmt.Errorf("%s: must list at least one of %s", key, strings.Join(allowed, ", "))
	}
	return nil
}

// APIServerURL is the API server the assets and vulnerabilities streams call: api_url, else the
// platform's.
func (cfg *Config) APIServerURL() string {
	if cfg.APIURL != "" {
		return strings.TrimRight(cfg.APIURL, "/")
	}
	return cfg.Platform.urls().apiServer
}

// APIGatewayURL is the API gateway the compliance stream calls: gateway_url, else the platform's.
func (cfg *Config) APIGatewayURL() string {
	if cfg.GatewayURL != "" {
		return strings.TrimRight(cfg.GatewayURL, "/")
	}
	return cfg.Platform.urls().gateway
}

func validateURL(key, raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%s: %q is not an absolute URL such as https://qualysapi.qualys.com", key, raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if isLoopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("%s: %q must use https; plain http is allowed only for loopback hosts", key, raw)
	default:
		return fmt.Errorf("%s: %q must use https", key, raw)
	}
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// minInterval is the shortest poll interval: Qualys counts every call against an hourly allowance.
const minInterval = time.Minute

func validateInterval(key string, d time.Duration) error {
	if d < minInterval {
		return fmt.Errorf("%s: %s is less than the minimum of %s", key, d, shortDuration(minInterval))
	}
	return nil
}

// validateWindow accepts 0 (no window) or at least one day: Qualys dates have a resolution of seconds,
// but a window shorter than a day is almost always a missing unit.
func validateWindow(key string, d time.Duration) error {
	if d != 0 && d < 24*time.Hour {
		return fmt.Errorf("%s: %s must be 0 (no window) or at least 1d", key, d)
	}
	return nil
}

func validateNotNegative(key string, d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("%s: %s must not be negative", key, d)
	}
	return nil
}

func validatePageSize(key string, n, limit int) error {
	if n < 1 || n > limit {
		return fmt.Errorf("%s: %d is not between 1 and %d", key, n, limit)
	}
	return nil
}

// Platform is a Qualys shared platform name.
type Platform string

type platformURLs struct{ apiServer, gateway string }

// platforms is the platform table of https://www.qualys.com/platform-identification/.
var platforms = map[Platform]platformURLs{
	"US1":  {"https://qualysapi.qualys.com", "https://gateway.qg1.apps.qualys.com"},
	"US2":  {"https://qualysapi.qg2.apps.qualys.com", "https://gateway.qg2.apps.qualys.com"},
	"US3":  {"https://qualysapi.qg3.apps.qualys.com", "https://gateway.qg3.apps.qualys.com"},
	"US4":  {"https://qualysapi.qg4.apps.qualys.com", "https://gateway.qg4.apps.qualys.com"},
	"EU1":  {"https://qualysapi.qualys.eu", "https://gateway.qg1.apps.qualys.eu"},
	"EU2":  {"https://qualysapi.qg2.apps.qualys.eu", "https://gateway.qg2.apps.qualys.eu"},
	"EU3":  {"https://qualysapi.qg3.apps.qualys.it", "https://gateway.qg3.apps.qualys.it"},
	"IN1":  {"https://qualysapi.qg1.apps.qualys.in", "https://gateway.qg1.apps.qualys.in"},
	"CA1":  {"https://qualysapi.qg1.apps.qualys.ca", "https://gateway.qg1.apps.qualys.ca"},
	"AE1":  {"https://qualysapi.qg1.apps.qualys.ae", "https://gateway.qg1.apps.qualys.ae"},
	"UK1":  {"https://qualysapi.qg1.apps.qualys.co.uk", "https://gateway.qg1.apps.qualys.co.uk"},
	"AU1":  {"https://qualysapi.qg1.apps.qualys.com.au", "https://gateway.qg1.apps.qualys.com.au"},
	"KSA1": {"https://qualysapi.qg1.apps.qualysksa.com", "https://gateway.qg1.apps.qualysksa.com"},
}

var platformNames = []string{"US1", "US2", "US3", "US4", "EU1", "EU2", "EU3", "IN1", "CA1", "AE1", "UK1", "AU1", "KSA1"}

func (p Platform) urls() platformURLs {
	return platforms[Platform(strings.ToUpper(string(p)))]
}

// Validate accepts the platform names in any letter case.
func (p Platform) Validate() error {
	if p == "" {
		return nil
	}
	if _, ok := platforms[Platform(strings.ToUpper(string(p)))]; !ok {
		return fmt.Errorf("%q is not one of %s", string(p), strings.Join(platformNames, " "))
	}
	return nil
}

// TagNames is a list of Qualys tag names; YAML may give a list or one comma-separated string.
type TagNames []string

// UnmarshalText accepts one comma-separated string ("Production, PCI").
func (t *TagNames) UnmarshalText(text []byte) error { *t = splitList(text); return nil }

// Names returns the tag names without surrounding spaces.
func (t TagNames) Names() []string {
	out := make([]string, 0, len(t))
	for _, n := range t {
		out = append(out, strings.TrimSpace(n))
	}
	return out
}

// Validate refuses empty names and names with a comma: Qualys reads tag_set_include and
// tag_set_exclude as comma-separated names, with no way to escape one, so "PCI, EU" would select
// the tags "PCI" and "EU" instead.
func (t TagNames) Validate() error {
	for i, n := range t {
		switch {
		case strings.TrimSpace(n) == "":
			return fmt.Errorf("tag name %d is empty", i+1)
		case strings.Contains(n, ","):
			return fmt.Errorf("tag name %q contains a comma; Qualys reads the tag filter as comma-separated names "+
				"and cannot take it, so rename the tag in Qualys (or filter on another tag)", strings.TrimSpace(n))
		}
	}
	return nil
}

// TagSelector says whether an asset needs any or all of the listed tags.
type TagSelector string

const (
	TagSelectorAny TagSelector = "any"
	TagSelectorAll TagSelector = "all"
)

func (s TagSelector) Validate() error {
	if s != TagSelectorAny && s != TagSelectorAll {
		return fmt.Errorf("%q is not one of any, all", string(s))
	}
	return nil
}

var (
	allDetectionStatuses = []string{"New", "Active", "Re-Opened", "Fixed"}
	allVulnTypes         = []string{"confirmed", "potential"}
	allPostureStatuses   = []string{"Passed", "Failed", "Error"}
)

// DetectionStatuses is a subset of New, Active, Re-Opened, Fixed (Qualys' exact spelling).
type DetectionStatuses []string

// UnmarshalText accepts one comma-separated string.
func (s *DetectionStatuses) UnmarshalText(text []byte) error { *s = splitList(text); return nil }

func (s DetectionStatuses) Validate() error { return validateOneOf(s, allDetectionStatuses) }

// VulnTypes is a subset of confirmed, potential.
type VulnTypes []string

// UnmarshalText accepts one comma-separated string.
func (s *VulnTypes) UnmarshalText(text []byte) error { *s = splitList(text); return nil }

func (s VulnTypes) Validate() error { return validateOneOf(s, allVulnTypes) }

// PostureStatuses is a subset of Passed, Failed, Error.
type PostureStatuses []string

// UnmarshalText accepts one comma-separated string.
func (s *PostureStatuses) UnmarshalText(text []byte) error { *s = splitList(text); return nil }

func (s PostureStatuses) Validate() error { return validateOneOf(s, allPostureStatuses) }

// splitList splits a comma-separated YAML string; the YAML list form needs no help.
func splitList(text []byte) []string {
	if len(strings.TrimSpace(string(text))) == 0 {
		return nil
	}
	parts := strings.Split(string(text), ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

func validateOneOf(values, allowed []string) error {
	var bad []string
	for _, v := range values {
		if !slices.Contains(allowed, strings.TrimSpace(v)) {
			bad = append(bad, strconv.Quote(v))
		}
	}
	return badValues(bad, "one of "+strings.Join(allowed, ", "))
}

// badValues reports every bad value of one key in one line: confmap.Validate names the key once.
func badValues(bad []string, want string) error {
	switch len(bad) {
	case 0:
		return nil
	case 1:
		return fmt.Errorf("%s is not %s", bad[0], want)
	default:
		return fmt.Errorf("%s are not %s", strings.Join(bad, ", "), want)
	}
}

// ArfKernelFilter is Qualys' arf_kernel_filter, 0 to 4.
type ArfKernelFilter int

func (f ArfKernelFilter) Validate() error {
	if f < 0 || f > 4 {
		return fmt.Errorf("%d is not between 0 and 4", int(f))
	}
	return nil
}

// Severities is a list of Qualys severity levels, 1 to 5.
type Severities []int

func (s Severities) Validate() error {
	var bad []string
	for _, v := range s {
		if v < 1 || v > 5 {
			bad = append(bad, strconv.Itoa(v))
		}
	}
	return badValues(bad, "between 1 and 5")
}

// QIDs is a list of Qualys vulnerability IDs.
type QIDs []int64

func (q QIDs) Validate() error { return validatePositiveIDs(q, "QID") }

// PolicyIDs is a list of Qualys compliance policy IDs.
type PolicyIDs []int64

func (p PolicyIDs) Validate() error { return validatePositiveIDs(p, "policy ID") }

func validatePositiveIDs(ids []int64, what string) error {
	var bad []string
	for _, id := range ids {
		if id < 1 {
			bad = append(bad, strconv.FormatInt(id, 10))
		}
	}
	return badValues(bad, "a valid "+what)
}

// Days is a duration that also accepts a number of days, such as 90d.
type Days time.Duration

// UnmarshalText accepts Go durations (2160h) and whole days (90d).
func (d *Days) UnmarshalText(text []byte) error {
	s := strings.TrimSpace(string(text))
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil {
			return fmt.Errorf("%q is not a number of days such as 90d", s)
		}
		if days > maxDays || days < -maxDays {
			return fmt.Errorf("%q is more than %d days", s, maxDays)
		}
		*d = Days(time.Duration(days) * 24 * time.Hour)
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a duration such as 90d or 2160h", s)
	}
	*d = Days(v)
	return nil
}

// maxDays is the most days a time.Duration holds (about 292 years).
const maxDays = math.MaxInt64 / int(24*time.Hour)

// MarshalText prints whole days as Nd, anything else as a Go duration.
func (d Days) MarshalText() ([]byte, error) {
	v := time.Duration(d)
	if v%(24*time.Hour) == 0 {
		return []byte(strconv.FormatInt(int64(v/(24*time.Hour)), 10) + "d"), nil
	}
	return []byte(v.String()), nil
}
