// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package pull // import "github.com/seed-d80aa3af/qualysreceiver/internal/pull"

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

// CloseBody runs a call and closes its answer unread: a check needs the verdict, not the data.
func CloseBody(resp *qualys.Response, err error) error {
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// Checks of the Qualys APIs, shared by the streams.

func APIServerLoginCheck(c *qualys.Client) Check {
	return Check{What: "API server", Run: func(ctx context.Context) error { return CloseBody(c.About(ctx)) }}
}

func HostListCheck(c *qualys.Client) Check {
	return Check{What: "Host List", Run: func(ctx context.Context) error {
		return CloseBody(c.Hosts(ctx, qualys.HostQuery{PageSize: 1}, qualys.IDRange{}))
	}}
}

func DetectionsCheck(c *qualys.Client) Check {
	return Check{What: "VM detections", Run: func(ctx context.Context) error {
		return CloseBody(c.HostDetections(ctx, qualys.DetectionQuery{PageSize: 1}, qualys.IDRange{}))
	}}
}

// knowledgeBaseQID is asked for by the KnowledgeBase check: QID 6 ("DNS Host Name") exists in every
// KnowledgeBase, and one entry is a small answer.
const knowledgeBaseQID = 6

func KnowledgeBaseCheck(c *qualys.Client) Check {
	return Check{What: "KnowledgeBase", Run: func(ctx context.Context) error {
		return CloseBody(c.KnowledgeBase(ctx, []int64{knowledgeBaseQID}, time.Time{}))
	}}
}

func HostAssetsCheck(c *qualys.Client) Check {
	return Check{What: "asset inventory", Run: func(ctx context.Context) error {
		return CloseBody(c.HostAssets(ctx, qualys.HostAssetQuery{PageSize: 1}))
	}}
}

func GatewayLoginCheck(c *qualys.Client) Check {
	return Check{What: "API gateway", Run: c.GatewayLogin}
}
