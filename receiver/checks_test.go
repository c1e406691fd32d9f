// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.uber.org/zap"

	"github.com/seed-d80aa3af/qualysreceiver/internal/compliance"
	"github.com/seed-d80aa3af/qualysreceiver/internal/convert"
	"github.com/seed-d80aa3af/qualysreceiver/internal/metadata"
	"github.com/seed-d80aa3af/qualysreceiver/internal/pull"
	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
	"github.com/seed-d80aa3af/qualysreceiver/internal/simulator"
	"github.com/seed-d80aa3af/qualysreceiver/internal/vulnerabilities"
)

// Each start-up failure is told in one line that says what is wrong and how to fix it.
func TestStartupCheckMessages(t *testing.T) {
	tests := []struct {
		name   string
		opts   simulator.Options
		fault  *simulator.Fault
		client func(*qualys.Settings)
		checks func(*qualys.Client) []pull.Check
		// stream is the stream whose checks run; nil runs checks as the vulnerabilities stream's.
		stream  func(*qualys.Client) Stream
		message string
	}{
		{
			name:    "bad password",
			client:  func(s *qualys.Settings) { s.Password = "wrong" },
			checks:  func(c *qualys.Client) []pull.Check { return []pull.Check{pull.APIServerLoginCheck(c)} },
			message: "vulnerabilities: API server login failed (HTTP 401): wrong username or password, or the right credentials on another platform: check password, and platform or api_url against the username's platform",
		},
		{
			name: "wrong platform",
			client: func(s *qualys.Settings) {
				s.Username = "acme2jd"
				s.UnauthorizedHint = `the username "acme2jd" looks like a US2 user but the receiver calls US1: try platform: US2`
			},
			checks:  func(c *qualys.Client) []pull.Check { return []pull.Check{pull.APIServerLoginCheck(c)} },
			message: `vulnerabilities: API server login failed (HTTP 401): wrong username or password, or the right credentials on another platform: check password, and platform or api_url against the username's platform; the username "acme2jd" looks like a US2 user but the receiver calls US1: try platform: US2`,
		},
		{
			name:    "registration not completed",
			fault:   &simulator.Fault{Kind: simulator.FaultRegistration, Endpoint: simulator.EndpointKB},
			checks:  func(c *qualys.Client) []pull.Check { return []pull.Check{pull.KnowledgeBaseCheck(c)} },
			message: "vulnerabilities: KnowledgeBase access denied (HTTP 409, code 2003): the Qualys user has not completed registration; log in once to the Qualys console",
		},
		{
			name: "missing KnowledgeBase permission",
			opts: simulator.Options{MissingPermissions: []simulator.Permission{simulator.PermKB}},
			checks: func(c *qualys.Client) []pull.Check {
				return []pull.Check{pull.APIServerLoginCheck(c), pull.DetectionsCheck(c), pull.KnowledgeBaseCheck(c)}
			},
			message: "vulnerabilities: KnowledgeBase access denied (HTTP 409, code 2000): the user lacks a permission this API needs: grant read on VM, AssetView, PC and Reporting, API access, and Manage VM/PC module",
		},
		{
			// Only the compliance stream calls the gateway, so its own checks report the failure.
			name:   "gateway auth failure",
			client: func(s *qualys.Settings) { s.Password = "wrong" },
			stream: func(c *qualys.Client) Stream {
				return compliance.New(compliance.Settings{Settings: pull.Settings{Client: c}})
			},
			message: "compliance: API gateway login failed (HTTP 401): the API gateway rejected the username or password: check them, and that gateway_url (or platform) is the user's platform",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newSimEnv(t, simulator.TenantConfig{Hosts: 3}, tt.opts)
			if tt.fault != nil {
				_, err := e.server.InjectFault(*tt.fault)
				require.NoError(t, err)
			}
			client := e.client
			if tt.client != nil {
				s := qualys.Settings{
					APIServerURL: e.apiURL, GatewayURL: e.gatewayURL,
					Username: "qualys_user", Password: "qualys_pass", MaxConcurrency: 1, Retry: configretry.BackOffConfig{},
				}
				tt.client(&s)
				var err error
				client, err = qualys.New(http.DefaultClient, s)
				require.NoError(t, err)
			}
			var stream Stream
			if tt.stream != nil {
				stream = tt.stream(client)
			} else {
				stream = checkedStream{checks: tt.checks(client)}
			}
			sched := &scheduler{stream: stream, logger: e.logger, schedule: Schedule{Interval: time.Hour}, clock: qualys.WallClock}
			_, err := sched.check(t.Context(), sched.stream.(checked))
			require.Error(t, err)
			logged := e.logs.FilterLevelExact(zap.ErrorLevel).All()
			require.Len(t, logged, 1)
			assert.Equal(t, tt.message, logged[0].Message)
		})
	}
}

// A stream whose check fails does not poll; once the cause is fixed it is checked again on its
// schedule, says it is ready and polls.
func TestStartupCheckGatesPolls(t *testing.T) {
	e := newSimEnv(t, simulator.TenantConfig{Hosts: 5, DetectionsPerHost: 2}, simulator.Options{})
	_, err := e.server.InjectFault(simulator.Fault{Kind: simulator.FaultRegistration, Endpoint: simulator.EndpointKB, Count: 1})
	require.NoError(t, err)
	s := newVulnStream(t, e, nil)
	ticks := make(chan time.Time)
	sched := &scheduler{stream: s, sinks: e.sinks, logger: e.logger, schedule: Schedule{Interval: time.Hour},
		clock: tickClock(ticks)}
	done := make(chan struct{})
	go func() { defer close(done); sched.run(t.Context()) }()

	require.Eventually(t, func() bool { return e.logs.FilterMessageSnippet("code 2003").Len() == 1 }, 5*time.Second, 5*time.Millisecond)
	assert.Zero(t, e.sinks.records(), "no poll while the check fails")

	ticks <- time.Now()
	require.Eventually(t, func() bool { return e.logs.FilterMessage("vulnerabilities: ready").Len() == 1 }, 5*time.Second, 5*time.Millisecond)
	require.Eventually(t, func() bool { return e.sinks.records() > 0 }, 5*time.Second, 5*time.Millisecond)
}

type checkedStream struct {
	Stream
	checks []pull.Check
}

func (c checkedStream) Name() string         { return vulnerabilities.Name }
func (c checkedStream) Checks() []pull.Check { return c.checks }

// A stream whose check fails leaves the others alone (issue 10): vulnerabilities polls and emits
// while compliance, without the Policy Compliance permission, logs what to fix and is checked again
// on its own schedule until the permission is granted.
func TestFailedCheckDoesNotStopOtherStreams(t *testing.T) {
	e := newComplianceEnv(t, simulator.TenantConfig{Hosts: 20, DetectionsPerHost: 2, Policies: 1, ControlsPerPolicy: 2},
		simulator.Options{PCRSRateLimit: -1, MissingPermissions: []simulator.Permission{simulator.PermPC}})
	const complianceEvery = 50 * time.Millisecond
	build := func(context.Context, component.Host, storage.Client) (Runtime, error) {
		return Runtime{Streams: []ScheduledStream{
			// Compliance first: its failing check must not hold back the stream after it.
			{Stream: newComplianceStream(t, e, nil), Schedule: Schedule{Interval: complianceEvery}},
			{Stream: newVulnStream(t, e, nil), Schedule: Schedule{Interval: time.Hour}},
		}}, nil
	}
	set := receivertest.NewNopSettings(metadata.Type)
	set.Logger = e.logger
	r := New(set, Options{}, build)
	r.SetLogs(sinkLogs(e.sinks))
	require.NoError(t, r.Start(t.Context(), componenttest.NewNopHost()))
	defer func() { require.NoError(t, r.Shutdown(context.Background())) }()

	records := func() (detections, postures int) {
		eachLog(e.sinks.allLogs(), func(_, rec map[string]any) {
			if _, ok := rec[convert.AttrPostureID]; ok {
				postures++
			} else {
				detections++
			}
		})
		return detections, postures
	}
	want := e.tenant.Counts(simulator.Query{Statuses: allStatuses})
	require.Eventually(t, func() bool { d, _ := records(); return d == want.Detections }, 10*time.Second, 5*time.Millisecond,
		"vulnerabilities polls and emits every detection")
	assert.Equal(t, 1, e.logs.FilterMessage("vulnerabilities: ready").Len())

	const denied = "compliance: Policy Compliance posture (PCRS) access denied (HTTP 403): the user is inactive, lacks API access, or lacks the module this API needs: enable API access and grant VM, AssetView or PC (as the API needs) to the user's role"
	require.Eventually(t, func() bool { return e.logs.FilterMessage(denied).Len() >= 3 }, 10*time.Second, 5*time.Millisecond,
		"compliance is checked again, at most an interval later")
	for i, entry := range e.logs.FilterMessage(denied).All() {
		if i == 0 {
			assert.Equal(t, zap.ErrorLevel, entry.Level)
		} else {
			assert.Equal(t, zap.DebugLevel, entry.Level, "the same cause is an error line at most once an hour")
		}
		assert.Equal(t, compliance.Name, entry.ContextMap()["stream"])
		again, err := time.ParseDuration(entry.ContextMap()["checked_again_in"].(string))
		require.NoError(t, err, "a duration with its unit")
		assert.LessOrEqual(t, again, complianceEvery, "never later than the interval")
	}
	_, postures := records()
	assert.Zero(t, postures, "no poll while the check fails")
	assert.Empty(t, requestsTo(e, simulator.EndpointPCRSPostureInfo))

	e.server.SetPermission(simulator.PermPC, true)
	require.Eventually(t, func() bool { return e.logs.FilterMessage("compliance: ready").Len() == 1 }, 10*time.Second, 5*time.Millisecond)
	require.Eventually(t, func() bool { _, p := records(); return p > 0 }, 10*time.Second, 5*time.Millisecond)
}
