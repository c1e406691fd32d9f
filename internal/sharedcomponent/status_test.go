// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package sharedcomponent

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/component/componenttest"
)

type reportingHost struct {
	component.Host
	events []componentstatus.Status
}

func (h *reportingHost) Report(ev *componentstatus.Event) { h.events = append(h.events, ev.Status()) }

// statusComponent reports through whatever host it was started with, later.
type statusComponent struct {
	component.ShutdownFunc
	host component.Host
}

func (c *statusComponent) Start(_ context.Context, host component.Host) error {
	c.host = host
	return nil
}

// Status that the shared component reports reaches the host of every instance, the logs and the
// metrics pipeline's, though the component started only once.
func TestStatusReachesEveryInstance(t *testing.T) {
	m := NewMap[string, *statusComponent]()
	c, err := m.LoadOrStore("qualys", func() (*statusComponent, error) { return &statusComponent{}, nil })
	require.NoError(t, err)
	logsHost := &reportingHost{Host: componenttest.NewNopHost()}
	metricsHost := &reportingHost{Host: componenttest.NewNopHost()}
	require.NoError(t, c.Start(t.Context(), logsHost))
	require.NoError(t, c.Start(t.Context(), metricsHost))

	componentstatus.ReportStatus(c.Unwrap.host, componentstatus.NewRecoverableErrorEvent(assert.AnError))
	componentstatus.ReportStatus(c.Unwrap.host, componentstatus.NewEvent(componentstatus.StatusOK))
	want := []componentstatus.Status{componentstatus.StatusRecoverableError, componentstatus.StatusOK}
	assert.Equal(t, want, logsHost.events)
	assert.Equal(t, want, metricsHost.events)
	assert.NotNil(t, c.Unwrap.host.GetExtensions())
	require.NoError(t, c.Shutdown(t.Context()))
}
