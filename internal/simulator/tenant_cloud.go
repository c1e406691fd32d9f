// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import "fmt"

// CloudSource is what the asset-management host asset says about a cloud host's instance
// (sourceInfo): one shape for the three providers, written under each provider's element names.
type CloudSource struct {
	InstanceID   string // EC2 instanceId, Azure vmId, GCP instanceId
	InstanceType string // EC2 instanceType, Azure vmSize, GCP machineType
	ImageID      string // EC2 and GCP imageId; Azure has none
	Account      string // EC2 accountId, Azure subscriptionId, GCP projectId
	Region       string // EC2 region, Azure location; GCP has only the zone
	Zone         string // EC2 availabilityZone, GCP zone; Azure has none
	State        string // EC2 instanceState, Azure and GCP state
	// Tags are the instance's key/value cloud tags (EC2 and Azure: no GCP answer shows their shape).
	Tags [][2]string
}

var (
	awsRegions    = []string{"us-east-1", "us-west-2", "eu-central-1", "ap-southeast-2"}
	awsTypes      = []string{"t3.micro", "t3.large", "m5.xlarge", "c6i.2xlarge"}
	azureRegions  = []string{"westeurope", "eastus2", "centralindia", "westus2"}
	azureSizes    = []string{"Standard_B1s", "Standard_B1ms", "Standard_D2s_v3", "Standard_E4s_v5"}
	gcpZones      = []string{"us-central1-a", "europe-west1-b", "asia-east1-c"}
	gcpTypes      = []string{"e2-medium", "n2-standard-4", "e2-small"}
	cloudStates   = []string{"RUNNING", "RUNNING", "RUNNING", "STOPPED"}
	azureStates   = []string{"SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "DEALLOCATED"}
	gcpImageNames = []string{"debian-12-bookworm-v20240110", "ubuntu-2204-jammy-v20240119", "rhel-9-v20240110"}
	cloudOwners   = []string{"platform-team", "payments", "data-eng"}
	cloudEnvs     = []string{"prod", "staging", "dev"}
)

// fillCloudSource draws the host's instance facts from a stream of its own, so adding them
// changed no other generated value.
func (t *Tenant) fillCloudSource(h *Host) {
	r := newRNG(t.seed, kindCloud, uint64(h.Index), 0)
	c := &h.Cloud
	switch h.CloudProvider {
	case "AWS":
		c.InstanceID, c.Region = h.EC2InstanceID, r.pick(awsRegions)
		c.Zone = c.Region + string(rune('a'+r.intn(3)))
		c.InstanceType, c.ImageID = r.pick(awsTypes), fmt.Sprintf("ami-0%016x", r.next())
		c.Account, c.State = fmt.Sprintf("%012d", 100_000_000_000+t.seed%800_000_000_000), r.pick(cloudStates)
	case "Azure":
		c.InstanceID, c.Region = uuidFrom(r.next(), r.next()), r.pick(azureRegions)
		c.InstanceType, c.Account, c.State = r.pick(azureSizes), uuidFrom(t.seed, 7), r.pick(azureStates)
	case "GCP":
		c.InstanceID, c.Zone = h.CloudResource, r.pick(gcpZones)
		c.InstanceType, c.Account, c.State = r.pick(gcpTypes), fmt.Sprintf("tenant-%d-prod", t.seed%1000), r.pick(cloudStates)
		c.ImageID = r.pick(gcpImageNames)
		return
	}
	c.Tags = [][2]string{{"Owner", r.pick(cloudOwners)}, {"Environment", r.pick(cloudEnvs)}}
}

// writeSourceInfo writes HostAsset/sourceInfo as QPS does: the provider's source for a cloud host,
// an empty AssetSource for any other.
func writeSourceInfo(o *out, h *Host) {
	o.open(3, "sourceInfo")
	o.open(4, "list")
	c := &h.Cloud
	switch h.CloudProvider {
	case "AWS":
		o.open(5, "Ec2AssetSourceSimple")
		writeSourceHead(o, h, "EC_2")
		writeCloudTags(o, "ec2InstanceTags", "EC2Tags", c.Tags)
		o.text(6, "availabilityZone", c.Zone)
		o.text(6, "privateDnsName", h.Hostname+"."+h.Domain)
		o.text(6, "instanceId", c.InstanceID)
		o.text(6, "instanceType", c.InstanceType)
		o.text(6, "instanceState", c.State)
		o.text(6, "accountId", c.Account)
		o.text(6, "region", c.Region)
		o.text(6, "imageId", c.ImageID)
		o.text(6, "privateIpAddress", h.IP)
		o.close(5, "Ec2AssetSourceSimple")
	case "Azure":
		o.open(5, "AzureAssetSourceSimple")
		writeSourceHead(o, h, "AZURE")
		writeCloudTags(o, "azureVmTags", "AzureTags", c.Tags)
		o.text(6, "name", fmt.Sprintf("vm-%d", h.Index))
		o.text(6, "location", c.Region)
		o.text(6, "vmSize", c.InstanceType)
		o.text(6, "vmId", c.InstanceID)
		o.text(6, "state", c.State)
		o.text(6, "osType", h.OSFamily)
		o.text(6, "subscriptionId", c.Account)
		o.text(6, "resourceGroupName", "rg-prod")
		o.text(6, "privateIpAddress", h.IP)
		o.close(5, "AzureAssetSourceSimple")
	case "GCP":
		o.open(5, "GcpAssetSourceSimple")
		writeSourceHead(o, h, "GCP")
		o.text(6, "instanceId", c.InstanceID)
		o.text(6, "machineType", c.InstanceType)
		o.text(6, "imageId", c.ImageID)
		o.text(6, "projectId", c.Account)
		o.text(6, "zone", c.Zone)
		o.text(6, "state", c.State)
		o.text(6, "privateIpAddress", h.IP)
		o.close(5, "GcpAssetSourceSimple")
	default:
		o.raw(indent(5) + "<AssetSource />\n")
	}
	o.close(4, "list")
	o.close(3, "sourceInfo")
}

func writeSourceHead(o *out, h *Host, typ string) {
	o.uintElem(6, "assetId", h.AssetID)
	o.text(6, "type", typ)
	o.date(6, "firstDiscovered", h.FirstFound)
	o.date(6, "lastUpdated", h.Modified)
}

// writeCloudTags writes <name><tags><list><item><key/><value/></item>...</list></tags></name>, the
// shape of the recorded Azure answer's azureVmTags.
func writeCloudTags(o *out, name, item string, tags [][2]string) {
	if len(tags) == 0 {
		return
	}
	o.open(6, name)
	o.open(7, "tags")
	o.open(8, "list")
	for _, kv := range tags {
		o.open(9, item)
		o.text(10, "key", kv[0])
		o.text(10, "value", kv[1])
		o.close(9, item)
	}
	o.close(8, "list")
	o.close(7, "tags")
	o.close(6, name)
}
