// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver // import "github.com/seed-d80aa3af/qualysreceiver/receiver"

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.uber.org/zap"

	"github.com/seed-d80aa3af/qualysreceiver/internal/convert"
	"github.com/seed-d80aa3af/qualysreceiver/internal/decode"
	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
)

// page pulls one page of Host List Detection into out.
func (s *VulnerabilitiesStream) page(ctx context.Context, q qualys.DetectionQuery, r idRange, out *hostBatcher, observed time.Time) (int64, bool, error) {
	resp, err := s.Client.HostDetections(ctx, q, qualys.IDRange{Min: r.Next, Max: r.Max})
	if err != nil {
		return 0, false, err
	}
	defer resp.Body.Close()
	d := decode.NewHostDetections(resp.Body)
	d.MaxResultsBytes = s.cfg.MaxResultsBytes
	pg := &detectionPage{s: s, out: out, observed: observed, kinds: map[uint32]int{}}
	// Reported even when the page fails later: records of it may already have been handed on.
	defer pg.report(r)
	if err := pg.read(ctx, d, resp); err != nil {
		return 0, false, err
	}
	if pg.skipped > 0 {
		s.Telemetry.recordsSkipped(s.name, "unreadable", pg.skipped)
		s.Logger.Warn("Unreadable records skipped in a Host List Detection page",
			zap.Int("records", pg.skipped), zap.Int64("id_min", r.Next))
	}
	next, more, err := qualys.NextPage(d.Warning(), r.Next)
	if err != nil {
		resp.Unreadable()
		return 0, false, qualys.ResponseError("host_detections", err)
	}
	if more && r.Max > 0 && next > r.Max {
		more = false
	}
	return next, !more, nil
}

// detectionPage turns the hosts and detections of one page into records, host by host, and
// tallies what the page's report says.
type detectionPage struct {
	s        *VulnerabilitiesStream
	out      *hostBatcher
	observed time.Time

	identity convert.HostIdentity
	kinds    map[uint32]int
	// hostLost is the current host's unreadable fields: its detections lack them.
	hostLost                     []decode.FieldError
	skipped, truncated, repaired int
	unreadable                   unreadableFields
}

// read reads the page to its end; a record that cannot be read is counted and skipped.
func (pg *detectionPage) read(ctx context.Context, d *decode.HostDetections, resp *qualys.Response) error {
	return readAnswer(resp, "host_detections", d.Next, func(*decode.RecordError) { pg.skipped++ },
		func(kind decode.Kind) error { return pg.add(ctx, kind, d) })
}

// add takes in what the decoder read: a host begins, a detection of it, or the host ends.
func (pg *detectionPage) add(ctx context.Context, kind decode.Kind, d *decode.HostDetections) error {
	switch kind {
	case decode.KindHostStart:
		host := d.Host()
		pg.identity = convert.HostFromVM(host)
		identity := pg.identity
		pg.out.startHost(identity.HostID, func(res pcommon.Resource) { convert.FillDetectionResource(res, &identity, host) })
		clear(pg.kinds)
		pg.hostLost = append(pg.hostLost[:0], d.UnreadableFields()...)
	case decode.KindDetection:
		lr, err := pg.out.addRecord(ctx)
		if err != nil {
			return err
		}
		det := d.Detection()
		convert.Detection(lr, det, pg.observed)
		if lost := d.UnreadableFields(); len(lost) > 0 {
			pg.unreadable.add(lost, pg.identity.HostID)
		} else {
			pg.unreadable.add(pg.hostLost, pg.identity.HostID)
		}
		pg.kinds[detectionKind(det)]++
		if det.ResultsTruncated {
			pg.truncated++
		}
		if det.ResultsRepaired {
			pg.repaired++
		}
	case decode.KindHostEnd:
		pg.out.endHost()
		pg.s.counts.Set(pg.identity.HostID, pg.kinds)
	}
	return nil
}

// report counts and logs the page's records that were cut, repaired or lack a field.
func (pg *detectionPage) report(r idRange) {
	pg.s.reportAltered(r, pg.truncated, pg.repaired)
	pg.unreadable.report(pg.s.Telemetry, pg.s.Logger, pg.s.name, "host_detections", zap.Int64("id_min", r.Next))
}
