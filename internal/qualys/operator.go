// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualys // import "github.com/seed-d80aa3af/qualysreceiver/internal/qualys"

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// OperatorMessage says what went wrong in a check and how to fix it, for example
// "vulnerabilities: KnowledgeBase access denied (HTTP 409, code 2003): the Qualys user has not
// completed registration; log in once to the Qualys console".
func OperatorMessage(stream, what string, err error) string {
	var qe *Error
	if !errors.As(err, &qe) {
		return fmt.Sprintf("%s: %s failed: %v", stream, what, err)
	}
	var status []string
	if qe.StatusCode != 0 {
		status = append(status, fmt.Sprintf("HTTP %d", qe.StatusCode))
	}
	if qe.Code != 0 {
		status = append(status, fmt.Sprintf("code %d", qe.Code))
	}
	verb := "failed"
	switch qe.Kind {
	case KindAuth:
		verb = "login failed"
		if qe.Code != 0 {
			verb = "access denied"
		}
	case KindPermission:
		verb = "access denied"
	case KindRequest:
		verb = "request rejected"
	case KindTransient:
		verb = "unreachable"
	case KindResponse:
		verb = "answer unreadable"
	case KindTLS:
		verb = "certificate not trusted"
	}
	detail := qe.Hint
	if detail == "" {
		detail = strings.TrimSpace(qe.Text)
	}
	if detail == "" && qe.Err != nil {
		detail = qe.Err.Error()
	}
	msg := fmt.Sprintf("%s: %s %s", stream, what, verb)
	if len(status) > 0 {
		msg += " (" + strings.Join(status, ", ") + ")"
	}
	if detail != "" {
		msg += ": " + detail
	}
	return msg
}

// NeedsCheckAgain says whether a poll error calls for the start-up checks before the next poll:
// credentials, account, permissions or trust settings changed.
func NeedsCheckAgain(err error) bool {
	return RecoveryOf(err) == RecoverAfterFix
}

// ErrKindName names a poll error for telemetry; "" for none.
func ErrKindName(err error) string {
	if err == nil {
		return ""
	}
	var qe *Error
	if errors.As(err, &qe) {
		return qe.Kind.String()
	}
	if errors.Is(err, context.Canceled) {
		return "shutdown"
	}
	return "other"
}
