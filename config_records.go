// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualysreceiver // import "github.com/seed-d80aa3af/qualysreceiver"

import (
	"fmt"
	"strings"

	"github.com/seed-d80aa3af/qualysreceiver/internal/convert"
)

// BodyMode is the body key: summary (one line a person reads) or none.
type BodyMode string

// UnmarshalText accepts any letter case.
func (m *BodyMode) UnmarshalText(text []byte) error {
	*m = BodyMode(strings.ToLower(strings.TrimSpace(string(text))))
	return nil
}

func (m BodyMode) Validate() error {
	if m != BodyMode(convert.BodySummary) && m != BodyMode(convert.BodyNone) {
		return fmt.Errorf("%q is not one of summary, none", string(m))
	}
	return nil
}

// TimestampMode is the timestamp key: poll (the start of the poll that emitted the record) or
// qualys (the record's own Qualys date).
type TimestampMode string

// UnmarshalText accepts any letter case.
func (m *TimestampMode) UnmarshalText(text []byte) error {
	*m = TimestampMode(strings.ToLower(strings.TrimSpace(string(text))))
	return nil
}

func (m TimestampMode) Validate() error {
	if m != TimestampMode(convert.TimestampPoll) && m != TimestampMode(convert.TimestampQualys) {
		return fmt.Errorf("%q is not one of poll, qualys", string(m))
	}
	return nil
}

// recordOptions are the body and timestamp choices as the converters take them.
func (cfg *Config) recordOptions() convert.RecordOptions {
	return convert.RecordOptions{Body: convert.BodyMode(cfg.Body), Timestamp: convert.TimestampMode(cfg.Timestamp)}
}
