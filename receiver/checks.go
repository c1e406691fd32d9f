// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver // import "github.com/seed-d80aa3af/qualysreceiver/receiver"

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
)

// Check is one cheap authenticated call that proves a stream can do its work: the API it needs
// answers, and the user may use it.
type Check struct {
	// What names the API in the operator's words, e.g. "KnowledgeBase".
	What string
	Run  func(ctx context.Context) error
}

// Checked is a stream with start-up checks. They run before its first poll and again after a poll
// that failed on credentials or permissions; a stream whose check fails skips that poll.
type Checked interface {
	Checks() []Check
}

// OperatorMessage says what went wrong in a check and how to fix it, for example
// "vulnerabilities: KnowledgeBase access denied (HTTP 409, code 2003): the Qualys user has not
// completed registration; log in once to the Qualys console".
func OperatorMessage(stream, what string, err error) string {
	var qe *qualys.Error
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
	case qualys.KindAuth:
		verb = "login failed"
		if qe.Code != 0 {
			verb = "access denied"
		}
	case qualys.KindPermission:
		verb = "access denied"
	case qualys.KindRequest:
		verb = "request rejected"
	case qualys.KindTransient:
		verb = "unreachable"
	case qualys.KindResponse:
		verb = "answer unreadable"
	case qualys.KindTLS:
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

// needsCheckAgain says whether a poll error calls for the start-up checks before the next poll:
// credentials, account, permissions or trust settings changed.
func needsCheckAgain(err error) bool {
	return err != nil && qualys.RecoveryOf(err) == qualys.RecoverAfterFix
}

// closeBody runs a call and closes its answer unread: a check needs the verdict, not the data.
func closeBody(resp *qualys.Response, err error) error {
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// Checks of the Qualys APIs, shared by the streams.

func apiServerLoginCheck(c *qualys.Client) Check {
	return Check{What: "API server", Run: func(ctx context.Context) error { return closeBody(c.About(ctx)) }}
}

func hostListCheck(c *qualys.Client) Check {
	return Check{What: "Host List", Run: func(ctx context.Context) error {
		return closeBody(c.Hosts(ctx, qualys.HostQuery{PageSize: 1}, qualys.IDRange{}))
	}}
}

func detectionsCheck(c *qualys.Client) Check {
	return Check{What: "VM detections", Run: func(ctx context.Context) error {
		return closeBody(c.HostDetections(ctx, qualys.DetectionQuery{PageSize: 1}, qualys.IDRange{}))
	}}
}

// knowledgeBaseQID is asked for by the KnowledgeBase check: QID 6 ("DNS Host Name") exists in every
// KnowledgeBase, and one entry is a small answer.
const knowledgeBaseQID = 6

func knowledgeBaseCheck(c *qualys.Client) Check {
	return Check{What: "KnowledgeBase", Run: func(ctx context.Context) error {
		return closeBody(c.KnowledgeBase(ctx, []int64{knowledgeBaseQID}, time.Time{}))
	}}
}

func hostAssetsCheck(c *qualys.Client) Check {
	return Check{What: "asset inventory", Run: func(ctx context.Context) error {
		return closeBody(c.HostAssets(ctx, qualys.HostAssetQuery{PageSize: 1}))
	}}
}

func gatewayLoginCheck(c *qualys.Client) Check {
	return Check{What: "API gateway", Run: c.GatewayLogin}
}
