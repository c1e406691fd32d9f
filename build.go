// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualysreceiver // import "github.com/seed-d80aa3af/qualysreceiver"

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/receiver"
	"go.uber.org/zap"

	"github.com/seed-d80aa3af/qualysreceiver/internal/assets"
	"github.com/seed-d80aa3af/qualysreceiver/internal/checkpoint"
	"github.com/seed-d80aa3af/qualysreceiver/internal/compliance"
	"github.com/seed-d80aa3af/qualysreceiver/internal/convert"
	"github.com/seed-d80aa3af/qualysreceiver/internal/kb"
	"github.com/seed-d80aa3af/qualysreceiver/internal/metadata"
	"github.com/seed-d80aa3af/qualysreceiver/internal/pull"
	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
	"github.com/seed-d80aa3af/qualysreceiver/internal/telemetry"
	"github.com/seed-d80aa3af/qualysreceiver/internal/vulnerabilities"
	qreceiver "github.com/seed-d80aa3af/qualysreceiver/receiver"
)

// newStreamBuilder turns the user's configuration into the running streams once Start provides the
// host: the HTTP client needs the host's extensions (auth, middlewares).
func newStreamBuilder(set receiver.Settings, cfg *Config, clock qualys.Clock) qreceiver.BuildFunc {
	// One checkpoint store for the receiver's life: streams are built again each time the receiver
	// is elected leader, and must find the in-memory checkpoints of the last period.
	var checkpoints *checkpoint.Store
	// One telemetry too: it remembers which streams ever completed a poll (last_successful_poll).
	// Its instruments are synchronous, so it holds no registration to release between periods.
	var tel *telemetry.Telemetry
	return func(ctx context.Context, host component.Host, store storage.Client) (qreceiver.Runtime, error) {
		if checkpoints == nil {
			checkpoints = checkpoint.New(store)
		}
		if tel == nil {
			tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
			if err != nil {
				return qreceiver.Runtime{}, fmt.Errorf("telemetry: %w", err)
			}
			tel = telemetry.New(tb, set.ID.String())
		}
		httpClient, err := cfg.HTTP.ToClient(ctx, host.GetExtensions(), set.TelemetrySettings)
		if err != nil {
			return qreceiver.Runtime{}, fmt.Errorf("http client: %w", err)
		}
		captureWriter, err := cfg.Capture.writer(set.Logger)
		if err != nil {
			return qreceiver.Runtime{}, err
		}
		client, err := qualys.New(httpClient, qualys.Settings{
			APIServerURL:   cfg.APIServerURL(),
			GatewayURL:     cfg.APIGatewayURL(),
			Username:       cfg.Username,
			Password:       string(cfg.Password),
			MaxConcurrency: cfg.MaxConcurrency,
			Retry:          cfg.Retry,
			Version:        set.BuildInfo.Version,
			Logger:         set.Logger,
			Observer:       tel,
			Capture:        captureWriter,
			Clock:          clock,

			UnauthorizedHint: cfg.unauthorizedHint(),
		})
		if err != nil {
			return qreceiver.Runtime{}, err
		}
		streams := buildStreams(set, cfg, client, checkpoints, tel, clock)
		return qreceiver.Runtime{
			Streams:   streams,
			Telemetry: tel,
			Close: func(context.Context) error {
				httpClient.CloseIdleConnections()
				return nil
			},
		}, nil
	}
}

func buildStreams(set receiver.Settings, cfg *Config, client *qualys.Client, store *checkpoint.Store, tel *telemetry.Telemetry, clock qualys.Clock) []qreceiver.ScheduledStream {
	source := cfg.source(set.ID)
	settings := func(stream string, pageSize int) pull.Settings {
		return pull.Settings{Source: source, Client: client, Store: store, Telemetry: tel, Clock: clock,
			Logger: set.Logger.With(streamField(stream)), Retry: cfg.Retry, Workers: cfg.MaxConcurrency, PageSize: pageSize}
	}
	var streams []qreceiver.ScheduledStream
	if v := cfg.Vulnerabilities; v.Enabled {
		maxResults := v.MaxResultsBytes
		if !v.ShowResults {
			maxResults = -1
		}
		streams = append(streams, qreceiver.ScheduledStream{
			Schedule: cfg.RetryFailedPoll.schedule(v.Interval),
			Stream: vulnerabilities.New(vulnerabilities.Settings{
				Settings:         settings(vulnerabilities.Name, v.PageSize),
				Query:            cfg.detectionQuery(),
				FullSyncInterval: v.FullSyncInterval,
				MaxResultsBytes:  maxResults,
				KnowledgeBase:    knowledgeBase(set, &v.KnowledgeBase, client, tel, clock),
				Metrics:          metadata.NewMetricsBuilder(cfg.MetricsBuilder, set),
				CountsEnabled:    cfg.MetricsBuilder.Metrics.QualysVulnerabilityDetections.Enabled,
			}),
		})
	}
	if a := cfg.Assets; a.Enabled {
		streams = append(streams, qreceiver.ScheduledStream{
			Schedule: cfg.RetryFailedPoll.schedule(a.Interval),
			Stream: assets.New(assets.Settings{
				Settings:       settings(assets.Name, a.PageSize),
				Tags:           cfg.tagFilter(),
				ModifiedWithin: time.Duration(a.ModifiedWithin),
				Metrics:        metadata.NewMetricsBuilder(cfg.MetricsBuilder, set),
			}),
		})
	}
	if c := cfg.Compliance; c.Enabled {
		streams = append(streams, qreceiver.ScheduledStream{
			Schedule: cfg.RetryFailedPoll.schedule(c.Interval),
			Stream: compliance.New(compliance.Settings{
				Settings:         settings(compliance.Name, 0),
				API:              compliance.API(c.API),
				PolicyIDs:        c.PolicyIDs,
				Statuses:         c.Status,
				Evidence:         c.IncludeEvidence,
				FullSyncInterval: compliance.FullSyncInterval,
				Metrics:          metadata.NewMetricsBuilder(cfg.MetricsBuilder, set),
				Counts:           cfg.MetricsBuilder.Metrics.QualysCompliancePostures,
			}),
		})
	}
	return streams
}

// knowledgeBase is the vulnerabilities stream's KnowledgeBase cache; nil when the join is off.
func knowledgeBase(set receiver.Settings, cfg *KnowledgeBaseConfig, client *qualys.Client, tel *telemetry.Telemetry, clock qualys.Clock) *kb.Cache {
	if !cfg.Enabled {
		return nil
	}
	fetcher := vulnerabilities.KnowledgeBaseFetcher{Client: client, IncludeText: cfg.IncludeText,
		Logger: set.Logger.With(streamField(vulnerabilities.Name)), Telemetry: tel}
	return kb.NewCache(fetcher, cfg.RefreshInterval, kb.Limits{MaxEntries: cfg.MaxEntries, MaxBytes: cfg.MaxBytes}).WithClock(clock.Now)
}

// source names the subscription on every resource the receiver emits: the API server's host and
// the receiver's id, each unless its resource attribute is disabled.
func (cfg *Config) source(id component.ID) convert.Source {
	var src convert.Source
	attrs := cfg.MetricsBuilder.ResourceAttributes
	if attrs.ServerAddress.Enabled {
		if u, err := url.Parse(cfg.APIServerURL()); err == nil {
			src.APIServer = u.Hostname()
		}
	}
	if attrs.QualysReceiverID.Enabled {
		src.ReceiverID = id.String()
	}
	return src
}

func (cfg *Config) tagFilter() qualys.TagFilter {
	return qualys.TagFilter{
		Include:         cfg.Tags.Include.Names(),
		Exclude:         cfg.Tags.Exclude.Names(),
		IncludeSelector: string(cfg.Tags.IncludeSelector),
		ExcludeSelector: string(cfg.Tags.ExcludeSelector),
	}
}

func (cfg *Config) detectionQuery() qualys.DetectionQuery {
	v := cfg.Vulnerabilities
	q := qualys.DetectionQuery{
		Status:          v.Status,
		IncludeVulnType: v.IncludeVulnType,
		Severities:      v.Severities,
		QIDs:            v.QIDs,
		Tags:            cfg.tagFilter(),
		ShowResults:     v.ShowResults,
	}
	if v.ArfKernelFilter != nil {
		f := int(*v.ArfKernelFilter)
		q.ArfKernelFilter = &f
	}
	return q
}

func streamField(stream string) zap.Field { return zap.String("stream", stream) }
