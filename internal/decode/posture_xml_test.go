// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPostureInfoList(t *testing.T) {
	d := NewPostureInfoList(strings.NewReader(postureXMLDoc))
	var infos []PostureInfo
	var hosts []GlossaryHost
	var controls []Control
	var techs []Technology
	var policies []Policy
	var order []Kind
	for {
		k, err := d.Next()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		order = append(order, k)
		switch k {
		case KindPosture:
			infos = append(infos, *d.Info())
		case KindGlossaryHost:
			hosts = append(hosts, *d.GlossaryHost())
		case KindControl:
			controls = append(controls, *d.Control())
		case KindTechnology:
			techs = append(techs, *d.Technology())
		case KindPolicy:
			policies = append(policies, *d.Policy())
		}
	}
	assert.Equal(t, []Kind{KindPosture, KindPosture, KindGlossaryHost, KindControl, KindTechnology, KindPolicy}, order,
		"postures stream first; the glossary follows")
	require.Len(t, infos, 2)
	p := infos[0]
	assert.Equal(t, int64(900001), p.ID)
	assert.Equal(t, int64(201), p.HostID)
	assert.Equal(t, int64(1071), p.ControlID)
	assert.Equal(t, int64(55), p.PolicyID)
	assert.Equal(t, int64(45), p.TechnologyID)
	assert.Equal(t, "os", p.Instance)
	assert.Equal(t, "Failed", p.Status)
	assert.Equal(t, "Passed", p.PreviousStatus)
	assert.Equal(t, date("2026-01-14T00:00:00Z"), p.LastFailDate)
	assert.Equal(t, "EXPECTED/V: enabled\nCURRENT/V: disabled\nCURRENT/V: unknown", p.Evidence)
	assert.Equal(t, "UNEXPECTED/V: disabled", p.CauseOfFailure)
	assert.Zero(t, infos[1].PolicyID, "absent optional field")

	assert.Equal(t, []GlossaryHost{{ID: 201, IP: "10.1.0.1", DNS: "web-1", OS: "Ubuntu", TrackingMethod: "IP"}}, hosts)
	assert.Equal(t, []Control{{ID: 1071, Statement: "Status of the firewall", Criticality: Criticality{"SERIOUS", 3}}}, controls)
	assert.Equal(t, []Technology{{45, "Ubuntu 22.x"}}, techs)
	assert.Equal(t, []Policy{{55, "CIS Ubuntu"}}, policies)

	require.NotNil(t, d.Warning())
	assert.Contains(t, d.Warning().URL, "id_min=203")
}

func TestPostureInfoEvidenceLimit(t *testing.T) {
	d := NewPostureInfoList(strings.NewReader(postureXMLDoc))
	d.MaxEvidenceBytes = 12
	_, err := d.Next()
	require.NoError(t, err)
	assert.Equal(t, "EXPECTED/V: ", d.Info().Evidence)
	assert.True(t, d.Info().EvidenceTruncated)

	d = NewPostureInfoList(strings.NewReader(postureXMLDoc))
	d.MaxEvidenceBytes = -1
	_, err = d.Next()
	require.NoError(t, err)
	assert.Empty(t, d.Info().Evidence)
	assert.False(t, d.Info().EvidenceTruncated)
}

func TestPostureInfoRecordErrors(t *testing.T) {
	doc := `<POSTURE_INFO_LIST_OUTPUT><RESPONSE><INFO_LIST><INFO><ID>1</ID><HOST_ID>h</HOST_ID></INFO><INFO><HOST_ID>2</HOST_ID></INFO>` +
		`<INFO><ID>3</ID></INFO></INFO_LIST></RESPONSE></POSTURE_INFO_LIST_OUTPUT>`
	ev, err := postureXMLEvents(strings.NewReader(doc))
	require.NoError(t, err)
	require.Len(t, ev, 3)
	assert.Contains(t, ev[0], "Posture {ID:1 HostID:0 ", "a bad HOST_ID costs that field only")
	assert.Contains(t, ev[1], "no ID")
	assert.Contains(t, ev[2], "Posture {ID:3 ")
}
