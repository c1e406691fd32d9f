// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package convert

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/seed-d80aa3af/qualysreceiver/internal/decode"
)

func TestPostureRecord(t *testing.T) {
	evaluated := time.Date(2026, 1, 14, 10, 0, 0, 0, time.UTC)
	observed := evaluated.Add(time.Hour)
	p := &decode.Posture{
		ID: 9, PolicyID: 55, ControlID: 1071, Status: "Failed", PreviousStatus: "Passed",
		Criticality:       decode.Criticality{Label: "CRITICAL", Value: 4},
		Technology:        decode.Technology{ID: 45, Name: "Ubuntu 22.x"},
		LastEvaluatedDate: evaluated, PostureModifiedDate: evaluated.Add(-time.Hour),
		Evidence:       json.RawMessage(`{"expectedValues":["on"],"currentValues":["off"]}`),
		CauseOfFailure: json.RawMessage(`{"unexpected":["off"]}`),
	}
	lr := plog.NewLogRecord()
	Posture(lr, p, observed, false)
	a := lr.Attributes().AsRaw()
	assert.Equal(t, EventPosture, lr.EventName())
	assert.Equal(t, plog.SeverityNumberError3, lr.SeverityNumber())
	assert.Equal(t, evaluated, lr.Timestamp().AsTime())
	assert.Equal(t, observed, lr.ObservedTimestamp().AsTime())
	assert.Equal(t, int64(45), a[AttrTechnologyID], "technology.id stands in for technologyId")
	assert.Equal(t, "Passed", a[AttrPosturePrevious])
	assert.NotContains(t, a, AttrPostureEvidence, "no evidence unless asked for")
	assert.Equal(t, `{"unexpected":["off"]}`, a[AttrPostureCauseOfFailure])
	assert.NotContains(t, a, AttrPolicyTitle, "empty fields are left out")

	lr = plog.NewLogRecord()
	Posture(lr, p, observed, true)
	assert.Equal(t, string(p.Evidence), lr.Attributes().AsRaw()[AttrPostureEvidence])
}

func TestClassicPosture(t *testing.T) {
	info := &decode.PostureInfo{ID: 1, HostID: 201, ControlID: 1071, PolicyID: 55, TechnologyID: 45, Status: "Error",
		Evidence: "EXPECTED/V: on", CauseOfFailure: "UNEXPECTED/V: off"}
	ctl := &decode.Control{ID: 1071, Statement: "Firewall on", Criticality: decode.Criticality{Label: "SERIOUS", Value: 3}}
	p := ClassicPosture(info, ctl, &decode.Technology{ID: 45, Name: "Ubuntu"}, "CIS Ubuntu")
	assert.Equal(t, decode.Criticality{Label: "SERIOUS", Value: 3}, p.Criticality, "the control's criticality when INFO has none")
	assert.Equal(t, "Firewall on", p.ControlStatement)
	assert.Equal(t, "CIS Ubuntu", p.PolicyTitle)

	lr := plog.NewLogRecord()
	Posture(lr, &p, time.Now(), true)
	ClassicEvidence(lr, info, false)
	a := lr.Attributes().AsRaw()
	assert.NotContains(t, a, AttrPostureEvidence)
	assert.Equal(t, "UNEXPECTED/V: off", a[AttrPostureCauseOfFailure])
	assert.Equal(t, plog.SeverityNumberWarn, lr.SeverityNumber())

	assert.Equal(t, HostIdentity{HostID: 201, DNS: "web-1", IPv4: "10.1.0.1"},
		HostFromGlossary(&decode.GlossaryHost{ID: 201, DNS: "web-1", IP: "10.1.0.1", TrackingMethod: "IP"}))
}
