// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package telemetry // import "github.com/seed-d80aa3af/qualysreceiver/internal/telemetry"

import (
	"cmp"

	"go.uber.org/zap"

	"github.com/seed-d80aa3af/qualysreceiver/internal/decode"
)

// reasonFieldUnreadable is the records_altered reason of a record emitted without a field that
// Qualys sent but the decoder could not read (a malformed number, date or flag).
const reasonFieldUnreadable = "field_unreadable"

// UnreadableFields tallies the records of one page emitted without a field, for one count and
// one warn line per page that names the first such field and its host.
type UnreadableFields struct {
	records int
	first   decode.FieldError
	hostID  int64
	// IDKey names the id in the warn line: host_id unless set (qid for KnowledgeBase entries).
	IDKey string
}

// Add counts a record emitted without the fields in lost, if any; hostID is its host.
func (u *UnreadableFields) Add(lost []decode.FieldError, hostID int64) {
	if len(lost) == 0 {
		return
	}
	if u.records == 0 {
		u.first, u.hostID = lost[0], hostID
	}
	u.records++
}

// Report counts and logs the page's records, then starts over.
func (u *UnreadableFields) Report(t *Telemetry, logger *zap.Logger, stream, endpoint string, fields ...zap.Field) {
	if u.records == 0 {
		return
	}
	t.RecordsAltered(stream, reasonFieldUnreadable, u.records)
	logger.Warn("Fields Qualys sent could not be read; the records go out without them",
		append([]zap.Field{
			zap.String("endpoint", endpoint), zap.Int("records", u.records),
			zap.String("element", u.first.Path), zap.String("value", u.first.Value),
			zap.NamedError("cause", u.first.Err), zap.Int64(cmp.Or(u.IDKey, "host_id"), u.hostID),
		}, fields...)...)
	*u = UnreadableFields{IDKey: u.IDKey}
}

// FirstLost keeps the first unreadable field of each record by id, for records that are emitted
// later, after the whole page was read.
type FirstLost map[int64]decode.FieldError

func (m FirstLost) Note(id int64, lost []decode.FieldError) {
	if _, seen := m[id]; !seen && len(lost) > 0 {
		m[id] = lost[0]
	}
}

// Of is the record's unreadable field as a list for UnreadableFields.Add: empty when none.
func (m FirstLost) Of(id int64) []decode.FieldError {
	if fe, ok := m[id]; ok {
		return []decode.FieldError{fe}
	}
	return nil
}
