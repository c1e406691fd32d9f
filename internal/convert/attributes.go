// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package convert // import "github.com/seed-d80aa3af/qualysreceiver/internal/convert"

// Attribute names, in one place. The ladder: OpenTelemetry semantic conventions where they exist
// (host.*, os.*, cloud.*, network.*, server.*), ECS where OTel has nothing yet (vulnerability.*),
// qualys.* for the rest. README.md's schema table lists each with its type and Qualys source.

// Event names.
const (
	EventAsset     = "qualys.asset"
	EventDetection = "qualys.vulnerability.detection"
	EventPosture   = "qualys.compliance.posture"
)

// Host identity (resource attributes), the same in every stream.
const (
	AttrQualysHostID    = "qualys.host.id"
	AttrQualysAssetID   = "qualys.asset.id"
	AttrHostName        = "host.name"
	AttrHostIP          = "host.ip"
	AttrHostMAC         = "host.mac"
	AttrOSType          = "os.type"
	AttrOSDescription   = "os.description"
	AttrCloudProvider   = "cloud.provider"
	AttrCloudResourceID = "cloud.resource_id"
)

// Source (resource attributes): the subscription a record or metric came from, so two receivers
// polling two subscriptions never share a resource.
const (
	AttrServerAddress = "server.address"
	AttrReceiverID    = "qualys.receiver.id"
)

// Cloud facts of an asset's resource, from its host asset's cloud source (assets stream only).
const (
	AttrCloudRegion    = "cloud.region"
	AttrCloudZone      = "cloud.availability_zone"
	AttrCloudAccountID = "cloud.account.id"
	AttrHostID         = "host.id"
	AttrHostType       = "host.type"
	AttrHostImageID    = "host.image.id"
)

// Detection log record attributes.
const (
	AttrQID                    = "qualys.qid"
	AttrDetectionType          = "qualys.detection.type"
	AttrDetectionStatus        = "qualys.detection.status"
	AttrSeverity               = "qualys.severity"
	AttrDetectionUniqueID      = "qualys.detection.unique_id"
	AttrServerPort             = "server.port"
	AttrNetworkTransport       = "network.transport"
	AttrDetectionSSL           = "qualys.detection.ssl"
	AttrDetectionInstance      = "qualys.detection.instance"
	AttrDetectionService       = "qualys.detection.service"
	AttrDetectionFQDN          = "qualys.detection.fqdn"
	AttrDetectionFirstFound    = "qualys.detection.first_found"
	AttrDetectionLastFound     = "qualys.detection.last_found"
	AttrDetectionLastTest      = "qualys.detection.last_test"
	AttrDetectionLastUpdate    = "qualys.detection.last_update"
	AttrDetectionLastFixed     = "qualys.detection.last_fixed"
	AttrDetectionLastProcessed = "qualys.detection.last_processed"
	AttrDetectionFirstReopened = "qualys.detection.first_reopened"
	AttrDetectionLastReopened  = "qualys.detection.last_reopened"
	AttrDetectionTimesReopened = "qualys.detection.times_reopened"
	AttrDetectionTimesFound    = "qualys.detection.times_found"
	AttrDetectionQDS           = "qualys.detection.qds.score"
	AttrDetectionQDSSeverity   = "qualys.detection.qds.severity"
	AttrDetectionQDSFactors    = "qualys.detection.qds.factors"
	AttrDetectionResults       = "qualys.detection.results"
	AttrDetectionResultsCut    = "qualys.detection.results_truncated"
	AttrDetectionIgnored       = "qualys.detection.ignored"
	AttrDetectionDisabled      = "qualys.detection.disabled"
	AttrDetectionRunningKernel = "qualys.detection.affect_running_kernel"
	// Only when true, like the kernel flag.
	AttrDetectionRunningService    = "qualys.detection.affect_running_service"
	AttrDetectionExploitableConfig = "qualys.detection.affect_exploitable_config"

	// From the KnowledgeBase entry of the QID, when known.
	AttrVulnDescription    = "vulnerability.description"
	AttrVulnCategory       = "vulnerability.category"
	AttrVulnID             = "vulnerability.id"
	AttrVulnEnumeration    = "vulnerability.enumeration"
	AttrVulnScoreBase      = "vulnerability.score.base"
	AttrVulnScoreVersion   = "vulnerability.score.version"
	AttrVulnSeverity       = "vulnerability.severity"
	AttrVulnClassification = "vulnerability.classification"
	AttrVulnScannerVendor  = "vulnerability.scanner.vendor"
	AttrVulnReference      = "vulnerability.reference"
	AttrCVSS3Base          = "qualys.vulnerability.cvss3.base"
	AttrCVSS3Temporal      = "qualys.vulnerability.cvss3.temporal"
	AttrCVSS3Vector        = "qualys.vulnerability.cvss3.vector"
	AttrCVSS2Base          = "qualys.vulnerability.cvss2.base"
	AttrCVSS2Temporal      = "qualys.vulnerability.cvss2.temporal"
	AttrCVSS2Vector        = "qualys.vulnerability.cvss2.vector"
	AttrVulnThreatIntel    = "qualys.vulnerability.threat_intel"
	AttrVulnSoftware       = "qualys.vulnerability.software"
	AttrVulnPCIFlag        = "qualys.vulnerability.pci_flag"
	// Only with knowledge_base::include_text.
	AttrVulnDiagnosis   = "qualys.vulnerability.diagnosis"
	AttrVulnConsequence = "qualys.vulnerability.consequence"
	AttrVulnSolution    = "qualys.vulnerability.solution"
	AttrVulnPatchable   = "qualys.vulnerability.patchable"
	AttrVulnPublished   = "qualys.vulnerability.published"
	AttrVulnType        = "qualys.vulnerability.type"
)

// Asset log record attributes.
const (
	AttrAssetTags             = "qualys.asset.tags"
	AttrAssetTrackingMethod   = "qualys.asset.tracking_method"
	AttrAssetSerialNumber     = "qualys.asset.serial_number"
	AttrAssetFQDN             = "qualys.asset.fqdn"
	AttrAssetNetBIOS          = "qualys.asset.netbios"
	AttrAssetGateways         = "qualys.asset.gateway_addresses"
	AttrAssetInterfaces       = "qualys.asset.interfaces"
	AttrAssetCriticality      = "qualys.asset.criticality.score"
	AttrAssetTruRisk          = "qualys.asset.trurisk.score"
	AttrAssetLastVMScan       = "qualys.asset.last_vm_scan"
	AttrAssetLastVMAuthScan   = "qualys.asset.last_vm_auth_scan"
	AttrAssetLastPCScan       = "qualys.asset.last_compliance_scan"
	AttrAssetLastActivity     = "qualys.asset.last_activity"
	AttrAssetFirstFound       = "qualys.asset.first_found"
	AttrAssetModified         = "qualys.asset.modified"
	AttrAssetAgentStatus      = "qualys.asset.agent.status"
	AttrAssetNetworkID        = "qualys.asset.network_id"
	AttrAssetQGHostID         = "qualys.asset.qg_host_id"
	AttrAssetCloudService     = "qualys.asset.cloud.service"
	AttrAssetCloudState       = "qualys.asset.cloud.state"
	AttrAssetCloudTags        = "qualys.asset.cloud.tags"
	AttrAssetName             = "qualys.asset.name"
	AttrAssetLastBoot         = "qualys.asset.last_boot"
	AttrAssetHardwareUUID     = "qualys.asset.hardware_uuid"
	AttrAssetRiskScore        = "qualys.asset.risk.score"
	AttrAssetOSCPE            = "qualys.asset.os.cpe"
	AttrAssetAgentID          = "qualys.asset.agent.id"
	AttrAssetAgentVersion     = "qualys.asset.agent.version"
	AttrInterfaceName         = "name"
	AttrInterfaceMAC          = "mac"
	AttrInterfaceAddress      = "address"
	AttrInterfaceGateway      = "gateway"
	AttrInterfaceHostname     = "hostname"
	AttrInterfaceTypeOfMember = "type"
)

// Keys of each map of qualys.vulnerability.software.
const (
	AttrSoftwareVendor  = "vendor"
	AttrSoftwareProduct = "product"
)

// Posture log record attributes.
const (
	AttrPostureID             = "qualys.posture.id"
	AttrPolicyID              = "qualys.policy.id"
	AttrPolicyTitle           = "qualys.policy.title"
	AttrControlID             = "qualys.control.id"
	AttrControlStatement      = "qualys.control.statement"
	AttrControlCriticality    = "qualys.control.criticality.label"
	AttrControlCriticalityVal = "qualys.control.criticality.value"
	AttrTechnologyID          = "qualys.technology.id"
	AttrTechnologyName        = "qualys.technology.name"
	AttrPostureInstance       = "qualys.posture.instance"
	AttrPostureStatus         = "qualys.posture.status"
	AttrPosturePrevious       = "qualys.posture.previous_status"
	AttrPostureFirstPass      = "qualys.posture.first_pass"
	AttrPostureLastPass       = "qualys.posture.last_pass"
	AttrPostureFirstFail      = "qualys.posture.first_fail"
	AttrPostureLastFail       = "qualys.posture.last_fail"
	AttrPostureEvaluated      = "qualys.posture.last_evaluated"
	AttrPostureModified       = "qualys.posture.modified"
	AttrPostureCreated        = "qualys.posture.created"
	AttrPostureEvidence       = "qualys.posture.evidence"
	AttrPostureCauseOfFailure = "qualys.posture.cause_of_failure"
	AttrPostureRationale      = "qualys.control.rationale"
	AttrPostureRemediation    = "qualys.control.remediation"
)
