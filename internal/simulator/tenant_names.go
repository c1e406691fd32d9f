// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

// The vocabulary of the generated tenant. Values imitate what real Qualys tenants show (OS strings
// as Qualys fingerprints them, tracking methods, categories, criticality labels), so that decoders
// and converters meet realistic text.

// osInfo is one operating system a host can run; family drives NetBIOS, kernel detections, tags
// and the PC technology of its postures.
type osInfo struct {
	name     string
	cpe      string
	family   string // Windows, Linux, macOS, Network
	techID   uint64
	techName string
	role     string // hostname prefix
}

var osTable = []osInfo{
	{"Windows Server 2019 Datacenter 64 bit Edition Version 1809", "cpe:/o:microsoft:windows_server_2019:-:-:x64:", "Windows", 105, "Windows Server 2019", "app"},
	{"Windows Server 2022 Standard 64 bit Edition Version 21H2", "cpe:/o:microsoft:windows_server_2022:-:-:x64:", "Windows", 391, "Windows Server 2022", "srv"},
	{"Windows Server 2016 Standard 64 bit Edition Version 1607", "cpe:/o:microsoft:windows_server_2016:1607:-:x64:", "Windows", 89, "Windows Server 2016", "dc"},
	{"Windows 10 Enterprise 64 bit Edition Version 22H2", "cpe:/o:microsoft:windows_10:22h2:-:x64:", "Windows", 91, "Windows 10", "ws"},
	{"Windows 11 Pro 64 bit Edition Version 23H2", "cpe:/o:microsoft:windows_11:23h2:-:x64:", "Windows", 403, "Windows 11", "ws"},
	{"Red Hat Enterprise Linux 8.6", "cpe:/o:redhat:enterprise_linux:8.6:::", "Linux", 192, "Red Hat Enterprise Linux 8.x", "db"},
	{"Red Hat Enterprise Linux Server 7.9", "cpe:/o:redhat:enterprise_linux:7.9:::", "Linux", 97, "Red Hat Enterprise Linux 7.x", "app"},
	{"Ubuntu Linux 22.04", "cpe:/o:canonical:ubuntu_linux:22.04:::", "Linux", 354, "Ubuntu 22.04 LTS", "web"},
	{"CentOS Linux 7.9.2009", "cpe:/o:centos:centos:7.9.2009:::", "Linux", 76, "CentOS 7.x", "web"},
	{"Amazon Linux 2", "cpe:/o:amazon:amazon_linux:2:::", "Linux", 259, "Amazon Linux 2", "k8s"},
	{"Debian GNU/Linux 11.7", "cpe:/o:debian:debian_linux:11.7:::", "Linux", 301, "Debian 11", "web"},
	{"Linux 3.13", "", "Linux", 62, "Linux (generic)", "lnx"},
	{"macOS 13.4", "cpe:/o:apple:mac_os_x:13.4:::", "macOS", 330, "macOS 13", "mac"},
	{"Cisco IOS 15.2(4)M", "cpe:/o:cisco:ios:15.2:::", "Network", 47, "Cisco IOS 15.x", "rtr"},
	{"Juniper JUNOS 21.2R3", "cpe:/o:juniper:junos:21.2:::", "Network", 181, "Juniper JUNOS 21.x", "sw"},
	{"FortiOS 7.0.12", "cpe:/o:fortinet:fortios:7.0.12:::", "Network", 266, "FortiOS 7.x", "fw"},
}

// osWeights: Windows 40 %, Linux 40 %, macOS 8 %, network devices 12 %.
var osWeights = []int{9, 7, 6, 10, 8, 8, 6, 7, 4, 4, 3, 8, 8, 5, 4, 3}

var domains = []string{"corp.example.com", "prod.example.net", "dmz.example.org", "eu.example.com", "lab.example.io"}

var interfaceNames = map[string][]string{
	"Windows": {"Ethernet0", "Ethernet1"},
	"Linux":   {"ens192", "eth1"},
	"macOS":   {"en0", "en1"},
	"Network": {"GigabitEthernet0/0", "GigabitEthernet0/1"},
}

// tagDef is one tag of the pool; families, when set, restricts the tag to hosts of those OS
// families (every such host has it), otherwise pct is the share of hosts carrying it.
type tagDef struct {
	name     string
	families string
	pct      int
	color    string
}

var tagDefs = []tagDef{
	{"Production", "", 45, "#FF0000"},
	{"PCI", "", 20, "#FFA500"},
	{"Linux Servers", "Linux", 0, "#00AA00"},
	{"Windows Servers", "Windows", 0, "#0000FF"},
	{"Internet Facing", "", 15, "#AA00AA"},
	{"Cloud Agent", "", 35, "#008080"},
	{"DMZ", "", 10, "#808000"},
	{"Critical Assets", "", 12, "#800000"},
	{"Development", "", 25, "#808080"},
	{"Network Devices", "Network", 0, "#000080"},
	{"AWS", "", 12, "#FF9900"},
	{"Web Servers", "", 18, "#2E8B57"},
	{"Database Servers", "", 10, "#4682B4"},
	{"HIPAA", "", 8, "#D2691E"},
	{"Workstations", "macOS", 0, "#708090"},
	{"Europe & EMEA", "", 20, "#1E90FF"},
	{"Staging", "", 10, "#DAA520"},
	{"Finance", "", 7, "#556B2F"},
}

var vulnCategories = []string{
	"Windows", "Local", "CentOS", "Ubuntu", "Web server", "General remote services", "Security Policy",
	"Debian", "RedHat", "Amazon Linux", "CGI", "Office Application", "Internet Explorer", "TCP/IP",
	"Firewall", "Database", "Web Application", "Mail services", "SNMP", "Hardware",
}

var vendorProducts = [][2]string{
	{"microsoft", "windows"}, {"microsoft", "edge_chromium"}, {"microsoft", "office"}, {"openssl", "openssl"},
	{"apache", "http_server"}, {"apache", "tomcat"}, {"oracle", "jdk"}, {"mozilla", "firefox"},
	{"google", "chrome"}, {"openbsd", "openssh"}, {"redhat", "enterprise_linux"}, {"canonical", "ubuntu_linux"},
	{"vmware", "tools"}, {"cisco", "ios"}, {"nginx", "nginx"}, {"postgresql", "postgresql"},
	{"mysql", "mysql"}, {"adobe", "acrobat_reader"}, {"fortinet", "fortios"}, {"juniper", "junos"},
}

var titleTemplates = []string{
	"%s %s Multiple Security Vulnerabilities",
	"%s %s Remote Code Execution Vulnerability",
	"%s %s Denial of Service (DoS) Vulnerability",
	"%s %s Privilege Escalation Vulnerability",
	"%s %s Security Update Missing",
	"%s %s Information Disclosure Vulnerability",
	"%s %s Cross-Site Scripting (XSS) & Request Forgery Vulnerabilities",
	"%s %s Out-of-Date Version Detected <EOL>",
}

var igTitles = []string{
	"DNS Host Name", "Open TCP Services List", "Operating System Detected", "Traceroute",
	"Host Scan Time - Scanner", "Network Adapter MAC Address", "Installed Applications Enumerated From Windows Installer",
	"Linux Kernel Version Detected", "SSL Certificate - Information", "Firewall Detected",
}

var threatIntel = []string{
	"Zero_Day", "Exploit_Public", "Active_Attacks", "High_Lateral_Movement", "Easy_Exploit",
	"High_Data_Loss", "Denial_of_Service", "No_Patch", "Malware", "Exploit_Kit", "Wormable",
	"Predicted_High_Risk", "Privilege_Escalation", "Unauthenticated_Exploitation", "Remote_Code_Execution",
}

var policyTitles = []string{
	"CIS Benchmark for Red Hat Enterprise Linux 8 v2.0.0 Level 1",
	"CIS Microsoft Windows Server 2019 Benchmark v2.0.0 Level 1",
	"PCI DSS 4.0 Baseline",
	"Windows Server 2012",
	"DISA STIG Ubuntu 22.04 LTS",
	"HIPAA Security Rule & Technical Safeguards",
	"VMWARE 5.5 AND 6.0",
	"Policy for HPUX",
}

var controlStatements = []string{
	"Status of the 'Minimum password length' setting",
	"Status of the 'Permit root login via SSH' setting (PermitRootLogin)",
	"Status of the 'Audit Logon' setting (Success and Failure)",
	"Status of the 'Maximum password age' setting (expiration)",
	"Status of the 'Account lockout threshold' setting",
	"Status of the permissions set on the '/etc/shadow' file",
	"Status of the 'SMB v1' protocol support",
	"Status of the 'auditd' service",
	"Status of the 'Interactive logon: Message text for users attempting to log on' setting",
	"Status of the 'net.ipv4.ip_forward' kernel parameter",
	"Status of the 'Windows Firewall: Domain: Firewall state' setting",
	"Status of the 'Telnet' service & related packages",
	"Status of the 'NTP' synchronisation configuration",
	"Status of the 'Guest account status' setting",
}

var criticalities = []struct {
	label string
	value int
}{{"MINIMAL", 1}, {"MEDIUM", 2}, {"SERIOUS", 3}, {"CRITICAL", 4}, {"URGENT", 5}}

var servicePorts = []struct {
	port  int
	proto string
	ssl   bool
}{
	{22, "tcp", false}, {80, "tcp", false}, {443, "tcp", true}, {445, "tcp", false}, {3389, "tcp", true},
	{53, "udp", false}, {25, "tcp", false}, {8080, "tcp", false}, {8443, "tcp", true}, {3306, "tcp", false},
	{1433, "tcp", false}, {161, "udp", false}, {123, "udp", false}, {5432, "tcp", false},
}

var packages = []string{
	"openssl", "kernel", "bash", "glibc", "sudo", "curl", "openssh-server", "python3", "nss", "systemd",
	"libxml2", "firefox", "java-1.8.0-openjdk", "httpd", "nginx", "zlib", "expat", "polkit",
}
