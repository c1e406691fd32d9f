// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The baseline: Host List Detection decoded with encoding/xml DecodeElement, one HOST at a time,
// into plain structs, written the straightforward way. It is what HostDetections is measured
// against (BenchmarkHostDetectionsEncodingXML) and checked against (TestHostDetectionsMatchEncodingXML).

type xmlHost struct {
	ID                int64     `xml:"ID"`
	AssetID           int64     `xml:"ASSET_ID"`
	IP                string    `xml:"IP"`
	IPv6              string    `xml:"IPV6"`
	TrackingMethod    string    `xml:"TRACKING_METHOD"`
	NetworkID         int64     `xml:"NETWORK_ID"`
	OS                string    `xml:"OS"`
	OSCPE             string    `xml:"OS_CPE"`
	DNS               string    `xml:"DNS"`
	Hostname          string    `xml:"DNS_DATA>HOSTNAME"`
	Domain            string    `xml:"DNS_DATA>DOMAIN"`
	FQDN              string    `xml:"DNS_DATA>FQDN"`
	CloudProvider     string    `xml:"CLOUD_PROVIDER"`
	CloudService      string    `xml:"CLOUD_SERVICE"`
	CloudResourceID   string    `xml:"CLOUD_RESOURCE_ID"`
	EC2InstanceID     string    `xml:"EC2_INSTANCE_ID"`
	NetBIOS           string    `xml:"NETBIOS"`
	QGHostID          string    `xml:"QG_HOSTID"`
	LastScan          time.Time `xml:"LAST_SCAN_DATETIME"`
	LastVMScanned     time.Time `xml:"LAST_VM_SCANNED_DATE"`
	LastVMAuthScanned time.Time `xml:"LAST_VM_AUTH_SCANNED_DATE"`
	LastPCScanned     time.Time `xml:"LAST_PC_SCANNED_DATE"`
	Tags              []struct {
		ID   int64  `xml:"TAG_ID"`
		Name string `xml:"NAME"`
	} `xml:"TAGS>TAG"`
	AssetRiskScore        int            `xml:"ASSET_RISK_SCORE"`
	TruRiskScore          int            `xml:"TRURISK_SCORE"`
	AssetCriticalityScore int            `xml:"ASSET_CRITICALITY_SCORE"`
	SerialNumber          string         `xml:"SERIAL_NUMBER"`
	Detections            []xmlDetection `xml:"DETECTION_LIST>DETECTION"`
}

type xmlDetection struct {
	UniqueVulnID int64  `xml:"UNIQUE_VULN_ID"`
	QID          int64  `xml:"QID"`
	Type         string `xml:"TYPE"`
	Severity     int    `xml:"SEVERITY"`
	Port         int    `xml:"PORT"`
	Protocol     string `xml:"PROTOCOL"`
	FQDN         string `xml:"FQDN"`
	SSL          int    `xml:"SSL"`
	Instance     string `xml:"INSTANCE"`
	Results      string `xml:"RESULTS"`
	Status       string `xml:"STATUS"`
	QDS          struct {
		Value    int    `xml:",chardata"`
		Severity string `xml:"severity,attr"`
	} `xml:"QDS"`
	QDSFactors []struct {
		Name  string `xml:"name,attr"`
		Value string `xml:",chardata"`
	} `xml:"QDS_FACTORS>QDS_FACTOR"`
	FirstFound     time.Time `xml:"FIRST_FOUND_DATETIME"`
	LastFound      time.Time `xml:"LAST_FOUND_DATETIME"`
	TimesFound     int       `xml:"TIMES_FOUND"`
	LastTest       time.Time `xml:"LAST_TEST_DATETIME"`
	LastUpdate     time.Time `xml:"LAST_UPDATE_DATETIME"`
	LastFixed      time.Time `xml:"LAST_FIXED_DATETIME"`
	FirstReopened  time.Time `xml:"FIRST_REOPENED_DATETIME"`
	LastReopened   time.Time `xml:"LAST_REOPENED_DATETIME"`
	TimesReopened  int       `xml:"TIMES_REOPENED"`
	Service        string    `xml:"SERVICE"`
	IsIgnored      int       `xml:"IS_IGNORED"`
	IsDisabled     int       `xml:"IS_DISABLED"`
	AffectsKernel  int       `xml:"AFFECT_RUNNING_KERNEL"`
	AffectsService int       `xml:"AFFECT_RUNNING_SERVICE"`
	AffectsConfig  int       `xml:"AFFECT_EXPLOITABLE_CONFIG"`
	LastProcessed  time.Time `xml:"LAST_PROCESSED_DATETIME"`
}

// decodeWithEncodingXML walks the document with encoding/xml and calls fn for each HOST.
func decodeWithEncodingXML(r io.Reader, fn func(*xmlHost)) error {
	dec := xml.NewDecoder(r)
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "HOST" {
			continue
		}
		var h xmlHost
		if err := dec.DecodeElement(&h, &se); err != nil {
			return err
		}
		fn(&h)
	}
}

// toOurs converts a baseline host into the decoder's records for comparison.
func (h *xmlHost) toOurs() (*Host, []Detection) {
	host := &Host{
		ID: h.ID, AssetID: h.AssetID, IP: h.IP, IPv6: h.IPv6, TrackingMethod: h.TrackingMethod,
		NetworkID: h.NetworkID, OS: h.OS, OSCPE: h.OSCPE, DNS: h.DNS,
		DNSData:       DNSData{Hostname: h.Hostname, Domain: h.Domain, FQDN: h.FQDN},
		CloudProvider: h.CloudProvider, CloudService: h.CloudService, CloudResourceID: h.CloudResourceID,
		EC2InstanceID: h.EC2InstanceID, NetBIOS: h.NetBIOS, QGHostID: h.QGHostID,
		LastScanDatetime: h.LastScan, LastVMScannedDate: h.LastVMScanned,
		LastVMAuthScannedDate: h.LastVMAuthScanned,
		LastPCScannedDate:     h.LastPCScanned, AssetRiskScore: h.AssetRiskScore, TruRiskScore: h.TruRiskScore,
		AssetCriticalityScore: h.AssetCriticalityScore, SerialNumber: h.SerialNumber,
	}
	for _, t := range h.Tags {
		host.Tags = append(host.Tags, Tag{ID: t.ID, Name: t.Name})
	}
	dets := make([]Detection, 0, len(h.Detections))
	for _, x := range h.Detections {
		d := Detection{
			Host: host, QID: x.QID, UniqueVulnID: x.UniqueVulnID, Type: x.Type, Severity: x.Severity,
			Port: x.Port, Protocol: x.Protocol, FQDN: x.FQDN, SSL: x.SSL != 0, Instance: x.Instance,
			Service: x.Service, Status: x.Status, Results: x.Results, QDS: x.QDS.Value,
			QDSSeverity: x.QDS.Severity, FirstFound: x.FirstFound, LastFound: x.LastFound,
			LastTest: x.LastTest, LastUpdate: x.LastUpdate, LastFixed: x.LastFixed,
			FirstReopened: x.FirstReopened, LastReopened: x.LastReopened, LastProcessed: x.LastProcessed,
			TimesFound: x.TimesFound, TimesReopened: x.TimesReopened, IsIgnored: x.IsIgnored != 0,
			IsDisabled: x.IsDisabled != 0, AffectsKernel: x.AffectsKernel != 0,
			AffectsService: x.AffectsService != 0, AffectsConfig: x.AffectsConfig != 0,
		}
		for _, f := range x.QDSFactors {
			d.QDSFactors = append(d.QDSFactors, QDSFactor{Name: f.Name, Value: f.Value})
		}
		dets = append(dets, d)
	}
	return host, dets
}

// TestHostDetectionsMatchEncodingXML is the differential test: on the generated benchmark input
// the decoder and the encoding/xml baseline produce identical records.
func TestHostDetectionsMatchEncodingXML(t *testing.T) {
	doc, wantDets := genHLD(7, 4<<20)
	var want []Detection
	var wantHosts []*Host
	require.NoError(t, decodeWithEncodingXML(bytes.NewReader(doc), func(h *xmlHost) {
		host, dets := h.toOurs()
		wantHosts = append(wantHosts, host)
		want = append(want, dets...)
	}))
	require.Len(t, want, wantDets)

	d := NewHostDetections(bytes.NewReader(doc))
	d.MaxResultsBytes = 1 << 20
	var got []Detection
	var gotHosts []*Host
	for {
		k, err := d.Next()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		switch k {
		case KindHostStart:
			gotHosts = append(gotHosts, d.Host())
		case KindDetection:
			got = append(got, *d.Detection().Clone())
		}
	}
	require.Len(t, gotHosts, len(wantHosts))
	for i := range wantHosts {
		require.Equal(t, *wantHosts[i], *gotHosts[i], "host %d", i)
	}
	require.Len(t, got, len(want))
	for i := range want {
		w, g := want[i], got[i]
		assert.Equal(t, w.Host.ID, g.Host.ID)
		w.Host, g.Host = nil, nil
		if len(w.QDSFactors) == 0 {
			w.QDSFactors = nil
		}
		if len(g.QDSFactors) == 0 {
			g.QDSFactors = nil
		}
		require.Equal(t, w, g, "detection %d", i)
	}
	require.NotNil(t, d.Warning())
	assert.Equal(t, 1980, d.Warning().Code)
}

func BenchmarkHostDetectionsEncodingXML(b *testing.B) {
	doc, dets := benchHLD(32 << 20)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		err := decodeWithEncodingXML(bytes.NewReader(doc), func(h *xmlHost) { n += len(h.Detections) })
		if err != nil {
			b.Fatal(err)
		}
	}
	if n != dets*b.N {
		b.Fatalf("decoded %d detections, want %d", n, dets*b.N)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "detections/s")
}

func BenchmarkHostDetections(b *testing.B) {
	for _, fresh := range []bool{false, true} {
		name := "reuse"
		if fresh {
			name = "fresh"
		}
		b.Run(name, func(b *testing.B) {
			doc, dets := benchHLD(32 << 20)
			b.SetBytes(int64(len(doc)))
			b.ReportAllocs()
			b.ResetTimer()
			n := 0
			for b.Loop() {
				d := NewHostDetections(bytes.NewReader(doc))
				d.FreshRecords = fresh
				for {
					det, err := d.Read()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					if det.QID != 0 {
						n++
					}
				}
			}
			if n != dets*b.N {
				b.Fatalf("decoded %d detections, want %d", n, dets*b.N)
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "detections/s")
		})
	}
}
