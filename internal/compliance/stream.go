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
	// (classic), 0 for the defaults; Workers is not used, batches are pulled one at a time within
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

// State is what the compliance stream checkpoints.
type State = pull.Record[Progress, pull.GaugeRecord]

// Progress is the pull in progress. Its position says what the consumer accepted: every
// policy before Policies[Next], and the hosts of Policies[Next] below NextHost. Hosts are pulled in
// ascending id order within a policy by both APIs, so a restart resumes at the position.
type Progress struct {
	Cursor time.Time `json:"cursor"`
	Full   bool      `json:"full"`
	API    API       `json:"api"`
	// Policies are the pull's policies in the order they are pulled (ascending id).
	Policies []int64 `json:"policies"`
	Next     int     `json:"next"`
	NextHost int64   `json:"next_host,omitempty"`
	// Pairs counts the policy-host pairs pulled, for progress.
	Pairs int64 `json:"pairs,omitempty"`
}

// ref is the pull as the gauge counts see it; nil for no pull.
func (p *Progress) ref() *pull.Ref {
	if p == nil {
		return nil
	}
	return &pull.Ref{Cursor: p.Cursor, Full: p.Full, Position: pull.PositionOf(p)}
}

// began is when the pull began and whether it is full, for its checkpoint record.
func (p *Progress) began() (time.Time, bool) { return p.Cursor, p.Full }

// position is where a pull stands: see Progress.
type position struct {
	next int
	host int64
}

// policyEntry is a policy of the policy list.
type policyEntry struct {
	id    int64
	title string
}

// postureSource is one of the two posture APIs.
type postureSource interface {
	checks() []pull.Check
	// policies lists the tenant's policies and returns the Qualys server time of the answer, zero
	// when the answer does not say.
	policies(ctx context.Context) ([]policyEntry, time.Time, error)
	// pull pulls the postures of run's pull from its position on, batch by batch through run.
	pull(ctx context.Context, run *postureRun) error
}

// Stream pulls the Policy Compliance posture: every posture of the selected policies
// first, then only postures whose status changed since the last completed pull, with a full
// re-sync every FullSyncInterval.
type Stream struct {
	cfg      Settings
	src      postureSource
	statuses map[string]bool
	counts   pull.StreamCounts[postureKind]

	// rec is the stream's checkpoint record.
	rec    pull.Checkpointed[Progress, pull.GaugeRecord]
	titles map[int64]string
	// gauge is the life of counts: they cover the selected policies once gauge.complete.
	gauge        *pull.GaugeCounting
	emittedTotal int64
}

// New returns the compliance stream.
func New(cfg Settings) *Stream {
	cfg.Settings = pull.WithDefaults(cfg.Settings)
	if cfg.API == "" {
		cfg.API = APIGateway
	}
	if cfg.PoliciesPerCall <= 0 || cfg.PoliciesPerCall > qualys.MaxPoliciesPerHostIDsCall {
		cfg.PoliciesPerCall = qualys.MaxPoliciesPerHostIDsCall
	}
	s := &Stream{cfg: cfg, statuses: statusFilter(cfg.Statuses), counts: newPostureCounts()}
	s.gauge = pull.NewGaugeCounting(Name, "posture", s.counts, cfg.Counts.Enabled, cfg.Store, cfg.Logger)
	s.rec = pull.Checkpointed[Progress, pull.GaugeRecord]{
		Name: Name, Store: cfg.Store, Logger: cfg.Logger, Gauge: s.gauge,
		Failed:    func() { cfg.Telemetry.CheckpointFailed(Name) },
		Selection: complianceSelection(cfg.PolicyIDs, s.statuses, cfg.Evidence),
		Began:     (*Progress).began, Resumable: s.resumable, ResumeFields: resumeFields,
	}
	if cfg.API == APIClassic {
		if s.cfg.PageSize <= 0 {
			s.cfg.PageSize = defaultClassicPageHosts
		}
		s.src = &classicSource{s: s}
	} else {
		if s.cfg.PageSize <= 0 {
			s.cfg.PageSize = defaultPostureBatchHosts
		}
		s.src = &gatewaySource{s: s}
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

// Name is the stream's name.
func (s *Stream) Name() string { return Name }

// Checks are the stream's start-up checks: login to the API the stream uses, and the Policy Compliance module.
func (s *Stream) Checks() []pull.Check { return s.src.checks() }

// Poll pulls once and hands everything to sinks.
func (s *Stream) Poll(ctx context.Context, sinks pull.Sinks) error {
	return s.cfg.Settings.PollOnce(ctx, sinks, Name, s.poll, s.emitMetrics)
}

func (s *Stream) poll(ctx context.Context, sinks pull.Sinks, started time.Time) (int64, error) {
	s.rec.Load(ctx)
	s.gauge.Load(ctx, s.rec.State.Gauge, s.rec.State.Cursor, s.rec.State.Current.ref())
	var list []policyEntry
	var serverTime time.Time
	err := s.withRetries(ctx, "policy list", func() (err error) {
		list, serverTime, err = s.src.policies(ctx)
		return err
	})
	if err != nil {
		return 0, err
	}
	s.titles = make(map[int64]string, len(list))
	for _, p := range list {
		s.titles[p.id] = p.title
	}
	if s.rec.State.Current == nil {
		full := pull.FullDue(&s.rec.State, started, s.cfg.FullSyncInterval, s.gauge)
		if full {
			s.gauge.BeginFull()
		}
		s.rec.Begin(ctx, Progress{Cursor: pull.CursorOf(serverTime, started), Full: full, API: s.cfg.API, Policies: s.selectPolicies(list)})
		var since time.Time
		if !full {
			since = s.rec.State.Cursor
		}
		s.cfg.Logger.Info("Pull started", zap.Bool("full", full), zap.String("api", string(s.cfg.API)),
			zap.Int("policies", len(s.rec.State.Current.Policies)), zap.Time("changed_since", since))
	}
	cur := s.rec.State.Current
	run := &postureRun{s: s, cur: cur, consumer: s.cfg.Settings.Consumer(sinks, Name),
		observed: started, started: started, lastLog: started, nextAtStart: cur.Next}
	if !cur.Full {
		run.since = s.rec.State.Cursor
	}
	if err := s.src.pull(ctx, run); err != nil {
		s.rec.Save(ctx) // where the pull stopped, with the counts
		return run.emitted, err
	}
	s.rec.Complete(ctx, s.gauge.Completed(cur.Full))
	s.cfg.Logger.Info("Pull completed", zap.Bool("full", cur.Full), zap.Int64("records", run.emitted),
		zap.Int64("batches", run.batches), zap.Duration("duration", s.cfg.Now().Sub(started)))
	return run.emitted, nil
}

// selectPolicies is the configured policies, or every listed one, ascending and without repeats.
// A configured policy missing from the list is still asked for: Qualys says whether it exists.
func (s *Stream) selectPolicies(list []policyEntry) []int64 {
	ids := slices.Clone(s.cfg.PolicyIDs)
	if len(ids) == 0 {
		for _, p := range list {
			ids = append(ids, p.id)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// resumable says whether the pull in progress of the checkpoint can go on: one begun on the
// other API starts over, as its position is in the same terms but its cursor came from another
// clock.
func (s *Stream) resumable(p *Progress) (bool, string) {
	if p.API != s.cfg.API {
		return false, "The pull interrupted by the last shutdown used the other compliance API; starting a new one"
	}
	return true, ""
}

func resumeFields(p *Progress) []zap.Field {
	return []zap.Field{zap.Int("policies_done", p.Next), zap.Int("policies", len(p.Policies))}
}

// withRetries runs call, and again from its start while its answer is cut off, on the retry
// schedule; any other failure it returns at once.
func (s *Stream) withRetries(ctx context.Context, what string, call func() error) error {
	retry := pull.NewRetry(s.cfg.Retry, s.cfg.Clock)
	for {
		err := call()
		if err == nil || ctx.Err() != nil || !qualys.IsCutOff(err) {
			return err
		}
		wait, ok := retry.Next()
		if !ok {
			return err
		}
		s.cfg.Logger.Warn("Compliance call failed; making it again", zap.String("call", what),
			zap.Error(err), zap.Duration("retry_in", wait))
		if !retry.Sleep(ctx, wait) {
			return err
		}
	}
}

// emitMetrics emits the records counter, and the postures gauge when it covers the whole tenant.
func (s *Stream) emitMetrics(ctx context.Context, sinks pull.Sinks, emitted int64, completed bool) error {
	s.emittedTotal += emitted
	return s.cfg.EmitMetrics(ctx, sinks, Name, s.cfg.Metrics, metadata.AttributeQualysStreamCompliance, s.emittedTotal,
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
