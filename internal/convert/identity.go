// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

// Package convert turns Qualys records into pdata: the host identity every stream puts on its
// resources, and one converter per stream. Attribute names live in attributes.go and nowhere else.
package convert // import "github.com/seed-d80aa3af/qualysreceiver/internal/convert"

import (
	"net/netip"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// HostIdentity is what identifies a host in every stream, so a backend joins assets, detections and
// postures without guessing. The streams fill it from whatever their API returns for the host.
type HostIdentity struct {
	HostID  int64
	AssetID int64
	// DNS, NetBIOS and the IPs choose host.name: the DNS name, else the NetBIOS name, else the IP.
	DNS     string
	NetBIOS string
	IPv4    string
	IPv6    string
	OS      string
	// CloudProvider and CloudResourceID are set where Qualys knows them.
	CloudProvider   string
	CloudResourceID string
}

// HostName is the host's name as every stream reports it.
func (h *HostIdentity) HostName() string {
	switch {
	case h.DNS != "":
		return strings.ToLower(h.DNS)
	case h.NetBIOS != "":
		return h.NetBIOS
	case h.IPv4 != "":
		return h.IPv4
	default:
		return h.IPv6
	}
}

// FillResource writes the host identity on res: the same attributes in every stream, so backends
// join on them. Stream-specific resource attributes (the assets stream's host.mac) are added after.
func (h *HostIdentity) FillResource(res pcommon.Resource) {
	attrs := res.Attributes()
	attrs.EnsureCapacity(11)
	attrs.PutInt(AttrQualysHostID, h.HostID)
	if h.AssetID != 0 {
		attrs.PutInt(AttrQualysAssetID, h.AssetID)
	}
	if name := h.HostName(); name != "" {
		attrs.PutStr(AttrHostName, name)
	}
	if h.IPv4 != "" || h.IPv6 != "" {
		ips := attrs.PutEmptySlice(AttrHostIP)
		for _, ip := range []string{h.IPv4, h.IPv6} {
			if ip != "" {
				ips.AppendEmpty().SetStr(normalizeIP(ip))
			}
		}
	}
	if h.OS != "" {
		if t := OSType(h.OS); t != "" {
			attrs.PutStr(AttrOSType, t)
		}
		attrs.PutStr(AttrOSDescription, h.OS)
	}
	if h.CloudProvider != "" {
		attrs.PutStr(AttrCloudProvider, cloudProvider(h.CloudProvider))
	}
	if h.CloudResourceID != "" {
		attrs.PutStr(AttrCloudResourceID, h.CloudResourceID)
	}
}

// Source is the subscription records and metrics come from: the host of the API server they were
// pulled from and the id of the receiver that pulled them (qualys/us). Two receivers polling two
// subscriptions write different sources, so their hosts and series never merge downstream. An empty
// field is left out (its resource attribute is disabled).
type Source struct {
	APIServer  string
	ReceiverID string
}

// FillResource writes the source on res, beside the host identity or on a metrics resource.
func (s Source) FillResource(res pcommon.Resource) {
	attrs := res.Attributes()
	if s.APIServer != "" {
		attrs.PutStr(AttrServerAddress, s.APIServer)
	}
	if s.ReceiverID != "" {
		attrs.PutStr(AttrReceiverID, s.ReceiverID)
	}
}

// normalizeIP writes IPv6 addresses in RFC 5952 form, as host.ip asks; other text passes unchanged.
func normalizeIP(s string) string {
	if addr, err := netip.ParseAddr(strings.TrimSpace(s)); err == nil {
		return addr.String()
	}
	return strings.TrimSpace(s)
}

// OSType maps a Qualys OS string onto the os.type enum of the semantic conventions; "" when none fits.
func OSType(os string) string {
	l := strings.ToLower(os)
	switch {
	case strings.Contains(l, "windows"):
		return "windows"
	case strings.Contains(l, "mac os") || strings.Contains(l, "macos") || strings.Contains(l, "os x") || strings.Contains(l, "darwin"):
		return "darwin"
	case strings.Contains(l, "freebsd"):
		return "freebsd"
	case strings.Contains(l, "netbsd"):
		return "netbsd"
	case strings.Contains(l, "openbsd"):
		return "openbsd"
	case strings.Contains(l, "hp-ux") || strings.Contains(l, "hpux"):
		return "hpux"
	case strings.HasPrefix(l, "aix") || strings.Contains(l, " aix"):
		return "aix"
	case strings.Contains(l, "solaris") || strings.Contains(l, "sunos"):
		return "solaris"
	case strings.Contains(l, "z/os"):
		return "zos"
	case strings.Contains(l, "linux") || strings.Contains(l, "ubuntu") || strings.Contains(l, "debian") ||
		strings.Contains(l, "red hat") || strings.Contains(l, "centos") || strings.Contains(l, "suse") ||
		strings.Contains(l, "amazon") || strings.Contains(l, "rocky") || strings.Contains(l, "alma") ||
		strings.Contains(l, "oracle enterprise") || strings.Contains(l, "fedora"):
		return "linux"
	}
	return ""
}

// cloudProvider maps Qualys' provider names onto cloud.provider values.
func cloudProvider(p string) string {
	switch strings.ToUpper(strings.TrimSpace(p)) {
	case "AWS", "EC2":
		return "aws"
	case "AZURE":
		return "azure"
	case "GCP", "GOOGLE":
		return "gcp"
	case "IBM":
		return "ibm_cloud"
	case "ALIBABA":
		return "alibaba_cloud"
	case "OCI", "ORACLE":
		return "oracle_cloud"
	}
	return strings.ToLower(strings.TrimSpace(p))
}

// MAC writes a MAC address in IEEE RA form (AC-DE-48-23-45-67), as host.mac asks; "" when s is not
// a MAC address.
func MAC(s string) string {
	hex := make([]byte, 0, 12)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9', c >= 'A' && c <= 'F':
			hex = append(hex, c)
		case c >= 'a' && c <= 'f':
			hex = append(hex, c-'a'+'A')
		case c == ':' || c == '-' || c == '.' || c == ' ':
		default:
			return ""
		}
	}
	if len(hex) != 12 {
		return ""
	}
	out := make([]byte, 0, 17)
	for i := 0; i < 12; i += 2 {
		if i > 0 {
			out = append(out, '-')
		}
		out = append(out, hex[i], hex[i+1])
	}
	return string(out)
}
