// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualysreceiver // import "github.com/seed-d80aa3af/qualysreceiver"

import (
	"context"
	"fmt"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/receiver"

	qreceiver "github.com/seed-d80aa3af/qualysreceiver/receiver"
)

// newStreamBuilder turns the user's configuration into the running streams once Start provides the
// host: the HTTP client needs the host's extensions (auth, middlewares).
func newStreamBuilder(set receiver.Settings, cfg *Config) qreceiver.BuildFunc {
	return func(ctx context.Context, host component.Host, _ storage.Client) (qreceiver.Runtime, error) {
		httpClient, err := cfg.HTTP.ToClient(ctx, host.GetExtensions(), set.TelemetrySettings)
		if err != nil {
			return qreceiver.Runtime{}, fmt.Errorf("http client: %w", err)
		}
		return qreceiver.Runtime{
			Close: func(context.Context) error {
				httpClient.CloseIdleConnections()
				return nil
			},
		}, nil
	}
}
