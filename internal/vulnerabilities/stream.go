// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package vulnerabilities // import "github.com/seed-d80aa3af/qualysreceiver/internal/vulnerabilities"

import (
	"context"
	"strconv"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.uber.org/zap"

	"github.com/seed-d80aa3af/qualysreceiver/internal/decode"
	"github.com/seed-d80aa3af/qualysreceiver/internal/kb"
	"github.com/seed-d80aa3af/qualysreceiver/internal/metadata"
	"github.com/seed-d80aa3af/qualysreceiver/internal/pull"
	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
)

// Name is the vulnerabilities stream's name in logs, metrics and checkpoints.
const Name = "vulnerabilities"

// Settings configure the vulnerabilities stream.
type Settings struct {
	pull.Settings
	// Query holds the filters and options of Host List Detection; ProcessedAfter and PageSize are
	// set by the stream.
	Query qualys.DetectionQuery
	// FullSyncInterval is how often a full pull replaces the incremental one; 0 never.
	FullSyncInterval time.Duration
	// MaxResultsBytes cuts RESULTS; negative drops it.
	MaxResultsBytes int
	// KnowledgeBase joins detections with their QID's entry; nil leaves the KnowledgeBase out.
	KnowledgeBase *kb.Cache
	// Metrics builds the stream's metrics.
	Metrics *metadata.MetricsBuilder
	// CountsEnabled says whether the qualys.vulnerability.detections gauge is wanted; it needs a
	// full pull, in this process or restored from the checkpoint of the counts, before it can be
	// emitted.
	CountsEnabled bool
}

// Stream pulls Host List Detection: a full pull first, then only hosts processed
// since the last completed pull, with a full re-sync every FullSyncInterval.
type Stream struct {
	*pull.Engine
	cfg    Settings
	kb     *kbJoin
	counts pull.StreamCounts[uint32]
	// gauge is the life of counts: they cover the whole tenant once gauge.complete.
	gauge        *pull.GaugeCounting
	emittedTotal int64
	// query and observed are the pull in progress's: what its pages ask for and the time its
	// records were observed.
	query    qualys.DetectionQuery
	observed time.Time
}

var _ pull.Source = (*Stream)(nil)

// New returns the vulnerabilities stream.
func New(cfg Settings) *Stream {
	s := &Stream{Engine: pull.NewEngine(Name, cfg.Settings), cfg: cfg, counts: pull.NewHostCounts(validDetectionKind), query: cfg.Query}
	s.gauge = pull.NewGaugeCounting(Name, "detection", s.counts, cfg.CountsEnabled, s.Store, s.Logger)
	s.Rec.Gauge = s.gauge
	s.KeepSkipped = s.counts.Keep
	s.Rec.Selection = vulnerabilitiesSelection(cfg.Query)
	if cfg.KnowledgeBase != nil {
		s.kb = &kbJoin{cache: cfg.KnowledgeBase, logger: s.Logger}
	}
	return s
}

// vulnerabilitiesSelection names the filters of q that select detections (see selection).
func vulnerabilitiesSelection(q qualys.DetectionQuery) string {
	sel := pull.NewSelection().Strings("status", q.Status).Tags(q.Tags).Ints("qids", q.QIDs)
	if len(q.IncludeVulnType) == 1 { // both types, like none, is no filter
		sel.Set("include_vuln_type", q.IncludeVulnType[0])
	}
	if q.ArfKernelFilter != nil {
		sel.Set("arf_kernel_filter", strconv.Itoa(*q.ArfKernelFilter))
	}
	severities := make([]int64, len(q.Severities))
	for i, v := range q.Severities {
		severities[i] = int64(v)
	}
	return sel.Ints("severities", severities).Hash()
}

// Name is the stream's name.
func (s *Stream) Name() string { return Name }

// Checks implements pull.Source: login, detections and, when the join is on, the KnowledgeBase.
func (s *Stream) Checks() []pull.Check {
	checks := []pull.Check{pull.APIServerLoginCheck(s.Client), pull.DetectionsCheck(s.Client)}
	if s.kb != nil {
		checks = append(checks, pull.KnowledgeBaseCheck(s.Client))
	}
	return checks
}

// Poll pulls once and hands everything to sinks.
func (s *Stream) Poll(ctx context.Context, sinks pull.Sinks) error {
	return s.Settings.PollOnce(ctx, sinks, Name, s.poll, s.emitMetrics)
}

func (s *Stream) poll(ctx context.Context, sinks pull.Sinks, started time.Time) (int64, error) {
	s.Rec.Load(ctx)
	s.gauge.Load(ctx, s.Rec.State.Gauge, s.Rec.State.Cursor, pull.RefOf(s.Rec.State.Current))
	s.refreshKnowledgeBase(ctx)
	if s.Rec.State.Current == nil {
		if err := s.begin(ctx, started); err != nil {
			return 0, err
		}
	}
	cur := s.Rec.State.Current
	s.query = s.cfg.Query
	s.query.PageSize = s.PageSize
	if !cur.Full {
		s.query.ProcessedAfter = s.Rec.State.Cursor
	}
	s.observed = started
	emitted, err := s.PullToEnd(ctx, sinks, s, s.gauge)
	if err != nil {
		return emitted, err
	}
	s.Logger.Info("Pull completed", zap.Bool("full", cur.Full), zap.Int64("records", emitted),
		zap.Duration("duration", s.Now().Sub(started)))
	return emitted, nil
}

// refreshKnowledgeBase brings the cache up to date before a poll, when the join is on.
func (s *Stream) refreshKnowledgeBase(ctx context.Context) {
	if s.kb == nil {
		return
	}
	s.kb.newPoll()
	if err := s.cfg.KnowledgeBase.Refresh(ctx); err != nil {
		s.Logger.Warn("KnowledgeBase refresh failed; cached entries stay in use", zap.Error(err))
	}
}

// begin plans a pull, full or of the hosts processed since the cursor, and checkpoints it.
func (s *Stream) begin(ctx context.Context, started time.Time) error {
	since, err := s.BeginDue(ctx, s, started, s.cfg.FullSyncInterval, s.gauge)
	if err != nil {
		return err
	}
	p := s.Rec.State.Current
	s.Logger.Info("Pull started", zap.Bool("full", p.Full), zap.Int64("hosts", p.Hosts),
		zap.Int("ranges", len(p.Ranges)), zap.Time("changed_since", since))
	return nil
}

// Plan implements pull.Source: the hosts of the tag filter processed since.
func (s *Stream) Plan(ctx context.Context, since time.Time) (pull.HostPlan, error) {
	return pull.PlanHostRanges(ctx, s.Client, qualys.HostQuery{Tags: s.cfg.Query.Tags, ProcessedAfter: since}, s.Workers, s.PageSize)
}

// reportAltered reports the records of a page whose RESULTS were cut or repaired. A page pulled
// again after a failure counts its records again.
func (s *Stream) reportAltered(r pull.IDRange, truncated, repaired int) {
	if truncated > 0 {
		s.Telemetry.RecordsAltered(Name, "results_truncated", truncated)
		s.Logger.Info("RESULTS cut at max_results_bytes; the records say so with qualys.detection.results_truncated",
			zap.Int("records", truncated), zap.Int("max_results_bytes", s.cfg.MaxResultsBytes), zap.Int64("id_min", r.Next))
	}
	if repaired > 0 {
		s.Telemetry.RecordsAltered(Name, "text_repaired", repaired)
		s.Logger.Warn("Qualys sent invalid UTF-8 or control characters in RESULTS; emitted with U+FFFD for the invalid bytes and the control characters dropped",
			zap.Int("records", repaired), zap.Int64("id_min", r.Next))
	}
}

// A detection's kind packs what the gauge counts by: severity, status and type.
func detectionKind(d *decode.Detection) uint32 {
	return uint32(min(max(d.Severity, 0), 255)) | uint32(statusIndex(d.Status))<<8 | uint32(typeIndex(d.Type))<<16
}

// unpackDetectionKind is detectionKind's parts; ok is false for a kind it cannot have made.
func unpackDetectionKind(kind uint32) (severity int64, status, typ int, ok bool) {
	severity, status, typ = int64(kind&0xff), int(kind>>8&0xff), int(kind>>16&0xff)
	return severity, status, typ, kind>>24 == 0 && status <= len(detectionStatuses) && typ <= len(detectionTypes)
}

func validDetectionKind(kind uint32) bool {
	_, _, _, ok := unpackDetectionKind(kind)
	return ok
}

var (
	detectionStatuses = []metadata.AttributeQualysDetectionStatus{
		metadata.AttributeQualysDetectionStatusNew, metadata.AttributeQualysDetectionStatusActive,
		metadata.AttributeQualysDetectionStatusReOpened, metadata.AttributeQualysDetectionStatusFixed,
	}
	detectionTypes = []metadata.AttributeQualysDetectionType{
		metadata.AttributeQualysDetectionTypeConfirmed, metadata.AttributeQualysDetectionTypePotential,
		metadata.AttributeQualysDetectionTypeInfo,
	}
)

// statusIndex and typeIndex are 1-based so 0 marks a value the enum does not know (not counted).
func statusIndex(s string) int {
	for i, v := range detectionStatuses {
		if v.String() == s {
			return i + 1
		}
	}
	return 0
}

func typeIndex(t string) int {
	for i, v := range detectionTypes {
		if v.String() == t {
			return i + 1
		}
	}
	return 0
}

// emitMetrics emits the records counter, and the detections gauge when it covers the whole tenant.
func (s *Stream) emitMetrics(ctx context.Context, sinks pull.Sinks, emitted int64, completed bool) error {
	s.emittedTotal += emitted
	return s.EmitMetrics(ctx, sinks, Name, s.cfg.Metrics, metadata.AttributeQualysStreamVulnerabilities, s.emittedTotal,
		completed && s.gauge.Complete(), s.recordGauge)
}

// recordGauge records the detections gauge at now.
func (s *Stream) recordGauge(now pcommon.Timestamp) {
	s.counts.Each(func(kind uint32, total int64) {
		sev, st, ty, ok := unpackDetectionKind(kind)
		if !ok || st == 0 || ty == 0 {
			return
		}
		s.cfg.Metrics.RecordQualysVulnerabilityDetectionsDataPoint(now, total, sev, detectionStatuses[st-1], detectionTypes[ty-1])
	})
}
