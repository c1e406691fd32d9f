// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

// Package simulator is a faithful, deterministic stand-in for the Qualys APIs the receiver polls:
// Host List Detection, Host List, Asset Management host assets (QPS), the KnowledgeBase, classic
// posture info and policy list, /msp/about.php, and on the gateway the JWT /auth call and the PC
// posture streaming APIs (PCRS). It powers `make run`, every test, the benchmarks and the fault
// matrix.
//
// It is the independent oracle for the receiver's decoders, so it shares no code with them: it
// writes its XML and JSON by hand, in the shapes of the real samples under shared/qualys-samples
// (declaration, DOCTYPE, two-space indentation, CDATA text fields, the CONFIDENTIAL AND
// PROPRIETARY trailer).
//
// A Tenant computes every host, detection, KnowledgeBase entry, tag, policy, control and posture
// on demand from (seed, index) with splitmix64, so a tenant of millions of detections costs no
// memory and host i is the same on every call. Small override maps hold the mutations tests make
// (SetDetectionStatus, AddDetection, TouchHost, SetPostureStatus, AddKBEntry, ModifyKB, AddHost,
// RemoveHost), and Counts and EachHost evaluate the same Query the handlers parse their parameters
// into. Answers are dated by Options.Clock, which a soak test runs faster than real time.
//
// A Server serves a Tenant over HTTP with Qualys' limits (X-RateLimit-*, X-Concurrency-Limit-*,
// 409 with SIMPLE_RETURN 1960/1965), authentication (basic auth and X-Requested-With on the API
// server, JWT on the gateway), streamed responses with bounded memory, a bounded request log
// (Server.Requests), and fault injection scriptable from Go (Server.InjectFault) or over HTTP
// (/sim/faults).
//
// # Choices where the references are silent
//
//   - Missing module permission: the VM/PC API answers HTTP 409 with SIMPLE_RETURN code 2000 and
//     a text naming the module (a non-retryable 409; code 2000 is not documented), QPS answers
//     responseCode UNAUTHORIZED (HTTP 403, or 200 with Options.QPSErrorsInBody), PCRS answers 403.
//   - Bad credentials: VM/PC API HTTP 401 SIMPLE_RETURN "Bad Login/Password" without CODE; QPS
//     HTTP 401 with responseCode INVALID_CREDENTIALS by default (HTTP 200 with
//     Options.QPSErrorsInBody, as QPS may do); /auth 401 JSON.
//   - Missing X-Requested-With on /api/x.0/fo/ calls: HTTP 400, SIMPLE_RETURN code 1903 "Missing
//     required header: X-Requested-With", checked before credentials. QPS, /msp/about.php and the
//     gateway do not require it.
//   - Limits apply per endpoint to every API server endpoint (QPS and about included, so every
//     answer carries the headers); calls rejected before admission (bad request shape, bad
//     credentials, missing permission) use no call; an admitted call that then fails parameter
//     checks does. Unlimited (negative) limits send no headers. PCRS limits are per PCRS API,
//     rolling, and answer 429 with Retry-After; /auth is exempt.
//   - Host List Detection lists only hosts with at least one matching detection; a WARNING is
//     written only when another such host exists. show_results defaults to 1; ignored and
//     disabled detections are left out unless include_ignored/include_disabled=1;
//     AFFECT_RUNNING_KERNEL is written for every kernel-related QID; UNIQUE_VULN_ID appears on API
//     3.0 and later paths only.
//   - Classic posture pages by host (truncation_limit counts hosts, default 5000; WARNING/URL sets
//     id_min to the next host ID), as the Qualys text "host records processed per request" says.
//   - The classic policy list pages only when truncated: by truncation_limit, or by
//     Options.PolicyListTruncation when the request gives none (Qualys does not document a
//     default); WARNING/URL sets id_min to the next policy ID.
//   - PCRS: policy and host IDs in policy/list and hostids are JSON strings (as in the vendor
//     samples), posture numbers are JSON numbers; evidence is {"expectedValues":[...],
//     "currentValues":[...]}; compressed bodies are sent as application/octet-stream without
//     Content-Encoding; v5 adds policyTitle, netBios, controlStatement and rationale.
//   - Host assets carry sourceInfo: the recorded Azure answer's AzureAssetSourceSimple shape, and
//     for EC2 and GCP hosts Ec2AssetSourceSimple (type EC_2) and GcpAssetSourceSimple with the
//     element names of the hostasset.xsd as client models list them (no EC2 or GCP answer is
//     recorded); other hosts list an empty AssetSource, as the recorded answers do. EC2 and Azure
//     sources carry two cloud tags in the recorded azureVmTags shape; GCP ones none, since no
//     answer shows how gcpInstanceTags names its items.
//   - KnowledgeBase: CVSS_V3 ends with CVSS3_VERSION; a patchable QID lists one vendor reference,
//     the advisory its SOLUTION links to; CVE links are Qualys' cve.mitre.org form.
//   - The tenant's dates are relative to TenantConfig.BaseTime (fixed by default); response
//     DATETIME comes from Options.Clock (wall clock by default), so byte-identical output needs
//     both fixed.
package simulator
