// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver // import "github.com/seed-d80aa3af/qualysreceiver/receiver"

import (
	"context"

	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	rcvr "go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receiverhelper"
)

// The collector's standard receiver observability: otelcol_receiver_accepted_log_records,
// otelcol_receiver_refused_log_records and their metric_points twins, one count per hand-over to
// the next consumer (a batch the receiver retries counts as refused each time it is refused).
const (
	obsTransport = "http"
	obsFormat    = "qualys"
)

// ObservedLogs returns next wrapped so every hand-over is counted by receiverhelper's ObsReport.
func ObservedLogs(set rcvr.Settings, next consumer.Logs) (consumer.Logs, error) {
	obs, err := newObsReport(set)
	if err != nil {
		return nil, err
	}
	return consumer.NewLogs(func(ctx context.Context, ld plog.Logs) error {
		records := ld.LogRecordCount()
		ctx = obs.StartLogsOp(ctx)
		err := next.ConsumeLogs(ctx, ld)
		obs.EndLogsOp(ctx, obsFormat, records, err)
		return err
	}, consumer.WithCapabilities(next.Capabilities()))
}

// ObservedMetrics is ObservedLogs for the metrics pipeline, counting data points.
func ObservedMetrics(set rcvr.Settings, next consumer.Metrics) (consumer.Metrics, error) {
	obs, err := newObsReport(set)
	if err != nil {
		return nil, err
	}
	return consumer.NewMetrics(func(ctx context.Context, md pmetric.Metrics) error {
		points := md.DataPointCount()
		ctx = obs.StartMetricsOp(ctx)
		err := next.ConsumeMetrics(ctx, md)
		obs.EndMetricsOp(ctx, obsFormat, points, err)
		return err
	}, consumer.WithCapabilities(next.Capabilities()))
}

func newObsReport(set rcvr.Settings) (*receiverhelper.ObsReport, error) {
	return receiverhelper.NewObsReport(receiverhelper.ObsReportSettings{
		ReceiverID:             set.ID,
		Transport:              obsTransport,
		ReceiverCreateSettings: set,
	})
}
