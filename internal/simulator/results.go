// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"strconv"
)

// appendResults writes a detection's RESULTS text. The shapes follow what real RESULTS carry
// (the demisto sample): one-liners, tab-separated package tables, raw HTTP exchanges with '<' and
// '&' that only CDATA keeps intact, and text that Qualys already entity-escaped inside its CDATA
// (-&gt;&gt;HEADER&lt;&lt;-). About 1 in 100 contains "]]>", which the writer must split across
// two CDATA sections. Sizes vary between half and one and a half times ResultsBytes.
func (t *Tenant) appendResults(dst []byte, d *Detection) []byte {
	r := rng{s: d.resultsSeed}
	target := t.cfg.ResultsBytes * (50 + r.intn(101)) / 100
	start := len(dst)
	shape := r.weighted([]int{20, 25, 20, 20, 14, 1})
	switch shape {
	case 0:
		return append(dst, r.pick([]string{
			"TLSv1.0 is supported", "TLSv1.1 is supported",
			"Vulnerable SSH-2.0-OpenSSH_7.4 detected on port 22 over TCP.",
			"Server supports recursive name resolution to IPv4 addresses.\nServer supports recursive name resolution to IPv6 addresses.",
		})...)
	case 1:
		dst = append(dst, "Package\tInstalled Version\tRequired Version"...)
	case 2:
		dst = append(dst, "GET / HTTP/1.0\nHost: "...)
		dst = strconv.AppendUint(dst, d.HostID, 10)
		dst = append(dst, ".example.com\n\nHTTP/1.1 200 OK\nContent-Type: text/html; charset=utf-8\n\n<html><head><title>Welcome & Login</title></head>"...)
	case 3:
		dst = append(dst, ";; -&gt;&gt;HEADER&lt;&lt;- opcode: QUERY, rcode: NOERROR, id: "...)
		dst = strconv.AppendInt(dst, int64(r.intn(65536)), 10)
		dst = append(dst, "\nReport-To: {&quot;group&quot;:&quot;cf-nel&quot;,&quot;max_age&quot;:604800}"...)
	case 4:
		dst = append(dst, `HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion CurrentBuild = 17763`...)
	default:
		dst = append(dst, "Response body contains <![CDATA[payload]]> markers & raw \"quotes\""...)
	}
	for n := 0; len(dst)-start < target; n++ {
		dst = appendResultsLine(dst, shape, n, &r)
	}
	return dst
}

func appendResultsLine(dst []byte, shape, n int, r *rng) []byte {
	dst = append(dst, '\n')
	switch shape {
	case 1:
		dst = append(dst, packages[r.intn(len(packages))]...)
		dst = append(dst, '\t')
		dst = appendVersion(dst, r)
		dst = append(dst, "\t"...)
		return appendVersion(dst, r)
	case 2:
		dst = append(dst, "<p class=\"line\">Item "...)
		dst = strconv.AppendInt(dst, int64(n), 10)
		return append(dst, " &amp; more &lt;ok&gt;</p>"...)
	case 3:
		dst = append(dst, "one.example. 3410 IN SOA ns.example.com. dns.example.com. "...)
		return strconv.AppendUint(dst, r.next()%4_000_000_000, 10)
	case 4:
		dst = append(dst, `%windir%\System32\drivers\file`...)
		dst = strconv.AppendInt(dst, int64(n), 10)
		dst = append(dst, ".sys  Version is 10.0.17763."...)
		return strconv.AppendInt(dst, int64(r.intn(5000)), 10)
	}
	dst = append(dst, "line "...)
	dst = strconv.AppendInt(dst, int64(n), 10)
	return append(dst, ": ]]> inside results"...)
}

func appendVersion(dst []byte, r *rng) []byte {
	dst = strconv.AppendInt(dst, int64(r.between(1, 9)), 10)
	dst = append(dst, '.')
	dst = strconv.AppendInt(dst, int64(r.intn(20)), 10)
	dst = append(dst, '.')
	dst = strconv.AppendInt(dst, int64(r.intn(40)), 10)
	dst = append(dst, "-"...)
	dst = strconv.AppendInt(dst, int64(r.between(1, 30)), 10)
	return append(dst, ".el8"...)
}
