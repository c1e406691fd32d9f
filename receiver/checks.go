// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver // import "github.com/seed-d80aa3af/qualysreceiver/receiver"

import (
	"context"
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

// The scheduler's names for how a poll error reads to the operator (see
// internal/qualys/operator.go).
var (
	OperatorMessage = qualys.OperatorMessage
	needsCheckAgain = qualys.NeedsCheckAgain
	errKind         = qualys.ErrKindName
)

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
