// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import "time"

// parseTime parses a Qualys date. The hot shape, ISO-8601 UTC "YYYY-MM-DDTHH:MM:SSZ", is parsed
// by hand without allocating; the decoder also accepts a space for the 'T', fractional seconds,
// a missing time ("YYYY-MM-DD"), a missing zone (read as UTC) and a numeric offset
// ("+05:30", "+0530"), so PCRS and QPS dates parse too. Empty input is the zero time. The result
// is always in UTC.
func parseTime(b []byte) (time.Time, bool) {
	if len(b) == 20 && b[19] == 'Z' {
		if t, ok := parseQualysTime(b); ok {
			return t, true
		}
	}
	return parseTimeSlow(b)
}

// parseTimeSlow is parseTime for every shape.
func parseTimeSlow(b []byte) (time.Time, bool) {
	b = trimSpace(b)
	if len(b) == 0 {
		return time.Time{}, true
	}
	if len(b) < 10 || b[4] != '-' || b[7] != '-' {
		return time.Time{}, false
	}
	y, ok1 := digits(b[0:4])
	mo, ok2 := digits(b[5:7])
	d, ok3 := digits(b[8:10])
	if !ok1 || !ok2 || !ok3 || mo < 1 || mo > 12 || d < 1 || d > daysIn(mo, y) {
		return time.Time{}, false
	}
	secs := daysFromCivil(y, mo, d) * 86400
	b = b[10:]
	if len(b) == 0 {
		return time.Unix(secs, 0).UTC(), true
	}
	if len(b) < 6 || (b[0] != 'T' && b[0] != ' ') || b[3] != ':' {
		return time.Time{}, false
	}
	h, ok1 := digits(b[1:3])
	mi, ok2 := digits(b[4:6])
	if !ok1 || !ok2 || h > 23 || mi > 59 {
		return time.Time{}, false
	}
	secs += int64(h*3600 + mi*60)
	b = b[6:]
	if len(b) >= 3 && b[0] == ':' {
		sec, ok := digits(b[1:3])
		if !ok || sec > 59 {
			return time.Time{}, false
		}
		secs += int64(sec)
		b = b[3:]
	}
	var nsec int64
	if len(b) > 0 && (b[0] == '.' || b[0] == ',') {
		n := 1
		scale := int64(100_000_000)
		for n < len(b) && b[n] >= '0' && b[n] <= '9' {
			nsec += int64(b[n]-'0') * scale
			scale /= 10
			n++
		}
		if n == 1 {
			return time.Time{}, false
		}
		b = b[n:]
	}
	off, ok := zoneOffset(b)
	if !ok {
		return time.Time{}, false
	}
	return time.Unix(secs-off, nsec).UTC(), true
}

// parseQualysTime is the fast path for exactly "YYYY-MM-DDTHH:MM:SSZ".
func parseQualysTime(b []byte) (time.Time, bool) {
	_ = b[19]
	if b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' {
		return time.Time{}, false
	}
	// byte arithmetic wraps, so a non-digit gives a value above 9, and v+6 above 15 for it alone.
	y0, y1, y2, y3 := int(b[0]-'0'), int(b[1]-'0'), int(b[2]-'0'), int(b[3]-'0')
	m0, m1, d0, d1 := int(b[5]-'0'), int(b[6]-'0'), int(b[8]-'0'), int(b[9]-'0')
	h0, h1, i0, i1, s0, s1 := int(b[11]-'0'), int(b[12]-'0'), int(b[14]-'0'), int(b[15]-'0'), int(b[17]-'0'), int(b[18]-'0')
	if (y0+6)|(y1+6)|(y2+6)|(y3+6)|(m0+6)|(m1+6)|(d0+6)|(d1+6)|(h0+6)|(h1+6)|(i0+6)|(i1+6)|(s0+6)|(s1+6) > 15 {
		return time.Time{}, false
	}
	y, mo, day := y0*1000+y1*100+y2*10+y3, m0*10+m1, d0*10+d1
	h, mi, sec := h0*10+h1, i0*10+i1, s0*10+s1
	if mo < 1 || mo > 12 || day < 1 || h > 23 || mi > 59 || sec > 59 || y == 0 { // year 0 (before the count below starts) goes the general way
		return time.Time{}, false
	}
	leap := 0
	if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
		leap = 1
	}
	if day > int(monthDays[leap][mo]) {
		return time.Time{}, false
	}
	// Days from 1970-01-01 to the first of year y (1 <= y): 365 a year plus the leap days before it.
	n := uint(y - 1)
	days := int64(365*y+int(n/4-n/100+n/400)) - unixEpochDays
	days += int64(daysBefore[leap][mo]) + int64(day-1)
	return time.Unix(days*86400+int64(h*3600+mi*60+sec), 0).UTC(), true
}

// unixEpochDays is 365*1970 plus the leap days of years 1 to 1969, so that the count above is 0
// for 1970.
const unixEpochDays = 365*1970 + 1969/4 - 1969/100 + 1969/400

// monthDays and daysBefore are the lengths of the months and the days of the year before each
// month, in a common [0] and a leap [1] year; months count from 1.
var (
	monthDays  = [2][13]uint8{{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}, {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}}
	daysBefore = [2][13]uint16{{0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334}, {0, 0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335}}
)

// zoneOffset parses "", "Z", "+HH:MM", "+HHMM" or "+HH" into seconds east of UTC.
func zoneOffset(b []byte) (int64, bool) {
	switch {
	case len(b) == 0 || (len(b) == 1 && (b[0] == 'Z' || b[0] == 'z')):
		return 0, true
	case b[0] != '+' && b[0] != '-':
		return 0, false
	}
	sign := int64(1)
	if b[0] == '-' {
		sign = -1
	}
	b = b[1:]
	var h, m int
	var ok bool
	switch len(b) {
	case 2:
		h, ok = digits(b)
	case 4:
		h, ok = digits(b[:2])
		if ok {
			m, ok = digits(b[2:])
		}
	case 5:
		h, ok = digits(b[:2])
		if ok && b[2] == ':' {
			m, ok = digits(b[3:])
		} else {
			ok = false
		}
	}
	if !ok || h > 23 || m > 59 {
		return 0, false
	}
	return sign * int64(h*3600+m*60), true
}

func digits(b []byte) (int, bool) {
	v := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

func daysIn(m, y int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil counts days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
// (H. Hinnant's algorithm).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}
