// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualysreceiver // import "github.com/seed-d80aa3af/qualysreceiver"

import (
	"context"

	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver"

	"github.com/seed-d80aa3af/qualysreceiver/internal/convert"
	qreceiver "github.com/seed-d80aa3af/qualysreceiver/receiver"
)

// nextLogs is what the receiver hands its records to: the body and timestamp options applied to
// complete batches (after the KnowledgeBase join), counted by the collector's receiver
// observability, then the pipeline.
func nextLogs(set receiver.Settings, cfg *Config, next consumer.Logs) (consumer.Logs, error) {
	opts := cfg.recordOptions()
	if opts != (convert.RecordOptions{Body: convert.BodyNone, Timestamp: convert.TimestampQualys}) {
		pipeline := next
		var err error
		next, err = consumer.NewLogs(func(ctx context.Context, ld plog.Logs) error {
			convert.Finish(ld, opts)
			return pipeline.ConsumeLogs(ctx, ld)
		}, consumer.WithCapabilities(pipeline.Capabilities()))
		if err != nil {
			return nil, err
		}
	}
	return qreceiver.ObservedLogs(set, next)
}
