// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"
)

// hldGen writes deterministic, realistic Host List Detection XML: hosts with every host field,
// tags, and 20–50 detections each with QDS, dates, QDS factors on half of them and a CDATA RESULTS
// of one to a few hundred bytes on 45% (escaped text on 5%), ending with a WARNING 1980 like a
// truncated page. A detection averages about 1.1 KB, close to the demisto sample.
type hldGen struct {
	rnd *rand.Rand
	b   *bytes.Buffer
	t0  time.Time
}

// genHLD returns a document of about size bytes and the number of detections in it.
func genHLD(seed uint64, size int) ([]byte, int) {
	g := &hldGen{
		rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		b:   bytes.NewBuffer(make([]byte, 0, size+64<<10)),
		t0:  time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC),
	}
	g.b.WriteString(`<?xml version="1.0" encoding="UTF-8" ?>
<!DOCTYPE HOST_LIST_VM_DETECTION_OUTPUT SYSTEM "https://qualysapi.qualys.com/api/2.0/fo/asset/host/vm/detection/host_list_vm_detection_output.dtd">
<HOST_LIST_VM_DETECTION_OUTPUT>
  <RESPONSE>
    <DATETIME>2026-01-15T12:00:00Z</DATETIME>
    <HOST_LIST>
`)
	dets := 0
	id := int64(100000)
	for g.b.Len() < size {
		id += 1 + g.rnd.Int64N(40)
		dets += g.host(id)
	}
	fmt.Fprintf(g.b, `    </HOST_LIST>
    <WARNING>
      <CODE>1980</CODE>
      <TEXT>1000 record limit exceeded. Use URL to get next batch of results.</TEXT>
      <URL><![CDATA[https://qualysapi.qualys.com/api/2.0/fo/asset/host/vm/detection/?action=list&truncation_limit=1000&id_min=%d]]></URL>
    </WARNING>
  </RESPONSE>
</HOST_LIST_VM_DETECTION_OUTPUT>
<!-- CONFIDENTIAL AND PROPRIETARY INFORMATION. Qualys provides the QualysGuard Service "As Is," without any warranty of any kind. //-->
`, id+1)
	return g.b.Bytes(), dets
}

var (
	genOS       = []string{"Windows Server 2019 Datacenter 64 bit Edition Version 1809 Build 17763.5329", "Ubuntu Linux 22.04.3", "Red Hat Enterprise Linux 8.9", "Amazon Linux 2", "CentOS Linux 7.9.2009"}
	genStatus   = []string{"New", "Active", "Active", "Active", "Fixed", "Re-Opened"}
	genType     = []string{"Confirmed", "Confirmed", "Potential", "Info"}
	genProto    = []string{"tcp", "udp", "tcp"}
	genQDSSev   = []string{"LOW", "MEDIUM", "HIGH", "CRITICAL"}
	genTags     = []string{"Cloud Agent", "Production", "Windows Servers", "PCI & Card Data", "Linux", "DMZ"}
	genResults  = []string{"Package\tInstalled Version\tRequired Version\nopenssl\t1.1.1k-9.el8_7\t1.1.1k-12.el8_9\nkernel\t4.18.0-477.10.1.el8_8\t4.18.0-513.11.1.el8_9\n", "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProductName = Windows Server 2019 Datacenter\nVersion is 10.0.17763.5329 < 10.0.17763.5458 <fixed>\n", "TLSv1.0 is supported\nCipher suites: TLS_RSA_WITH_AES_128_CBC_SHA, TLS_RSA_WITH_AES_256_CBC_SHA; key exchange RSA 2048 bits & \"weak\" ciphers\n"}
	genFactors  = []string{"CVSS", "CVSS_version", "RTI", "exploit_maturity", "mitigation_controls", "trending"}
	genOnceMu   sync.Mutex
	genOnceData = map[int][]byte{}
	genOnceDets = map[int]int{}
)

// benchHLD returns a cached generated document of about size bytes.
func benchHLD(size int) ([]byte, int) {
	genOnceMu.Lock()
	defer genOnceMu.Unlock()
	if b, ok := genOnceData[size]; ok {
		return b, genOnceDets[size]
	}
	b, n := genHLD(1, size)
	genOnceData[size], genOnceDets[size] = b, n
	return b, n
}

func (g *hldGen) pick(s []string) string { return s[g.rnd.IntN(len(s))] }

func (g *hldGen) date(name string, back int) {
	t := g.t0.Add(-time.Duration(g.rnd.IntN(back)+1) * time.Minute)
	fmt.Fprintf(g.b, "<%s>%s</%s>\n", name, t.Format("2006-01-02T15:04:05Z"), name)
}

func (g *hldGen) leaf(ind, name, v string) {
	g.b.WriteString(ind)
	g.b.WriteString("<" + name + ">" + v + "</" + name + ">\n")
}

func (g *hldGen) cdata(ind, name, v string) {
	g.b.WriteString(ind)
	g.b.WriteString("<" + name + "><![CDATA[" + v + "]]></" + name + ">\n")
}

func (g *hldGen) host(id int64) int {
	const in = "        "
	r := g.rnd
	g.b.WriteString("      <HOST>\n")
	g.leaf(in, "ID", strconv.FormatInt(id, 10))
	g.leaf(in, "ASSET_ID", strconv.FormatInt(id*7+3, 10))
	ip := fmt.Sprintf("10.%d.%d.%d", r.IntN(256), r.IntN(256), r.IntN(254)+1)
	g.leaf(in, "IP", ip)
	if r.IntN(4) == 0 {
		g.leaf(in, "IPV6", fmt.Sprintf("fe80:0:0:0:%x:%x:%x:%x", r.IntN(65536), r.IntN(65536), r.IntN(65536), r.IntN(65536)))
	}
	g.leaf(in, "TRACKING_METHOD", g.pick([]string{"IP", "DNS", "QAGENT", "NETBIOS"}))
	g.leaf(in, "NETWORK_ID", "0")
	g.cdata(in, "OS", g.pick(genOS))
	g.cdata(in, "OS_CPE", "cpe:/o:microsoft:windows_server_2019::datacenter:x64:")
	name := fmt.Sprintf("host-%d", id)
	g.cdata(in, "DNS", name+".corp.example.com")
	g.b.WriteString(in + "<DNS_DATA>\n")
	g.cdata(in+"  ", "HOSTNAME", name)
	g.cdata(in+"  ", "DOMAIN", "corp.example.com")
	g.cdata(in+"  ", "FQDN", name+".corp.example.com")
	g.b.WriteString(in + "</DNS_DATA>\n")
	if r.IntN(3) == 0 {
		g.leaf(in, "CLOUD_PROVIDER", "AWS")
		g.leaf(in, "CLOUD_SERVICE", "EC2")
		g.leaf(in, "CLOUD_RESOURCE_ID", fmt.Sprintf("i-%016x", r.Uint64()))
		g.leaf(in, "EC2_INSTANCE_ID", fmt.Sprintf("i-%016x", r.Uint64()))
	}
	g.cdata(in, "NETBIOS", fmt.Sprintf("HOST%d", id))
	g.cdata(in, "QG_HOSTID", fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", r.Uint32(), r.IntN(65536), r.IntN(65536), r.IntN(65536), r.Int64N(1<<48)))
	g.b.WriteString(in)
	g.date("LAST_SCAN_DATETIME", 9000)
	g.b.WriteString(in)
	g.date("LAST_VM_SCANNED_DATE", 9000)
	g.leaf(in, "LAST_VM_SCANNED_DURATION", strconv.Itoa(r.IntN(4000)))
	g.b.WriteString(in)
	g.date("LAST_VM_AUTH_SCANNED_DATE", 9000)
	g.b.WriteString(in)
	g.date("LAST_PC_SCANNED_DATE", 90000)
	g.b.WriteString(in + "<TAGS>\n")
	for range 1 + r.IntN(3) {
		k := r.IntN(len(genTags))
		g.b.WriteString(in + "  <TAG>\n")
		g.leaf(in+"    ", "TAG_ID", strconv.Itoa(7000000+k))
		g.b.WriteString(in + "    <NAME><![CDATA[" + genTags[k] + "]]></NAME>\n")
		g.b.WriteString(in + "  </TAG>\n")
	}
	g.b.WriteString(in + "</TAGS>\n")
	g.leaf(in, "ASSET_RISK_SCORE", strconv.Itoa(r.IntN(1000)))
	g.leaf(in, "TRURISK_SCORE", strconv.Itoa(r.IntN(1000)))
	g.leaf(in, "ASSET_CRITICALITY_SCORE", strconv.Itoa(1+r.IntN(5)))
	g.cdata(in, "SERIAL_NUMBER", fmt.Sprintf("VMware-%x", r.Uint64()))
	g.b.WriteString(in + "<DETECTION_LIST>\n")
	n := 20 + r.IntN(31)
	for range n {
		g.detection()
	}
	g.b.WriteString(in + "</DETECTION_LIST>\n      </HOST>\n")
	return n
}

func (g *hldGen) detection() {
	const in = "            "
	r := g.rnd
	g.b.WriteString("          <DETECTION>\n")
	g.leaf(in, "UNIQUE_VULN_ID", strconv.FormatInt(1e9+r.Int64N(1e9), 10))
	g.leaf(in, "QID", strconv.Itoa(10000+r.IntN(400000)))
	g.leaf(in, "TYPE", g.pick(genType))
	g.leaf(in, "SEVERITY", strconv.Itoa(1+r.IntN(5)))
	if r.IntN(2) == 0 {
		g.leaf(in, "PORT", strconv.Itoa(1+r.IntN(65535)))
		g.leaf(in, "PROTOCOL", g.pick(genProto))
	}
	g.leaf(in, "SSL", strconv.Itoa(r.IntN(2)))
	if k := r.IntN(20); k < 9 {
		res := g.pick(genResults)
		if k < 3 {
			res += g.pick(genResults)
		}
		g.cdata(in, "RESULTS", res)
	} else if k == 9 {
		// Escaped rather than CDATA: exercises entity decoding.
		g.leaf(in, "RESULTS", "Version 1.2 &lt; 1.3 &amp; patch &quot;KB5034127&quot; missing &#169; &#x263A;")
	}
	g.leaf(in, "STATUS", g.pick(genStatus))
	g.b.WriteString(in)
	g.date("FIRST_FOUND_DATETIME", 900000)
	g.b.WriteString(in)
	g.date("LAST_FOUND_DATETIME", 9000)
	sev := r.IntN(4)
	fmt.Fprintf(g.b, "%s<QDS severity=\"%s\">%d</QDS>\n", in, genQDSSev[sev], 1+sev*25+r.IntN(25))
	if r.IntN(2) == 0 {
		g.b.WriteString(in + "<QDS_FACTORS>\n")
		for k := range 2 + r.IntN(2) {
			fmt.Fprintf(g.b, "%s  <QDS_FACTOR name=\"%s\"><![CDATA[%d.%d]]></QDS_FACTOR>\n", in, genFactors[k], r.IntN(10), r.IntN(10))
		}
		g.b.WriteString(in + "</QDS_FACTORS>\n")
	}
	g.leaf(in, "TIMES_FOUND", strconv.Itoa(1+r.IntN(500)))
	g.b.WriteString(in)
	g.date("LAST_TEST_DATETIME", 9000)
	g.b.WriteString(in)
	g.date("LAST_UPDATE_DATETIME", 9000)
	if r.IntN(5) == 0 {
		g.b.WriteString(in)
		g.date("LAST_FIXED_DATETIME", 90000)
		g.b.WriteString(in)
		g.date("FIRST_REOPENED_DATETIME", 90000)
		g.b.WriteString(in)
		g.date("LAST_REOPENED_DATETIME", 90000)
		g.leaf(in, "TIMES_REOPENED", strconv.Itoa(1+r.IntN(5)))
	}
	g.leaf(in, "IS_IGNORED", "0")
	g.leaf(in, "IS_DISABLED", "0")
	g.leaf(in, "AFFECT_RUNNING_KERNEL", strconv.Itoa(r.IntN(2)))
	g.leaf(in, "AFFECT_RUNNING_SERVICE", strconv.Itoa(r.IntN(2)))
	g.leaf(in, "AFFECT_EXPLOITABLE_CONFIG", strconv.Itoa(r.IntN(2)))
	g.b.WriteString(in)
	g.date("LAST_PROCESSED_DATETIME", 9000)
	g.b.WriteString("          </DETECTION>\n")
}
