// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package vulnerabilities // import "github.com/seed-d80aa3af/qualysreceiver/internal/vulnerabilities"

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.uber.org/zap"

	"github.com/seed-d80aa3af/qualysreceiver/internal/convert"
	"github.com/seed-d80aa3af/qualysreceiver/internal/decode"
	"github.com/seed-d80aa3af/qualysreceiver/internal/kb"
	"github.com/seed-d80aa3af/qualysreceiver/internal/pull"
	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
	"github.com/seed-d80aa3af/qualysreceiver/internal/telemetry"
)

// Page implements pull.Source: one page of Host List Detection into out.
func (s *Stream) Page(ctx context.Context, r pull.IDRange, out *pull.Batcher) (int64, bool, error) {
	resp, err := s.Client.HostDetections(ctx, s.query, qualys.IDRange{Min: r.Next, Max: r.Max})
	if err != nil {
		return 0, false, pull.HostsAnswerFailed(err)
	}
	defer resp.Body.Close()
	d := decode.NewHostDetections(resp.Body)
	d.MaxResultsBytes = s.cfg.MaxResultsBytes
	pg := &detectionPage{s: s, out: out, observed: s.observed, kinds: map[uint32]int{}}
	// Reported even when the page fails later: records of it may already have been handed on.
	defer pg.report(r)
	if err := pg.read(ctx, d, resp); err != nil {
		return 0, false, pull.HostsAnswerFailed(err)
	}
	if err := pg.drain(ctx); err != nil {
		return 0, false, err
	}
	if pg.skipped > 0 {
		s.Telemetry.RecordsSkipped(Name, "unreadable", pg.skipped)
		s.Logger.Warn("Unreadable records skipped in a Host List Detection page",
			zap.Int("records", pg.skipped), zap.Int64("id_min", r.Next))
	}
	next, done, err := r.NextPage(d.Warning(), "host_detections")
	if err != nil {
		resp.Unreadable()
	}
	return next, done, err
}

// detectionPage turns the hosts and detections of one page into records, host by host, and
// tallies what the page's report says.
type detectionPage struct {
	s        *Stream
	out      *pull.Batcher
	observed time.Time

	identity convert.HostIdentity
	kinds    map[uint32]int
	// pending holds what was read since a detection whose KnowledgeBase entry the cache lacks:
	// such detections wait for their entries, fetched together for up to a batch of them, and are
	// converted with them; what follows waits too, to keep the order.
	pending []pageEvent
	// held are the held detections, copied: the decoder reuses its own. Reused from drain to
	// drain, with their QDS factors' arrays.
	held []decode.Detection
	n    int
	// hostLost is the current host's unreadable fields: its detections lack them.
	hostLost                     []decode.FieldError
	skipped, truncated, repaired int
	unreadable                   telemetry.UnreadableFields
}

// read reads the page to its end; a record that cannot be read is counted and skipped.
func (pg *detectionPage) read(ctx context.Context, d *decode.HostDetections, resp *qualys.Response) error {
	return pull.ReadAnswer(resp, "host_detections", d.Next, func(*decode.RecordError) { pg.skipped++ },
		func(kind decode.Kind) error { return pg.add(ctx, kind, d) })
}

// pageEvent is a host that begins (host set), a detection of it (det set), or its end.
type pageEvent struct {
	host     *decode.Host
	identity convert.HostIdentity
	det      *decode.Detection
	// held is the detection's place in held, plus one; 0 for none.
	held int
}

// add takes in what the decoder read: a host begins, a detection of it, or the host ends. With
// the KnowledgeBase join on, it is held until drain.
func (pg *detectionPage) add(ctx context.Context, kind decode.Kind, d *decode.HostDetections) error {
	switch kind {
	case decode.KindHostStart:
		pg.identity = convert.HostFromVM(d.Host())
		clear(pg.kinds)
		pg.hostLost = append(pg.hostLost[:0], d.UnreadableFields()...)
		return pg.emit(ctx, pageEvent{host: d.Host(), identity: pg.identity})
	case decode.KindDetection:
		det := d.Detection()
		if lost := d.UnreadableFields(); len(lost) > 0 {
			pg.unreadable.Add(lost, pg.identity.HostID)
		} else {
			pg.unreadable.Add(pg.hostLost, pg.identity.HostID)
		}
		pg.kinds[detectionKind(det)]++
		if det.ResultsTruncated {
			pg.truncated++
		}
		if det.ResultsRepaired {
			pg.repaired++
		}
		if pg.s.kb == nil {
			return pg.write(ctx, pageEvent{det: det}, nil)
		}
		entry := pg.s.kb.cache.Get(det.QID)
		if entry != nil && len(pg.pending) == 0 {
			return pg.write(ctx, pageEvent{det: det}, entry)
		}
		// Its entry must be fetched; what follows waits with it, to keep the order.
		pg.hold(det)
		if pg.n >= pg.s.BatchRecords {
			return pg.drain(ctx)
		}
	case decode.KindHostEnd:
		pg.s.counts.Set(pg.identity.HostID, pg.kinds)
		return pg.emit(ctx, pageEvent{})
	}
	return nil
}

// hold keeps a copy of det until drain.
func (pg *detectionPage) hold(det *decode.Detection) {
	if pg.n == len(pg.held) {
		pg.held = append(pg.held, decode.Detection{})
	}
	h := &pg.held[pg.n]
	factors := h.QDSFactors
	*h = *det
	h.QDSFactors = append(factors[:0], det.QDSFactors...)
	pg.n++
	pg.pending = append(pg.pending, pageEvent{held: pg.n})
}

// emit hands an event to the batcher, or holds it behind detections waiting for their entries.
func (pg *detectionPage) emit(ctx context.Context, e pageEvent) error {
	if len(pg.pending) > 0 {
		pg.pending = append(pg.pending, e)
		return nil
	}
	return pg.write(ctx, e, nil)
}

// drain joins the held detections with their KnowledgeBase entries, fetched in one call for the
// QIDs the cache lacks, and converts them.
func (pg *detectionPage) drain(ctx context.Context) error {
	if len(pg.pending) == 0 {
		return nil
	}
	pg.s.kb.fill(ctx, pg.held[:pg.n])
	for _, e := range pg.pending {
		var entry *kb.Entry
		if e.held > 0 {
			e.det = &pg.held[e.held-1]
			entry = pg.s.kb.cache.Get(e.det.QID)
		}
		if err := pg.write(ctx, e, entry); err != nil {
			return err
		}
	}
	pg.pending, pg.n = pg.pending[:0], 0
	return nil
}

// write converts one event into the batcher: a detection with its KnowledgeBase entry, if any,
// into one record.
func (pg *detectionPage) write(ctx context.Context, e pageEvent, entry *kb.Entry) error {
	switch {
	case e.host != nil:
		host, identity := e.host, e.identity
		pg.out.StartHost(identity.HostID, func(res pcommon.Resource) { convert.FillDetectionResource(res, &identity, host) })
	case e.det != nil:
		lr, err := pg.out.AddRecord(ctx)
		if err != nil {
			return err
		}
		convert.Detection(lr, e.det, pg.observed)
		if entry != nil {
			convert.KnowledgeBase(lr.Attributes(), entry)
		}
	default:
		pg.out.EndHost()
	}
	return nil
}

// report counts and logs the page's records that were cut, repaired or lack a field.
func (pg *detectionPage) report(r pull.IDRange) {
	pg.s.reportAltered(r, pg.truncated, pg.repaired)
	pg.unreadable.Report(pg.s.Telemetry, pg.s.Logger, Name, "host_detections", zap.Int64("id_min", r.Next))
}

// KnowledgeBaseFetcher reads KnowledgeBase entries through the Qualys client.
type KnowledgeBaseFetcher struct {
	Client *qualys.Client
	// IncludeText keeps DIAGNOSIS, CONSEQUENCE and SOLUTION, each up to MaxKnowledgeBaseTextBytes.
	IncludeText bool
	// Logger and Telemetry report entries with a field that could not be read (optional).
	Logger    *zap.Logger
	Telemetry *telemetry.Telemetry
}

// MaxKnowledgeBaseTextBytes bounds each KnowledgeBase text the cache keeps with IncludeText: Qualys
// writes a few kilobytes at most, so only a runaway entry is cut.
const MaxKnowledgeBaseTextBytes = 64 << 10

var _ kb.Fetcher = KnowledgeBaseFetcher{}

// FetchKnowledgeBase implements kb.Fetcher.
func (f KnowledgeBaseFetcher) FetchKnowledgeBase(ctx context.Context, qids []int64, since time.Time, visit func(kb.Entry)) error {
	resp, err := f.Client.KnowledgeBase(ctx, qids, since)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	d := decode.NewKnowledgeBase(resp.Body)
	if f.IncludeText {
		d.MaxTextBytes = MaxKnowledgeBaseTextBytes
	}
	// An unreadable VULN is skipped: its detections go out without KnowledgeBase fields. A field
	// that cannot be read costs that field: the entry counts once, as it is fetched.
	lost := telemetry.UnreadableFields{IDKey: "qid"}
	err = pull.ReadAnswer(resp, "knowledge_base", d.Read, func(*decode.RecordError) {}, func(v *decode.Vuln) error {
		lost.Add(d.UnreadableFields(), v.QID)
		visit(convert.EntryFromVuln(v))
		return nil
	})
	if f.Logger != nil {
		lost.Report(f.Telemetry, f.Logger, Name, "knowledge_base")
	}
	return err
}
