// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package convert // import "github.com/seed-d80aa3af/qualysreceiver/internal/convert"

import "go.opentelemetry.io/collector/pdata/plog"

// Qualys names its five severity levels; the severity text carries them, the severity number maps
// them onto OpenTelemetry's scale so "severity >= ERROR" finds serious, critical and urgent ones.
var qualysSeverities = [6]struct {
	number plog.SeverityNumber
	text   string
}{
	0: {plog.SeverityNumberUnspecified, ""},
	1: {plog.SeverityNumberInfo, "Minimal"},
	2: {plog.SeverityNumberWarn, "Medium"},
	3: {plog.SeverityNumberError, "Serious"},
	4: {plog.SeverityNumberError3, "Critical"},
	5: {plog.SeverityNumberFatal, "Urgent"},
}

// DetectionSeverity maps a Qualys severity level (1 to 5) onto a severity number and text.
func DetectionSeverity(level int) (plog.SeverityNumber, string) {
	if level < 1 || level > 5 {
		return plog.SeverityNumberUnspecified, ""
	}
	s := qualysSeverities[level]
	return s.number, s.text
}

// SeverityName is Qualys' name of a severity level (1 Minimal to 5 Urgent); "" outside 1 to 5.
func SeverityName(level int) string {
	_, text := DetectionSeverity(level)
	return text
}

// PostureSeverity maps a posture's status and its control's criticality value (0 to 5) onto a
// severity: a pass is informational, an error a warning, and a failure as severe as the control is
// critical.
func PostureSeverity(status string, criticality int) (plog.SeverityNumber, string) {
	switch status {
	case "Passed":
		return plog.SeverityNumberInfo, "Passed"
	case "Error":
		return plog.SeverityNumberWarn, "Error"
	case "Failed":
		switch {
		case criticality >= 5:
			return plog.SeverityNumberFatal, "Failed"
		case criticality == 4:
			return plog.SeverityNumberError3, "Failed"
		case criticality == 3:
			return plog.SeverityNumberError, "Failed"
		case criticality >= 1:
			return plog.SeverityNumberWarn2, "Failed"
		default:
			return plog.SeverityNumberWarn, "Failed"
		}
	}
	return plog.SeverityNumberUnspecified, status
}
