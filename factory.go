// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualysreceiver // import "github.com/seed-d80aa3af/qualysreceiver"

import (
	"context"
	"errors"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"

	"github.com/seed-d80aa3af/qualysreceiver/internal/metadata"
	"github.com/seed-d80aa3af/qualysreceiver/internal/sharedcomponent"
	qreceiver "github.com/seed-d80aa3af/qualysreceiver/receiver"
)

var errConfigType = errors.New("config is not a qualys receiver config")

// receivers shares one running receiver between the logs and the metrics pipeline of one qualys
// entry, so Qualys is polled once and both pipelines see the same poll.
var receivers = sharedcomponent.NewMap[*Config, *qreceiver.Receiver]()

// NewFactory creates the factory of the qualys receiver.
func NewFactory() receiver.Factory {
	return receiver.NewFactory(
		metadata.Type,
		createDefaultConfig,
		receiver.WithLogs(createLogs, metadata.LogsStability),
		receiver.WithMetrics(createMetrics, metadata.MetricsStability),
	)
}

func createLogs(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Logs) (receiver.Logs, error) {
	shared, err := sharedReceiver(set, cfg)
	if err != nil {
		return nil, err
	}
	observed, err := nextLogs(set, cfg.(*Config), next)
	if err != nil {
		return nil, err
	}
	shared.Unwrap.SetLogs(observed)
	return shared, nil
}

func createMetrics(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Metrics) (receiver.Metrics, error) {
	shared, err := sharedReceiver(set, cfg)
	if err != nil {
		return nil, err
	}
	observed, err := qreceiver.ObservedMetrics(set, next)
	if err != nil {
		return nil, err
	}
	shared.Unwrap.SetMetrics(observed)
	return shared, nil
}

func sharedReceiver(set receiver.Settings, cfg component.Config) (*sharedcomponent.Component[*qreceiver.Receiver], error) {
	rCfg, ok := cfg.(*Config)
	if !ok {
		return nil, errConfigType
	}
	return receivers.LoadOrStore(rCfg, func() (*qreceiver.Receiver, error) {
		clock, err := receiverClock()
		if err != nil {
			return nil, err
		}
		options := qreceiver.Options{StorageID: rCfg.Storage, LeaderElectorID: rCfg.LeaderElector, Clock: clock}
		return qreceiver.New(set, options, newStreamBuilder(set, rCfg, clock)), nil
	})
}
