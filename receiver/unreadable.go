// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver // import "github.com/seed-d80aa3af/qualysreceiver/receiver"

import (
	"cmp"

	"go.uber.org/zap"

	"github.com/seed-d80aa3af/qualysreceiver/internal/decode"
)

// reasonFieldUnreadable is the records_altered reason of a record emitted without a field that
// Qualys sent but the decoder could not read (a malformed number, date or flag).
const reasonFieldUnreadable = "field_unreadable"

// unreadableFields tallies the records of one page emitted without a field, for one count and
// one warn line per page that names the first such field and its host.
type unreadableFields struct {
	records int
	first   decode.FieldError
	hostID  int64
	// idKey names the id in the warn line: host_id unless set (qid for KnowledgeBase entries).
	idKey string
}

// add counts a record emitted without the fields in lost, if any; hostID is its host.
func (u *unreadableFields) add(lost []decode.FieldError, hostID int64) {
	if len(lost) == 0 {
		return
	}
	if u.records == 0 {
		u.first, u.hostID = lost[0], hostID
	}
	u.records++
}

// report counts and logs the page's records, then starts over.
func (u *unreadableFields) report(t *Telemetry, logger *zap.Logger, stream, endpoint string, fields ...zap.Field) {
	if u.records == 0 {
		return
	}
	t.recordsAltered(stream, reasonFieldUnreadable, u.records)
	logger.Warn("Fields Qualys sent could not be read; the records go out without them",
		append([]zap.Field{
			zap.String("endpoint", endpoint), zap.Int("records", u.records),
			zap.String("element", u.first.Path), zap.String("value", u.first.Value),
			zap.NamedError("cause", u.first.Err), zap.Int64(cmp.Or(u.idKey, "host_id"), u.hostID),
		}, fields...)...)
	*u = unreadableFields{idKey: u.idKey}
}

// firstLost keeps the first unreadable field of each record by id, for records that are emitted
// later, after the whole page was read.
type firstLost map[int64]decode.FieldError

func (m firstLost) note(id int64, lost []decode.FieldError) {
	if _, seen := m[id]; !seen && len(lost) > 0 {
		m[id] = lost[0]
	}
}

// of is the record's unreadable field as a list for unreadableFields.add: empty when none.
func (m firstLost) of(id int64) []decode.FieldError {
	if fe, ok := m[id]; ok {
		return []decode.FieldError{fe}
	}
	return nil
}
