// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// qpsOperators lists, per supported field, the operators the simulator evaluates.
var qpsOperators = map[string][]string{
	"id": {"EQUALS", "NOT EQUALS", "GREATER", "LESSER", "IN"}, "qwebHostId": {"EQUALS", "GREATER", "LESSER", "IN"},
	"updated": {"GREATER", "LESSER"}, "created": {"GREATER", "LESSER"}, "lastVulnScan": {"GREATER", "LESSER"},
	"lastComplianceScan": {"GREATER", "LESSER"}, "tagName": {"EQUALS", "CONTAINS"}, "tagId": {"EQUALS", "IN"},
	"trackingMethod": {"EQUALS"}, "name": {"EQUALS", "CONTAINS"}, "os": {"EQUALS", "CONTAINS"},
	"address": {"EQUALS"}, "dnsHostName": {"EQUALS", "CONTAINS"}, "netbiosName": {"EQUALS", "CONTAINS"},
}

func checkCriterion(c criterion) string {
	ops, ok := qpsOperators[c.Field]
	switch {
	case !ok:
		return fmt.Sprintf("Unsupported search field %q.", c.Field)
	case !slices.Contains(ops, c.Operator):
		return fmt.Sprintf("Operator %q is not supported for field %q.", c.Operator, c.Field)
	}
	v := strings.TrimSpace(c.Value)
	switch c.Field {
	case "id", "qwebHostId", "tagId":
		for _, part := range strings.Split(v, ",") {
			if _, err := strconv.ParseUint(strings.TrimSpace(part), 10, 64); err != nil {
				return fmt.Sprintf("Invalid value %q for field %q.", c.Value, c.Field)
			}
		}
	case "updated", "created", "lastVulnScan", "lastComplianceScan":
		if _, err := parseQPSDate(v); err != nil {
			return fmt.Sprintf("Invalid date %q for field %q.", c.Value, c.Field)
		}
	}
	return ""
}

func parseQPSDate(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return parseQualysDate(s)
}

func assetMatches(h *Host, criteria []criterion) bool {
	for _, c := range criteria {
		if !criterionMatches(h, c) {
			return false
		}
	}
	return true
}

func criterionMatches(h *Host, c criterion) bool {
	v := strings.TrimSpace(c.Value)
	switch c.Field {
	case "id":
		return compareUint(h.AssetID, c.Operator, v)
	case "qwebHostId":
		return compareUint(h.ID, c.Operator, v)
	case "tagId":
		return slices.ContainsFunc(h.Tags, func(t Tag) bool { return compareUint(t.ID, "IN", v) })
	case "tagName":
		return slices.ContainsFunc(h.Tags, func(t Tag) bool { return compareText(t.Name, c.Operator, v) })
	case "updated":
		return compareTime(h.Modified, c.Operator, v)
	case "created":
		return compareTime(h.FirstFound, c.Operator, v)
	case "lastVulnScan":
		return compareTime(h.LastScan, c.Operator, v)
	case "lastComplianceScan":
		return !h.LastPCScanned.IsZero() && compareTime(h.LastPCScanned, c.Operator, v)
	case "trackingMethod":
		return h.TrackingMethod == v
	case "name":
		return compareText(assetName(h), c.Operator, v)
	case "os":
		return compareText(h.OS, c.Operator, v)
	case "address":
		return h.IP == v
	case "dnsHostName":
		return compareText(h.FQDN, c.Operator, v)
	case "netbiosName":
		return compareText(h.NetBIOS, c.Operator, v)
	}
	return false
}

func compareUint(x uint64, op, v string) bool {
	if op == "IN" {
		for _, part := range strings.Split(v, ",") {
			if n, _ := strconv.ParseUint(strings.TrimSpace(part), 10, 64); n == x {
				return true
			}
		}
		return false
	}
	n, _ := strconv.ParseUint(v, 10, 64)
	switch op {
	case "EQUALS":
		return x == n
	case "NOT EQUALS":
		return x != n
	case "GREATER":
		return x > n
	case "LESSER":
		return x < n
	}
	return false
}

func compareTime(x time.Time, op, v string) bool {
	t, _ := parseQPSDate(v)
	if op == "GREATER" {
		return x.After(t)
	}
	return x.Before(t)
}

func compareText(x, op, v string) bool {
	if op == "CONTAINS" {
		return strings.Contains(strings.ToLower(x), strings.ToLower(v))
	}
	return x == v
}

func assetName(h *Host) string {
	switch {
	case h.FQDN != "":
		return h.FQDN
	case h.NetBIOS != "":
		return h.NetBIOS
	}
	return h.IP
}
