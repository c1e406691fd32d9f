// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

// CloudSource is one cloud entry of HostAsset/sourceInfo/list: Ec2AssetSourceSimple,
// AzureAssetSourceSimple or GcpAssetSourceSimple. Each names the same facts differently, so they
// are read into one shape; fields a provider does not have stay empty.
type CloudSource struct {
	// Provider is aws, azure or gcp, from the element's name.
	Provider string
	// Type is the type child as QPS sends it (EC_2, AZURE, GCP).
	Type string
	// InstanceID is instanceId (EC2, GCP) or vmId (Azure).
	InstanceID string
	// InstanceType is instanceType (EC2), vmSize (Azure) or machineType (GCP).
	InstanceType string
	// ImageID is imageId (EC2, GCP); Azure names its image by publisher, offer and version.
	ImageID string
	// AccountID is accountId (EC2), subscriptionId (Azure) or projectId (GCP).
	AccountID string
	// Region is region (EC2) or location (Azure); GCP gives only its zone.
	Region string
	// Zone is availabilityZone, else zone (EC2, GCP).
	Zone string
	// State is instanceState (EC2) or state (Azure, GCP): RUNNING, STOPPED, DEALLOCATED, ...
	State string
	// Tags are the instance's cloud tags: ec2InstanceTags, azureVmTags or gcpInstanceTags.
	Tags []CloudTag
}

// CloudTag is one key/value tag of a cloud instance.
type CloudTag struct {
	Key   string
	Value string
}

// cloudSourceProviders maps the sourceInfo list items to the provider they describe.
var cloudSourceProviders = map[string]string{
	"Ec2AssetSourceSimple":   "aws",
	"AzureAssetSourceSimple": "azure",
	"GcpAssetSourceSimple":   "gcp",
}

// sourceInfo reads sourceInfo/list. Entries that are not cloud sources (AssetSource, which
// non-cloud assets carry empty) are skipped.
func (s *scanner) sourceInfo(dst []CloudSource) []CloudSource {
	if s.empty {
		return dst
	}
	for s.next() == tokStart {
		if string(s.name) != "list" || s.empty {
			s.skip()
			continue
		}
		for s.next() == tokStart {
			provider, ok := cloudSourceProviders[string(s.name)]
			if !ok || s.empty {
				s.skip()
				continue
			}
			c := CloudSource{Provider: provider}
			for s.next() == tokStart {
				s.cloudSourceField(&c)
			}
			dst = append(dst, c)
		}
	}
	return dst
}

func (s *scanner) cloudSourceField(c *CloudSource) {
	switch string(s.name) {
	case "type":
		c.Type = s.intern()
	case "instanceId", "vmId":
		c.InstanceID = s.str()
	case "instanceType", "vmSize", "machineType":
		c.InstanceType = s.intern()
	case "imageId":
		c.ImageID = s.intern()
	case "accountId", "subscriptionId", "projectId":
		c.AccountID = s.intern()
	case "region", "location":
		c.Region = s.intern()
	case "availabilityZone":
		c.Zone = s.intern()
	case "zone":
		if c.Zone == "" {
			c.Zone = s.intern()
		} else {
			s.skip()
		}
	case "instanceState", "state":
		c.State = s.intern()
	case "ec2InstanceTags", "azureVmTags", "gcpInstanceTags":
		c.Tags = s.cloudTags(c.Tags, 0)
	default:
		s.skip()
	}
}

// cloudTags reads the key/value items of ec2InstanceTags, azureVmTags or gcpInstanceTags, which
// sit under tags/list whatever each provider names its items (EC2Tags, AzureTags, ...).
func (s *scanner) cloudTags(dst []CloudTag, depth int) []CloudTag {
	if s.empty {
		return dst
	}
	for s.next() == tokStart {
		switch name := string(s.name); {
		case s.empty:
			s.skip()
		case depth < 2 && (name == "tags" || name == "list"):
			dst = s.cloudTags(dst, depth+1)
		default:
			var t CloudTag
			for s.next() == tokStart {
				switch string(s.name) {
				case "key":
					t.Key = s.str()
				case "value":
					t.Value = s.str()
				default:
					s.skip()
				}
			}
			if t.Key != "" {
				dst = append(dst, t)
			}
		}
	}
	return dst
}
