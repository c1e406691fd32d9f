// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

//go:build unix

package e2e

import (
	"context"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	_ "google.golang.org/grpc/encoding/gzip" // the otlp exporter compresses by default
	"google.golang.org/grpc/status"
)

// soakBackend is the consumer of the soak: an OTLP gRPC endpoint, as a second collector's otlp
// receiver would be, that keeps every record it accepts with the real time it arrived, keeps the
// last value of every gauge, and refuses everything while told to (a backend that is down).
type soakBackend struct {
	server  *grpc.Server
	port    int
	refuse  atomic.Bool
	refused atomic.Int64
	// accepted has a value after each accepted export of records, for a kill to follow at once.
	accepted chan struct{}

	mu         sync.Mutex
	deliveries []delivery
	gauges     map[string]map[string]int64 // metric name -> attribute value -> last value
}

// delivery is one record the backend accepted: its stream, its version key (soakKey) and when.
type delivery struct {
	stream string
	key    string
	at     time.Time
}

// The gauges the soak compares with the tenant, each by the attribute it is split by.
var soakGauges = map[string]string{
	"qualys.vulnerability.detections": "qualys.detection.status",
	"qualys.assets":                   "qualys.asset.tracking_method",
	"qualys.compliance.postures":      "qualys.posture.status",
}

func startSoakBackend(t *testing.T) *soakBackend {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	b := &soakBackend{server: grpc.NewServer(), port: l.Addr().(*net.TCPAddr).Port, gauges: map[string]map[string]int64{},
		accepted: make(chan struct{}, 1)}
	plogotlp.RegisterGRPCServer(b.server, &soakLogs{b: b})
	pmetricotlp.RegisterGRPCServer(b.server, &soakMetrics{b: b})
	go func() { _ = b.server.Serve(l) }()
	t.Cleanup(b.server.Stop)
	return b
}

// errRefused is what a backend that is down answers: retryable, so nothing is dropped.
var errRefused = status.Error(codes.Unavailable, "soak: the backend refuses for a while")

type soakLogs struct {
	plogotlp.UnimplementedGRPCServer
	b *soakBackend
}

func (s *soakLogs) Export(_ context.Context, req plogotlp.ExportRequest) (plogotlp.ExportResponse, error) {
	if s.b.refuse.Load() {
		s.b.refused.Add(1)
		return plogotlp.NewExportResponse(), errRefused
	}
	now := time.Now()
	var got []delivery
	eachLogRecord(req.Logs(), func(res, rec map[string]any, event string) {
		if stream, key := soakKey(res, rec, event); stream != "" {
			got = append(got, delivery{stream: stream, key: key, at: now})
		}
	})
	s.b.mu.Lock()
	s.b.deliveries = append(s.b.deliveries, got...)
	s.b.mu.Unlock()
	select {
	case s.b.accepted <- struct{}{}:
	default:
	}
	return plogotlp.NewExportResponse(), nil
}

type soakMetrics struct {
	pmetricotlp.UnimplementedGRPCServer
	b *soakBackend
}

func (s *soakMetrics) Export(_ context.Context, req pmetricotlp.ExportRequest) (pmetricotlp.ExportResponse, error) {
	if s.b.refuse.Load() {
		s.b.refused.Add(1)
		return pmetricotlp.NewExportResponse(), errRefused
	}
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	rms := req.Metrics().ResourceMetrics()
	for i := range rms.Len() {
		sms := rms.At(i).ScopeMetrics()
		for j := range sms.Len() {
			ms := sms.At(j).Metrics()
			for k := range ms.Len() {
				s.b.keepGauge(ms.At(k))
			}
		}
	}
	return pmetricotlp.NewExportResponse(), nil
}

// keepGauge replaces what the backend knows of a gauge by its latest data points.
func (b *soakBackend) keepGauge(m pmetric.Metric) {
	attr, ok := soakGauges[m.Name()]
	if !ok || m.Type() != pmetric.MetricTypeGauge {
		return
	}
	values := map[string]int64{}
	dps := m.Gauge().DataPoints()
	for i := range dps.Len() {
		v, _ := dps.At(i).Attributes().Get(attr)
		values[v.AsString()] += dps.At(i).IntValue()
	}
	b.gauges[m.Name()] = values
}

func (b *soakBackend) snapshot() ([]delivery, map[string]map[string]int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	gauges := map[string]map[string]int64{}
	for name, values := range b.gauges {
		gauges[name] = values
	}
	return append([]delivery(nil), b.deliveries...), gauges
}

func (b *soakBackend) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.deliveries)
}

func eachLogRecord(ld plog.Logs, fn func(res, rec map[string]any, event string)) {
	rls := ld.ResourceLogs()
	for i := range rls.Len() {
		res := rls.At(i).Resource().Attributes().AsRaw()
		sls := rls.At(i).ScopeLogs()
		for j := range sls.Len() {
			lrs := sls.At(j).LogRecords()
			for k := range lrs.Len() {
				fn(res, lrs.At(k).Attributes().AsRaw(), lrs.At(k).EventName())
			}
		}
	}
}

// The soak's streams, by the receiver's names.
const (
	streamVulnerabilities = "vulnerabilities"
	streamAssets          = "assets"
	streamCompliance      = "compliance"
)

var soakStreams = []string{streamVulnerabilities, streamAssets, streamCompliance}

// soakKey names the version of a record: its identity and what a change in the tenant moves (a
// detection's status and last update, an asset's modified date, a posture's status and modified
// date). The tenant side is in soak_truth_test.go; both must write the same key.
func soakKey(res, rec map[string]any, event string) (stream, key string) {
	switch event {
	case "qualys.vulnerability.detection":
		return streamVulnerabilities, detectionKey(res["qualys.host.id"], rec["qualys.qid"], rec["qualys.detection.unique_id"],
			rec["qualys.detection.status"], rec["qualys.detection.last_update"])
	case "qualys.asset":
		return streamAssets, assetKey(res["qualys.host.id"], rec["qualys.asset.modified"])
	case "qualys.compliance.posture":
		return streamCompliance, postureKey(rec["qualys.posture.id"], rec["qualys.posture.status"], rec["qualys.posture.modified"])
	}
	return "", ""
}

func detectionKey(host, qid, uniqueID, status, lastUpdate any) string {
	return fmt.Sprintf("detection host=%v qid=%v unique_id=%v status=%v last_update=%v", host, qid, uniqueID, status, lastUpdate)
}

func assetKey(host, modified any) string {
	return fmt.Sprintf("asset host=%v modified=%v", host, modified)
}

func postureKey(id, status, modified any) string {
	return fmt.Sprintf("posture id=%v status=%v modified=%v", id, status, modified)
}
