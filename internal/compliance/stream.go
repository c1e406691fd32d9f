// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package compliance // import "github.com/seed-d80aa3af/qualysreceiver/internal/compliance"

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.uber.org/zap"

	"github.com/seed-d80aa3af/qualysreceiver/internal/metadata"
	"github.com/seed-d80aa3af/qualysreceiver/internal/pull"
	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
)

// Name is the compliance stream's name in logs, metrics and checkpoints.
const Name = "compliance"

// API is where the compliance stream reads postures.
type API string

const (
	// APIGateway is PC posture streaming (PCRS) on the API gateway, with JWT.
	APIGateway API = "gateway"
	// APIClassic is /api/2.0/fo/compliance/posture/info/ on the API server.
	APIClassic API = "classic"
)

// FullSyncInterval is how often the compliance stream pulls every posture again: an
// incremental pull sees status changes only, never a posture that went away (a host out of a
// policy, a deleted policy), so the gauge would keep counting it.
const FullSyncInterval = 7 * 24 * time.Hour

const (
	// defaultPostureBatchHosts is host ids per postureInfo call. The answer is decoded as it
	// streams in, so this bounds the request body and how much a failed call repeats, not memory.
	defaultPostureBatchHosts = 1000
	// defaultClassicPageHosts is hosts per classic posture page (truncation_limit). The classic
	// answer puts the hosts and controls after all postures, so a page is held in memory until its
	// glossary has been read: a page of 200 hosts with 100 controls each is 20,000 postures.
	defaultClassicPageHosts = 200
)

// Settings configure the compliance stream.
type Settings struct {
	// pull.Settings: PageSize is host ids per postureInfo call (gateway) or hosts per page
	// (classic), 0 for the defaults; Workers is always 1, batches are pulled one at a time within
	// the PCRS limit of 25 calls a minute.
	pull.Settings
	// API is where postures come from; "" means APIGateway.
	API API
	// PolicyIDs limits the stream to these policies; empty means every policy of the policy list.
	PolicyIDs []int64
	// Statuses are the posture statuses emitted and counted; empty, or all three, means all.
	Statuses []string
	// Evidence asks for expected and current values and emits them.
	Evidence bool
	// FullSyncInterval is how often a full pull replaces the incremental one; 0 never.
	FullSyncInterval time.Duration
	// PoliciesPerCall is policies per Resolve Host IDs call, 1 to 10; 0 means 10 (the API's
	// maximum). The host ids of one call are held in memory while its postures are pulled.
	PoliciesPerCall int
	// Metrics builds the stream's metrics.
	Metrics *metadata.MetricsBuilder
	// Counts is the qualys.compliance.postures configuration. The gauge needs a full pull, in this
	// process or restored from the checkpoint of the counts, before it can be emitted; it is summed
	// over the attributes not enabled, which the builder would otherwise average.
	Counts metadata.QualysCompliancePosturesMetricConfig
}

// State is what the compliance stream checkpoints: a pull in progress is one range per policy, in
// the order pulled (ascending id), each at the first host of its policy not accepted. Both APIs
// pull a policy's hosts in ascending id order, so a restart resumes there.
type State = pull.Record[pull.Progress, pull.GaugeRecord]

// postureAPI is one of the two posture APIs, a source the engine drives.
type postureAPI interface {
	pull.Source
	// policies lists the tenant's policies and returns the Qualys server time of the answer, zero
	// when the answer does not say.
	policies(ctx context.Context) ([]policyEntry, time.Time, error)
}

// Stream pulls the Policy Compliance posture: every posture of the selected policies
// first, then only postures whose status changed since the last completed pull, with a full
// re-sync every FullSyncInterval.
type Stream struct {
	*pull.Engine
	cfg      Settings
	api      postureAPI
	statuses map[string]bool
	counts   pull.StreamCounts[postureKind]
	// gauge is the life of counts: they cover the selected policies once gauge.complete.
	gauge        *pull.GaugeCounting
	emittedTotal int64
	// titles are the policy titles of this poll's policy list, nil until it was read. since is
	// the pull in progress's statusChangedSince (zero for a full pull) and observed the time its
	// records were observed.
	titles          map[int64]string
	since, observed time.Time
}

// New returns the compliance stream.
func New(cfg Settings) *Stream {
	if cfg.API == "" {
		cfg.API = APIGateway
	}
	if cfg.PoliciesPerCall <= 0 || cfg.PoliciesPerCall > qualys.MaxPoliciesPerHostIDsCall {
		cfg.PoliciesPerCall = qualys.MaxPoliciesPerHostIDsCall
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = defaultPostureBatchHosts
		if cfg.API == APIClassic {
			cfg.PageSize = defaultClassicPageHosts
		}
	}
	cfg.Workers = 1 // one batch at a time, within the PCRS limit of 25 calls a minute
	s := &Stream{Engine: pull.NewEngine(Name, cfg.Settings), cfg: cfg, statuses: statusFilter(cfg.Statuses), counts: newPostureCounts()}
	s.API = string(cfg.API)
	s.gauge = pull.NewGaugeCounting(Name, "posture", s.counts, cfg.Counts.Enabled, s.Store, s.Logger)
	s.KeepSkipped = s.keepSkipped
	s.Rec.Gauge = s.gauge
	s.Rec.Selection = complianceSelection(cfg.PolicyIDs, s.statuses, cfg.Evidence)
	s.Rec.ResumeFields = resumeFields
	if cfg.API == APIClassic {
		s.api = &classicSource{s: s}
	} else {
		s.api = &gatewaySource{s: s}
	}
	return s
}

// complianceSelection names the stream's filters for its checkpoint (see selection): the
// policies, the statuses (none when every status is wanted) and, unlike other output options,
// whether evidence is asked for: a posture comes again only when its status changes, so evidence
// turned on would otherwise reach most postures only at the weekly full pull.
func complianceSelection(policyIDs []int64, statuses map[string]bool, evidence bool) string {
	return pull.NewSelection().Ints("policy_ids", policyIDs).Strings("status", slices.Collect(maps.Keys(statuses))).
		Set("evidence", strconv.FormatBool(evidence)).Hash()
}

// statusFilter is the set of wanted statuses, nil when every status is wanted.
func statusFilter(statuses []string) map[string]bool {
	set := map[string]bool{}
	for _, st := range statuses {
		set[strings.TrimSpace(st)] = true
	}
	if len(set) == 0 || set[postureStatuses[0].String()] && set[postureStatuses[1].String()] && set[postureStatuses[2].String()] {
		return nil
	}
	return set
}

// keepSkipped keeps the postures a full pull that skipped a host did not see. The gauge counts
// postures, not hosts, and a skipped host's postures cannot be told apart from those gone from the
// tenant: such a pull drops none, and the next full pull that skips no host drops what is gone.
func (s *Stream) keepSkipped(int64) { s.counts.AbandonFull() }

// Name is the stream's name.
func (s *Stream) Name() string { return Name }

// Checks are the stream's start-up checks: login to the API the stream uses, and the Policy Compliance module.
func (s *Stream) Checks() []pull.Check { return s.api.Checks() }

// Poll pulls once and hands everything to sinks.
func (s *Stream) Poll(ctx context.Context, sinks pull.Sinks) error {
	return s.Settings.PollOnce(ctx, sinks, Name, s.poll, s.emitMetrics)
}

func (s *Stream) poll(ctx context.Context, sinks pull.Sinks, started time.Time) (int64, error) {
	s.Rec.Load(ctx)
	s.gauge.Load(ctx, s.Rec.State.Gauge, s.Rec.State.Cursor, pull.RefOf(s.Rec.State.Current))
	s.titles, s.observed = nil, started
	if s.Rec.State.Current == nil {
		since, err := s.BeginDue(ctx, s.api, started, s.cfg.FullSyncInterval, s.gauge)
		if err != nil {
			return 0, err
		}
		s.Logger.Info("Pull started", zap.Bool("full", s.Rec.State.Current.Full), zap.String("api", s.API),
			zap.Int("policies", len(s.Rec.State.Current.Ranges)), zap.Time("changed_since", since))
	}
	cur := s.Rec.State.Current
	s.since = time.Time{}
	if !cur.Full {
		s.since = s.Rec.State.Cursor
	}
	emitted, err := s.PullToEnd(ctx, sinks, s.api, s.gauge)
	if err != nil {
		return emitted, err
	}
	s.Logger.Info("Pull completed", zap.Bool("full", cur.Full), zap.Int64("records", emitted),
		zap.Duration("duration", s.Now().Sub(started)))
	return emitted, nil
}

// emitMetrics emits the records counter, and the postures gauge when it covers the whole tenant.
func (s *Stream) emitMetrics(ctx context.Context, sinks pull.Sinks, emitted int64, completed bool) error {
	s.emittedTotal += emitted
	return s.EmitMetrics(ctx, sinks, Name, s.cfg.Metrics, metadata.AttributeQualysStreamCompliance, s.emittedTotal,
		completed && s.gauge.Complete() && s.gauge.Enabled(), s.recordGauge)
}

// recordGauge records the postures gauge at now, summed over the attributes not enabled.
func (s *Stream) recordGauge(now pcommon.Timestamp) {
	byStatus := slices.Contains(s.cfg.Counts.EnabledAttributes, metadata.QualysCompliancePosturesMetricAttributeKeyQualysPostureStatus)
	byPolicy := slices.Contains(s.cfg.Counts.EnabledAttributes, metadata.QualysCompliancePosturesMetricAttributeKeyQualysPolicyID)
	totals := map[postureKind]int64{}
	s.counts.Each(func(k postureKind, total int64) {
		if !byStatus {
			k.status = 1
		}
		if !byPolicy {
			k.policy = 0
		}
		totals[k] += total
	})
	for k, total := range totals {
		s.cfg.Metrics.RecordQualysCompliancePosturesDataPoint(now, total, postureStatuses[k.status-1], k.policy)
	}
}
