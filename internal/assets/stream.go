// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package assets // import "github.com/seed-d80aa3af/qualysreceiver/internal/assets"

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.uber.org/zap"

	"github.com/seed-d80aa3af/qualysreceiver/internal/convert"
	"github.com/seed-d80aa3af/qualysreceiver/internal/decode"
	"github.com/seed-d80aa3af/qualysreceiver/internal/metadata"
	"github.com/seed-d80aa3af/qualysreceiver/internal/pull"
	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
	"github.com/seed-d80aa3af/qualysreceiver/internal/telemetry"
)

// Name is the assets stream's name in logs, metrics and checkpoints.
const Name = "assets"

// Settings configure the assets stream.
type Settings struct {
	pull.Settings
	// Tags selects the hosts by tag name (Host List use_tags).
	Tags qualys.TagFilter
	// ModifiedWithin keeps only assets whose host asset was modified within this window before the
	// pull began; 0 keeps every host, with its host asset when it has one.
	ModifiedWithin time.Duration
	// Metrics builds the stream's metrics; nil emits none.
	Metrics *metadata.MetricsBuilder
}

// Stream pulls the asset inventory: every poll a full snapshot of Host List (details=All),
// each page merged with the asset-management host assets of its host id span. A pull is
// checkpointed by range like the other streams, so a restart resumes it mid-way.
type Stream struct {
	*pull.Engine
	cfg    Settings
	counts pull.StreamCounts[uint32]
	kinds  assetKinds
	// countsComplete says a pull that began in this process completed, so counts covers every asset.
	// counts is collecting while the pull in progress began in this process.
	countsComplete bool
	emittedTotal   int64
	// observed is when the records of the poll in progress were observed.
	observed time.Time
}

var _ pull.Source = (*Stream)(nil)

// New returns the assets stream.
func New(cfg Settings) *Stream {
	s := &Stream{Engine: pull.NewEngine(Name, cfg.Settings), cfg: cfg, counts: pull.NewHostCounts(nil)}
	s.KeepSkipped = s.counts.Keep
	s.Rec.Selection = pull.NewSelection().Tags(cfg.Tags).Set("modified_within", cfg.ModifiedWithin.String()).Hash()
	return s
}

// Name is the stream's name.
func (s *Stream) Name() string { return Name }

// Checks implements pull.Source: login, Host List and the asset-management host assets.
func (s *Stream) Checks() []pull.Check {
	return []pull.Check{pull.APIServerLoginCheck(s.Client), pull.HostListCheck(s.Client), pull.HostAssetsCheck(s.Client)}
}

// Poll pulls once and hands everything to sinks.
func (s *Stream) Poll(ctx context.Context, sinks pull.Sinks) error {
	return s.Settings.PollOnce(ctx, sinks, Name, s.poll, s.emitMetrics)
}

func (s *Stream) poll(ctx context.Context, sinks pull.Sinks, started time.Time) (int64, error) {
	s.Rec.Load(ctx)
	if s.Rec.State.Current == nil {
		p, err := s.Engine.Plan(ctx, s, time.Time{}, started)
		if err != nil {
			return 0, err
		}
		s.Rec.Begin(ctx, p)
		s.counts.BeginFull()
		s.Logger.Info("Pull started", zap.Int64("hosts", p.Hosts), zap.Int("ranges", len(p.Ranges)),
			zap.Time("modified_after", s.modifiedAfter()))
	}
	s.observed = started
	emitted, err := s.Pull(ctx, sinks, s)
	if err != nil {
		return emitted, err
	}
	if s.counts.Collecting() {
		s.counts.EndFull()
		s.countsComplete = true
	}
	s.Rec.Complete(ctx, true)
	s.Logger.Info("Pull completed", zap.Int64("records", emitted), zap.Duration("duration", s.Now().Sub(started)))
	return emitted, nil
}

// Plan implements pull.Source: every host of the tag filter; an assets pull is always full.
func (s *Stream) Plan(ctx context.Context, _ time.Time) (pull.HostPlan, error) {
	return pull.PlanHostRanges(ctx, s.Client, qualys.HostQuery{Tags: s.cfg.Tags}, s.Workers, s.PageSize)
}

// modifiedAfter is the start of the modified_within window, measured from when the pull in
// progress began (the Qualys server time), so a resumed pull keeps its window; zero for none.
func (s *Stream) modifiedAfter() time.Time {
	if s.cfg.ModifiedWithin <= 0 || s.Rec.State.Current == nil {
		return time.Time{}
	}
	return s.Rec.State.Current.Cursor.Add(-s.cfg.ModifiedWithin)
}

// Page implements pull.Source: one Host List page of r, then the host assets of the page's host id
// span; it emits each host of the page that has its host asset (or every host when there is no
// window).
func (s *Stream) Page(ctx context.Context, r pull.IDRange, out *pull.Batcher) (int64, bool, error) {
	lost := telemetry.FirstLost{} // by host id, from the Host List and the host assets
	hosts, warning, err := s.hostPage(ctx, r, lost)
	if err != nil {
		return 0, false, pull.HostsAnswerFailed(err)
	}
	var unreadable telemetry.UnreadableFields
	defer unreadable.Report(s.Telemetry, s.Logger, Name, "host_list", zap.Int64("id_min", r.Next))
	var assets map[int64]*decode.HostAsset
	if len(hosts) > 0 {
		assets, err = s.hostAssets(ctx, hosts, lost)
		if err != nil {
			return 0, false, pull.HostsAnswerFailed(err)
		}
	}
	window := s.cfg.ModifiedWithin > 0
	for _, h := range hosts {
		a := convert.Asset{Host: h, HostAsset: assets[h.ID]}
		if a.HostAsset == nil && window {
			out.SkipHost()
			s.counts.Set(h.ID, nil)
			continue
		}
		out.StartHost(h.ID, a.FillResource)
		lr, err := out.AddRecord(ctx)
		if err != nil {
			return 0, false, err
		}
		convert.AssetRecord(lr, a, s.observed)
		unreadable.Add(lost.Of(h.ID), h.ID)
		out.EndHost()
		s.counts.Set(h.ID, map[uint32]int{s.kinds.of(a): 1})
	}
	return r.NextPage(warning, "host_list")
}

// hostPage reads one Host List page (details=All) of r: at most page_size hosts, in ascending id
// order, and the truncation WARNING that names the next page.
func (s *Stream) hostPage(ctx context.Context, r pull.IDRange, lost telemetry.FirstLost) ([]*decode.Host, *decode.Warning, error) {
	resp, err := s.Client.Hosts(ctx, qualys.HostQuery{Tags: s.cfg.Tags, PageSize: s.PageSize}, qualys.IDRange{Min: r.Next, Max: r.Max})
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	d := decode.NewHostList(resp.Body)
	var hosts []*decode.Host
	skipped := 0
	err = pull.ReadAnswer(resp, "host_list", d.Next, func(*decode.RecordError) { skipped++ }, func(kind decode.Kind) error {
		if kind == decode.KindHost {
			hosts = append(hosts, d.Host())
			lost.Note(d.Host().ID, d.UnreadableFields())
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if skipped > 0 {
		s.Telemetry.RecordsSkipped(Name, "unreadable", skipped)
		s.Logger.Warn("Unreadable records skipped in a Host List page", zap.Int("records", skipped), zap.Int64("id_min", r.Next))
	}
	return hosts, d.Warning(), nil
}

// hostAssets reads the host assets of the host id span of hosts (ascending), modified within the
// window, following QPS paging (id GREATER lastId) while it says more records exist. Only the host
// assets of hosts are kept: the span may hold hosts the tag filter left out.
func (s *Stream) hostAssets(ctx context.Context, hosts []*decode.Host, lost telemetry.FirstLost) (map[int64]*decode.HostAsset, error) {
	want := make(map[int64]*decode.HostAsset, len(hosts))
	for _, h := range hosts {
		want[h.ID] = nil
	}
	q := qualys.HostAssetQuery{
		HostIDs:       qualys.IDRange{Min: hosts[0].ID, Max: hosts[len(hosts)-1].ID},
		ModifiedAfter: s.modifiedAfter(),
		PageSize:      min(max(s.PageSize, 1), qualys.MaxHostAssetsPage),
	}
	for {
		resp, err := s.Client.HostAssets(ctx, q)
		if err != nil {
			return nil, err
		}
		page, err := s.readHostAssets(resp, want, lost)
		if err != nil {
			return nil, err
		}
		if !page.HasMoreRecords {
			break
		}
		if page.LastID <= q.AfterID {
			return nil, qualys.ResponseError("host_assets",
				fmt.Errorf("hasMoreRecords without a lastId after %d (lastId %d)", q.AfterID, page.LastID))
		}
		q.AfterID = page.LastID
	}
	for id, a := range want {
		if a == nil {
			delete(want, id)
		}
	}
	return want, nil
}

// readHostAssets decodes one QPS page into want (keyed by host id) and returns its paging frame.
func (s *Stream) readHostAssets(resp *qualys.Response, want map[int64]*decode.HostAsset, lost telemetry.FirstLost) (decode.ServiceResponse, error) {
	defer resp.Body.Close()
	d := decode.NewHostAssets(resp.Body)
	skipped := 0
	read := func() (*decode.HostAsset, error) {
		a, err := d.Read()
		var se *decode.ServiceError
		if errors.As(err, &se) {
			return nil, qualys.HostAssetsError(se)
		}
		return a, err
	}
	err := pull.ReadAnswer(resp, "host_assets", read, func(*decode.RecordError) { skipped++ }, func(a *decode.HostAsset) error {
		if prev, ok := want[a.QWebHostID]; ok && (prev == nil || a.Modified.After(prev.Modified)) {
			want[a.QWebHostID] = a
			lost.Note(a.QWebHostID, d.UnreadableFields())
		}
		return nil
	})
	if err != nil {
		return decode.ServiceResponse{}, err
	}
	if skipped > 0 {
		s.Telemetry.RecordsSkipped(Name, "unreadable", skipped)
		s.Logger.Warn("Unreadable records skipped in a host asset page", zap.Int("records", skipped))
	}
	return d.Response(), nil
}

// emitMetrics emits the records counter, and the assets gauge when it covers every asset.
func (s *Stream) emitMetrics(ctx context.Context, sinks pull.Sinks, emitted int64, completed bool) error {
	s.emittedTotal += emitted
	return s.EmitMetrics(ctx, sinks, Name, s.cfg.Metrics, metadata.AttributeQualysStreamAssets, s.emittedTotal,
		completed && s.countsComplete, s.recordGauge)
}

// recordGauge records the assets gauge at now.
func (s *Stream) recordGauge(now pcommon.Timestamp) {
	s.counts.Each(func(kind uint32, total int64) {
		k := s.kinds.at(kind)
		s.cfg.Metrics.RecordQualysAssetsDataPoint(now, total, k.trackingMethod, k.osType)
	})
}

// assetKind is what the qualys.assets gauge counts by.
type assetKind struct{ trackingMethod, osType string }

// UnknownOSType labels, in the gauge, assets whose OS maps onto no os.type value.
const UnknownOSType = "unknown"

// assetKinds numbers the assetKind values seen, so the host counts can count them by a small key. The
// values are few (tracking methods times OS families), so the table never shrinks.
type assetKinds struct {
	mu    sync.Mutex
	index map[assetKind]uint32
	list  []assetKind
}

func (k *assetKinds) of(a convert.Asset) uint32 {
	id := a.Identity()
	kind := assetKind{trackingMethod: a.TrackingMethod(), osType: convert.OSType(id.OS)}
	if kind.osType == "" {
		kind.osType = UnknownOSType
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if n, ok := k.index[kind]; ok {
		return n
	}
	if k.index == nil {
		k.index = map[assetKind]uint32{}
	}
	k.list = append(k.list, kind)
	n := uint32(len(k.list))
	k.index[kind] = n
	return n
}

func (k *assetKinds) at(n uint32) assetKind {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.list[n-1]
}
