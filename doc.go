// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

// Package qualysreceiver polls Qualys VMDR and Policy Compliance (assets, vulnerability
// detections joined with the KnowledgeBase, and compliance posture) and emits them as
// OpenTelemetry logs and metrics.
//
// `make generate` runs mdatagen (pinned in tools.mod) on metadata.yaml.
//
//go:generate make generate
package qualysreceiver // import "github.com/seed-d80aa3af/qualysreceiver"
