// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestParseInt(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"", 0, true}, {" 42 ", 42, true}, {"-7", -7, true}, {"+7", 7, true},
		{"9223372036854775807", math.MaxInt64, true}, {"-9223372036854775808", math.MinInt64, true},
		{"9223372036854775808", 0, false}, {"99999999999999999999", 0, false},
		{"1.5", 0, false}, {"-", 0, false}, {"12a", 0, false}, {"0x10", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseInt([]byte(tt.in))
		assert.Equal(t, tt.ok, ok, tt.in)
		if ok {
			assert.Equal(t, tt.want, got, tt.in)
		}
	}
	assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = parseInt([]byte("123456")) }))
}

func TestParseBoolAndFloat(t *testing.T) {
	for in, want := range map[string]bool{"1": true, "0": false, "": false, "true": true, "FALSE": false, "2": true} {
		got, ok := parseBool([]byte(in))
		assert.True(t, ok, in)
		assert.Equal(t, want, got, in)
	}
	_, ok := parseBool([]byte("yes"))
	assert.False(t, ok)
	f, ok := parseFloat([]byte(" 7.5 "))
	assert.True(t, ok)
	assert.Equal(t, 7.5, f)
	for _, bad := range []string{"NaN", "Inf", "1e999", "x"} {
		_, ok := parseFloat([]byte(bad))
		assert.False(t, ok, bad)
	}
	assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = parseFloat([]byte("5.0")) }))
}

func TestParseTime(t *testing.T) {
	tests := []struct {
		in   string
		want string // RFC 3339 in UTC; "" for the zero time
		ok   bool
	}{
		{"2023-05-16T15:26:53Z", "2023-05-16T15:26:53Z", true},
		{"", "", true},
		{"  2023-05-16T15:26:53Z ", "2023-05-16T15:26:53Z", true},
		{"2024-02-29T23:59:59Z", "2024-02-29T23:59:59Z", true},
		{"2023-05-16T15:26:53.123Z", "2023-05-16T15:26:53.123Z", true},
		{"2023-05-16T15:26:53.123456789Z", "2023-05-16T15:26:53.123456789Z", true},
		{"2023-05-16 15:26:53", "2023-05-16T15:26:53Z", true},
		{"2023-05-16T15:26", "2023-05-16T15:26:00Z", true},
		{"2023-05-16", "2023-05-16T00:00:00Z", true},
		{"2023-05-16T15:26:53+02:00", "2023-05-16T13:26:53Z", true},
		{"2023-05-16T15:26:53-0530", "2023-05-16T20:56:53Z", true},
		{"1969-12-31T23:59:59Z", "1969-12-31T23:59:59Z", true},
		{"0000-03-01T00:00:00Z", "0000-03-01T00:00:00Z", true},
		{"2023-02-29T00:00:00Z", "", false},
		{"2023-13-01T00:00:00Z", "", false},
		{"2023-05-16T24:00:00Z", "", false},
		{"2023-05-16T15:60:00Z", "", false},
		{"2023-05-16T15:26:53X", "", false},
		{"2023-05-16T15:26:5Z", "", false},
		{"2023-5-16T15:26:53Z", "", false},
		{"20230516", "", false},
		{"2023-05-16T15:26:53.Z", "", false},
		{"2023-05-16T15:26:53+25:00", "", false},
		{"yesterday", "", false},
	}
	for _, tt := range tests {
		got, ok := parseTime([]byte(tt.in))
		assert.Equal(t, tt.ok, ok, tt.in)
		if !ok {
			continue
		}
		if tt.want == "" {
			assert.True(t, got.IsZero(), tt.in)
			continue
		}
		want, err := time.Parse(time.RFC3339Nano, tt.want)
		if err != nil {
			want, err = time.Parse("2006-01-02T15:04:05Z", tt.want)
		}
		assert.NoError(t, err)
		assert.True(t, want.Equal(got), "%s: got %v", tt.in, got)
		assert.Equal(t, time.UTC, got.Location(), tt.in)
	}
	assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = parseTime([]byte("2023-05-16T15:26:53Z")) }))
}

// TestParseTimeMatchesTimeParse checks the hand-written day arithmetic against the standard
// library over four centuries of dates.
func TestParseTimeMatchesTimeParse(t *testing.T) {
	start := time.Date(1800, 1, 1, 0, 0, 0, 0, time.UTC)
	for d := start; d.Year() < 2200; d = d.Add(37*time.Hour + 13*time.Minute + 7*time.Second) {
		s := d.Format("2006-01-02T15:04:05Z")
		got, ok := parseTime([]byte(s))
		if !assert.True(t, ok, s) || !assert.True(t, d.Equal(got), "%s: %v", s, got) {
			return
		}
	}
}

// TestParseQualysTimeMatchesGeneral checks the fast path of parseTime against the general one
// (which does its own day arithmetic): valid and invalid days and months of every year, and
// damaged strings. What the fast path rejects goes the general way, so it must only never accept
// something else; it takes every valid date but those of year 0.
func TestParseQualysTimeMatchesGeneral(t *testing.T) {
	check := func(s string, wantFast bool) bool {
		b := []byte(s)
		fast, ok := parseQualysTime(b)
		slow, slowOK := parseTimeSlow(b)
		if !ok {
			return assert.False(t, wantFast && slowOK, "%s: left to the general path", s)
		}
		return assert.True(t, slowOK && fast.Equal(slow) && fast.Location() == time.UTC, "%s: %v %v", s, fast, slow)
	}
	rnd := rand.New(rand.NewPCG(3, 4))
	for y := 0; y <= 9999; y++ {
		for mo := 0; mo <= 13; mo++ {
			for _, d := range []int{0, 1, 15, 28, 29, 30, 31, 32} {
				s := fmt.Sprintf("%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, rnd.IntN(25), rnd.IntN(61), rnd.IntN(61))
				if !check(s, y != 0) {
					return
				}
			}
		}
	}
	const alphabet = "0123456789-T:Z /a\xff"
	for range 200_000 {
		b := []byte("2024-02-29T23:59:59Z")
		for range 1 + rnd.IntN(3) {
			b[rnd.IntN(len(b)-1)] = alphabet[rnd.IntN(len(alphabet))]
		}
		if !check(string(b), false) {
			return
		}
	}
}
