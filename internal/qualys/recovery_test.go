// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualys

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

// How soon a poll that ended with each kind of failure is worth trying again.
func TestRecoveryOf(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want Recovery
	}{
		{"5xx after the retries", classify("host_detections", http.StatusBadGateway, 0, ""), RecoverSoon},
		{"202 maintenance page", classify("host_detections", http.StatusAccepted, 0, ""), RecoverSoon},
		{"network", networkError("host_detections", errors.New("connection reset by peer")), RecoverSoon},
		{"answer cut off", ResponseError("host_detections", errors.New("unexpected EOF")), RecoverSoon},
		{"unexpected answer", classify("host_detections", http.StatusFound, 0, ""), RecoverSoon},
		{"too many logins", classify("about", http.StatusConflict, CodeTooManyLogins, ""), RecoverSoon},
		{"not a Qualys answer: a consumer refused", errors.New("the next consumer refused"), RecoverSoon},
		{"wrapped", fmt.Errorf("hosts from id 5: %w", classify("host_detections", 503, 0, "")), RecoverSoon},
		{"bad login", classify("about", http.StatusUnauthorized, 0, ""), RecoverAfterFix},
		{"account expired", classify("host_detections", http.StatusOK, CodeAccountExpired, ""), RecoverAfterFix},
		{"registration", classify("knowledge_base", http.StatusConflict, CodeRegistrationIncomplete, ""), RecoverAfterFix},
		{"no API access", classify("about", http.StatusForbidden, 0, ""), RecoverAfterFix},
		{"no module", classify("knowledge_base", http.StatusConflict, 2000, ""), RecoverAfterFix},
		{"certificate", networkError("about", x509.UnknownAuthorityError{}), RecoverAfterFix},
		{"refused parameter", classify("host_detections", http.StatusBadRequest, CodeInvalidValue, ""), RecoverNextInterval},
		{"API not served", classify("host_detections", http.StatusNotFound, 0, ""), RecoverNextInterval},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, RecoveryOf(tt.err))
		})
	}
}
