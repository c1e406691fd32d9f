// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/config/configretry"
	"go.uber.org/zap"

	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
	"github.com/seed-d80aa3af/qualysreceiver/internal/simulator"
)

// Each start-up failure is told in one line that says what is wrong and how to fix it.
func TestStartupCheckMessages(t *testing.T) {
	tests := []struct {
		name    string
		opts    simulator.Options
		fault   *simulator.Fault
		client  func(*qualys.Settings)
		checks  func(*qualys.Client) []Check
		message string
	}{
		{
			name:    "bad password",
			client:  func(s *qualys.Settings) { s.Password = "wrong" },
			checks:  func(c *qualys.Client) []Check { return []Check{apiServerLoginCheck(c)} },
			message: "vulnerabilities: API server login failed (HTTP 401): wrong username or password, or the right credentials on another platform: check password, and platform or api_url against the username's platform",
		},
		{
			name: "wrong platform",
			client: func(s *qualys.Settings) {
				s.Username = "acme2jd"
				s.UnauthorizedHint = `the username "acme2jd" looks like a US2 user but the receiver calls US1: try platform: US2`
			},
			checks:  func(c *qualys.Client) []Check { return []Check{apiServerLoginCheck(c)} },
			message: `vulnerabilities: API server login failed (HTTP 401): wrong username or password, or the right credentials on another platform: check password, and platform or api_url against the username's platform; the username "acme2jd" looks like a US2 user but the receiver calls US1: try platform: US2`,
		},
		{
			name:    "registration not completed",
			fault:   &simulator.Fault{Kind: simulator.FaultRegistration, Endpoint: simulator.EndpointKB},
			checks:  func(c *qualys.Client) []Check { return []Check{knowledgeBaseCheck(c)} },
			message: "vulnerabilities: KnowledgeBase access denied (HTTP 409, code 2003): the Qualys user has not completed registration; log in once to the Qualys console",
		},
		{
			name: "missing KnowledgeBase permission",
			opts: simulator.Options{MissingPermissions: []simulator.Permission{simulator.PermKB}},
			checks: func(c *qualys.Client) []Check {
				return []Check{apiServerLoginCheck(c), detectionsCheck(c), knowledgeBaseCheck(c)}
			},
			message: "vulnerabilities: KnowledgeBase access denied (HTTP 409, code 2000): the user lacks a permission this API needs: grant read on VM, AssetView, PC and Reporting, API access, and Manage VM/PC module",
		},
		{
			name:    "gateway auth failure",
			client:  func(s *qualys.Settings) { s.Password = "wrong" },
			checks:  func(c *qualys.Client) []Check { return []Check{gatewayLoginCheck(c)} },
			message: "vulnerabilities: API gateway login failed (HTTP 401): the API gateway rejected the username or password: check them, and that gateway_url (or platform) is the user's platform",
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
			sched := &scheduler{stream: checkedStream{checks: tt.checks(client)}, logger: e.logger, schedule: Schedule{Interval: time.Hour}}
			require.False(t, sched.check(t.Context(), sched.stream.(Checked)))
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
		after: func(time.Duration) <-chan time.Time { return ticks }}
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
	checks []Check
}

func (c checkedStream) Name() string    { return StreamVulnerabilities }
func (c checkedStream) Checks() []Check { return c.checks }
