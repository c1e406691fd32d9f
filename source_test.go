// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualysreceiver

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/component"

	"github.com/seed-d80aa3af/qualysreceiver/internal/convert"
	"github.com/seed-d80aa3af/qualysreceiver/internal/metadata"
)

// The source on every resource is the API server's host (from api_url, else the platform) and the
// receiver's id; each is left out when its resource attribute is disabled.
func TestSourceNamesTheSubscription(t *testing.T) {
	us := component.NewIDWithName(metadata.Type, "us")
	cfg := createDefaultConfig().(*Config)
	cfg.Platform = "EU1"
	assert.Equal(t, convert.Source{APIServer: "qualysapi.qualys.eu", ReceiverID: "qualys/us"}, cfg.source(us))

	cfg.APIURL = "https://qualysapi.private.example:8443/"
	assert.Equal(t, convert.Source{APIServer: "qualysapi.private.example", ReceiverID: "qualys/us"}, cfg.source(us))

	cfg.MetricsBuilder.ResourceAttributes.ServerAddress.Enabled = false
	assert.Equal(t, convert.Source{ReceiverID: "qualys"}, cfg.source(component.NewID(metadata.Type)))
	cfg.MetricsBuilder.ResourceAttributes.QualysReceiverID.Enabled = false
	assert.Equal(t, convert.Source{}, cfg.source(us))
}
