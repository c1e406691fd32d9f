// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"
)

// jwtIssuer issues HS256 JWTs with real header.payload.signature structure and an exp claim, and
// remembers each token's exact expiry (exp has one-second resolution) and revocations.
type jwtIssuer struct {
	mu       sync.Mutex
	secret   []byte
	lifetime time.Duration
	seq      uint64
	expiry   map[string]time.Time
}

func newJWTIssuer(lifetime time.Duration) *jwtIssuer {
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	return &jwtIssuer{secret: secret, lifetime: lifetime, expiry: map[string]time.Time{}}
}

var jwtHeader = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))

func (j *jwtIssuer) issue(user string, subscription uint64, now time.Time) string {
	j.mu.Lock()
	defer j.mu.Unlock()
	for id, exp := range j.expiry {
		if now.Sub(exp) > time.Hour {
			delete(j.expiry, id)
		}
	}
	j.seq++
	jti := fmt.Sprintf("%016x", j.seq)
	exp := now.Add(j.lifetime)
	j.expiry[jti] = exp
	payload, _ := json.Marshal(struct {
		Sub          string `json:"sub"`
		Iss          string `json:"iss"`
		Iat          int64  `json:"iat"`
		Exp          int64  `json:"exp"`
		JTI          string `json:"jti"`
		Subscription uint64 `json:"subscriptionId"`
	}{user, "qualys-simulator", now.Unix(), exp.Unix(), jti, subscription})
	unsigned := jwtHeader + "." + base64.RawURLEncoding.EncodeToString(payload)
	return unsigned + "." + j.sign(unsigned)
}

func (j *jwtIssuer) sign(unsigned string) string {
	m := hmac.New(sha256.New, j.secret)
	m.Write([]byte(unsigned))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// jti returns the token ID of a well-signed token, or "".
func (j *jwtIssuer) jti(token string) string {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || !hmac.Equal([]byte(j.sign(parts[0]+"."+parts[1])), []byte(parts[2])) {
		return ""
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	var claims struct {
		JTI string `json:"jti"`
	}
	if err != nil || json.Unmarshal(raw, &claims) != nil {
		return ""
	}
	return claims.JTI
}

// check returns "" for a valid token, else the gateway's message: "JWT expired" or "Not authenticated".
func (j *jwtIssuer) check(token string, now time.Time) string {
	jti := j.jti(token)
	j.mu.Lock()
	defer j.mu.Unlock()
	exp, ok := j.expiry[jti]
	switch {
	case jti == "" || !ok:
		return "Not authenticated"
	case !now.Before(exp):
		return "JWT expired"
	}
	return ""
}

// revoke expires a token now (it then reads "JWT expired", not "Not authenticated").
func (j *jwtIssuer) revoke(token string, now time.Time) {
	jti := j.jti(token)
	j.mu.Lock()
	defer j.mu.Unlock()
	if exp, ok := j.expiry[jti]; ok && exp.After(now) {
		j.expiry[jti] = now
	}
}

func (j *jwtIssuer) revokeAll(now time.Time) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for id, exp := range j.expiry {
		if exp.After(now) {
			j.expiry[id] = now
		}
	}
}
