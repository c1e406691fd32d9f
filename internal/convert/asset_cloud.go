// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package convert // import "github.com/seed-d80aa3af/qualysreceiver/internal/convert"

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/seed-d80aa3af/qualysreceiver/internal/decode"
)

// CloudSource is the host asset's first cloud source (EC2, Azure or GCP), nil without one.
func (a Asset) CloudSource() *decode.CloudSource {
	if a.HostAsset == nil || len(a.HostAsset.CloudSources) == 0 {
		return nil
	}
	return &a.HostAsset.CloudSources[0]
}

// putCloud writes the cloud facts of the asset's cloud source as the semantic conventions name
// them. cloud.provider is Host List's when it has one, as on the host's other streams.
func (a Asset) putCloud(attrs pcommon.Map) {
	src := a.CloudSource()
	if src == nil {
		putStr(attrs, AttrHostID, a.Host.EC2InstanceID)
		return
	}
	if _, ok := attrs.Get(AttrCloudProvider); !ok {
		attrs.PutStr(AttrCloudProvider, src.Provider)
	}
	putStr(attrs, AttrCloudRegion, cloudRegion(src))
	putStr(attrs, AttrCloudZone, src.Zone)
	putStr(attrs, AttrCloudAccountID, src.AccountID)
	putStr(attrs, AttrHostID, first(src.InstanceID, a.Host.EC2InstanceID))
	putStr(attrs, AttrHostType, src.InstanceType)
	putStr(attrs, AttrHostImageID, src.ImageID)
}

// cloudRegion is the source's region; GCP gives only the zone, whose region is the zone without
// its last part (europe-west1-b is in europe-west1).
func cloudRegion(src *decode.CloudSource) string {
	if src.Region != "" || src.Provider != "gcp" {
		return src.Region
	}
	if i := strings.LastIndexByte(src.Zone, '-'); i > 0 {
		return src.Zone[:i]
	}
	return ""
}

// putCloudTags writes the instance's cloud tags as a map; a key listed twice keeps its last value.
func putCloudTags(attrs pcommon.Map, tags []decode.CloudTag) {
	if len(tags) == 0 {
		return
	}
	m := attrs.PutEmptyMap(AttrAssetCloudTags)
	m.EnsureCapacity(len(tags))
	for _, t := range tags {
		m.PutStr(t.Key, t.Value)
	}
}
