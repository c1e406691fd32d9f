// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Each decoder's whole document as decodedRecords, for TestLayoutDoesNotMatter and
// TestAFieldNeverCostsItsRecord.

// readAll drives a Read-style decoder to the end, one record of kind per value.
func readAll[T any](kind string, read func() (*T, error), lost func() []FieldError) ([]decodedRecord, error) {
	var recs []decodedRecord
	for {
		v, err := read()
		if err == io.EOF {
			return recs, nil
		}
		var re *RecordError
		if errors.As(err, &re) {
			recs = append(recs, decodedRecord{kind: kind, group: len(recs), skipped: re})
			continue
		}
		if err != nil {
			return recs, err
		}
		recs = append(recs, decodedRecord{kind: kind, group: len(recs), value: *v, lost: cloneLost(lost())})
	}
}

func cloneLost(l []FieldError) []FieldError { return append([]FieldError(nil), l...) }

func decodeAllHLD(doc []byte) decodedDoc {
	d := NewHostDetections(bytes.NewReader(doc))
	d.FreshRecords = true
	var out decodedDoc
	host := 0
	for {
		k, err := d.Next()
		if err == io.EOF {
			break
		}
		var re *RecordError
		if errors.As(err, &re) {
			out.records = append(out.records, decodedRecord{kind: kindName(k), group: -len(out.records) - 1, skipped: re})
			continue
		}
		if err != nil {
			out.err = err
			break
		}
		rec := decodedRecord{kind: kindName(k), group: host, lost: cloneLost(d.UnreadableFields())}
		switch k {
		case KindHostStart:
			host++
			rec.group, rec.value, rec.leads = host, *d.Host(), true
		case KindDetection:
			det := *d.Detection()
			det.Host = nil
			rec.value = det
		case KindHostEnd:
			rec.value, rec.lost = d.Host().ID, nil
		}
		out.records = append(out.records, rec)
	}
	return withPage(out, struct {
		Datetime any
		Warning  *Warning
	}{d.Datetime(), d.Warning()})
}

func kindName(k Kind) string { return fmt.Sprintf("kind%d", k) }

func withPage(out decodedDoc, page any) decodedDoc {
	out.records = append(out.records, decodedRecord{kind: "page", group: -1 << 30, value: page})
	return out
}

func decodeAllHostList(doc []byte) decodedDoc {
	d := NewHostList(bytes.NewReader(doc))
	var out decodedDoc
	for {
		k, err := d.Next()
		if err == io.EOF {
			break
		}
		var re *RecordError
		if errors.As(err, &re) {
			out.records = append(out.records, decodedRecord{kind: kindName(k), group: len(out.records), skipped: re})
			continue
		}
		if err != nil {
			out.err = err
			break
		}
		rec := decodedRecord{kind: kindName(k), group: len(out.records)}
		if k == KindHost {
			rec.value, rec.lost = *d.Host(), cloneLost(d.UnreadableFields())
		} else {
			rec.value = d.IDRange()
		}
		out.records = append(out.records, rec)
	}
	return withPage(out, struct {
		Datetime any
		Warning  *Warning
	}{d.Datetime(), d.Warning()})
}

func decodeAllHostAssets(doc []byte) decodedDoc {
	d := NewHostAssets(bytes.NewReader(doc))
	recs, err := readAll("asset", d.Read, d.UnreadableFields)
	return withPage(decodedDoc{records: recs, err: err}, d.Response())
}

func decodeAllKB(doc []byte) decodedDoc {
	d := NewKnowledgeBase(bytes.NewReader(doc))
	d.MaxTextBytes = DefaultMaxElementBytes
	recs, err := readAll("vuln", d.Read, d.UnreadableFields)
	return withPage(decodedDoc{records: recs, err: err}, struct {
		Datetime any
		Warning  *Warning
	}{d.Datetime(), d.Warning()})
}

func decodeAllSimpleReturn(doc []byte) decodedDoc {
	sr, err := DecodeSimpleReturn(bytes.NewReader(doc))
	if err != nil {
		return decodedDoc{err: err}
	}
	return decodedDoc{records: []decodedRecord{{kind: "page", value: *sr}}}
}

func decodeAllPostureXML(doc []byte) decodedDoc {
	d := NewPostureInfoList(bytes.NewReader(doc))
	var out decodedDoc
	for {
		k, err := d.Next()
		if err == io.EOF {
			break
		}
		var re *RecordError
		if errors.As(err, &re) {
			out.records = append(out.records, decodedRecord{kind: kindName(k), group: len(out.records), skipped: re})
			continue
		}
		if err != nil {
			out.err = err
			break
		}
		rec := decodedRecord{kind: kindName(k), group: len(out.records), lost: cloneLost(d.UnreadableFields())}
		switch k {
		case KindPosture:
			rec.value = *d.Info()
		case KindGlossaryHost:
			rec.value = *d.GlossaryHost()
		case KindControl:
			rec.value = *d.Control()
		case KindTechnology:
			rec.value = *d.Technology()
		case KindPolicy:
			rec.value = *d.Policy()
		}
		out.records = append(out.records, rec)
	}
	return withPage(out, struct {
		Datetime any
		Warning  *Warning
	}{d.Datetime(), d.Warning()})
}
