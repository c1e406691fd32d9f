// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualys // import "github.com/seed-d80aa3af/qualysreceiver/internal/qualys"

import (
	"context"
	"net/url"
	"time"
)

// KnowledgeBasePath is the KnowledgeBase API.
const KnowledgeBasePath = "/api/2.0/fo/knowledge_base/vuln/"

// KnowledgeBase requests the entries of qids, or (qids empty) every entry modified after since.
// details=All carries CVSS, the vendor references and the texts; the KnowledgeBase does not page.
func (c *Client) KnowledgeBase(ctx context.Context, qids []int64, since time.Time) (*Response, error) {
	v := url.Values{}
	v.Set("action", "list")
	v.Set("details", "All")
	if len(qids) > 0 {
		v.Set("ids", joinInts(qids))
	}
	if !since.IsZero() {
		v.Set("last_modified_after", qualysTime(since))
	}
	return c.Do(ctx, formRequest(APIServer, "knowledge_base", KnowledgeBasePath, v))
}
