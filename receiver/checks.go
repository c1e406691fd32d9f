// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver // import "github.com/seed-d80aa3af/qualysreceiver/receiver"

import (
	"github.com/seed-d80aa3af/qualysreceiver/internal/pull"
	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
)

// checked is a stream with start-up checks. They run before its first poll and again after a poll
// that failed on credentials or permissions; a stream whose check fails skips that poll.
type checked interface {
	Checks() []pull.Check
}

// The scheduler's names for how a poll error reads to the operator (see
// internal/qualys/operator.go).
var (
	operatorMessage = qualys.OperatorMessage
	needsCheckAgain = qualys.NeedsCheckAgain
	errKind         = qualys.ErrKindName
)
