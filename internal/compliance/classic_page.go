// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package compliance // import "github.com/seed-d80aa3af/qualysreceiver/internal/compliance"

import (
	"github.com/seed-d80aa3af/qualysreceiver/internal/convert"
	"github.com/seed-d80aa3af/qualysreceiver/internal/decode"
	"github.com/seed-d80aa3af/qualysreceiver/internal/pull"
	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
	"github.com/seed-d80aa3af/qualysreceiver/internal/telemetry"
)

// classicPage is one page of classic posture output. Qualys writes the glossary after all postures,
// so the postures are held until the page has been read.
type classicPage struct {
	infos    []decode.PostureInfo
	hosts    map[int64]decode.GlossaryHost
	controls map[int64]decode.Control
	techs    map[int64]decode.Technology
	titles   map[int64]string
	lost     telemetry.FirstLost // unreadable fields of the postures, by posture id
	hostLost telemetry.FirstLost // unreadable fields of the glossary hosts, by host id
}

func readClassicPage(resp *qualys.Response, d *decode.PostureInfoList, w *postureWriter) (*classicPage, error) {
	pg := &classicPage{hosts: map[int64]decode.GlossaryHost{}, controls: map[int64]decode.Control{},
		techs: map[int64]decode.Technology{}, titles: map[int64]string{}, lost: telemetry.FirstLost{}, hostLost: telemetry.FirstLost{}}
	err := pull.ReadAnswer(resp, "posture_info", d.Next, func(*decode.RecordError) { w.skip() }, func(kind decode.Kind) error {
		pg.take(kind, d)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return pg, nil
}

// take keeps what the decoder read: a posture, or a glossary entry the postures refer to.
func (pg *classicPage) take(kind decode.Kind, d *decode.PostureInfoList) {
	switch kind {
	case decode.KindPosture:
		pg.infos = append(pg.infos, *d.Info())
		pg.lost.Note(d.Info().ID, d.UnreadableFields())
	case decode.KindGlossaryHost:
		pg.hosts[d.GlossaryHost().ID] = *d.GlossaryHost()
		pg.hostLost.Note(d.GlossaryHost().ID, d.UnreadableFields())
	case decode.KindControl:
		pg.controls[d.Control().ID] = *d.Control()
	case decode.KindTechnology:
		pg.techs[d.Technology().ID] = *d.Technology()
	case decode.KindPolicy:
		pg.titles[d.Policy().ID] = d.Policy().Title
	}
}

// posture joins an INFO record with the glossary entries it refers to.
func (pg *classicPage) posture(info *decode.PostureInfo) *decode.Posture {
	var ctl *decode.Control
	if v, ok := pg.controls[info.ControlID]; ok {
		ctl = &v
	}
	var tech *decode.Technology
	if v, ok := pg.techs[info.TechnologyID]; ok {
		tech = &v
	}
	p := convert.ClassicPosture(info, ctl, tech, pg.titles[info.PolicyID])
	return &p
}

// host is the identity of a host of the page; only its id when the glossary lacks it.
func (pg *classicPage) host(id int64) convert.HostIdentity {
	if h, ok := pg.hosts[id]; ok {
		return convert.HostFromGlossary(&h)
	}
	return convert.HostIdentity{HostID: id}
}
