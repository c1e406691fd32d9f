// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package convert // import "github.com/seed-d80aa3af/qualysreceiver/internal/convert"

import (
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/seed-d80aa3af/qualysreceiver/internal/decode"
)

// HostFromVM is the identity of a host as Host List and Host List Detection describe it.
func HostFromVM(h *decode.Host) HostIdentity {
	id := HostIdentity{
		HostID:          h.ID,
		AssetID:         h.AssetID,
		DNS:             h.DNS,
		NetBIOS:         h.NetBIOS,
		IPv4:            h.IP,
		IPv6:            h.IPv6,
		OS:              h.OS,
		CloudProvider:   h.CloudProvider,
		CloudResourceID: h.CloudResourceID,
	}
	if id.DNS == "" {
		id.DNS = h.DNSData.FQDN
	}
	if id.CloudResourceID == "" {
		id.CloudResourceID = h.EC2InstanceID
	}
	return id
}

// FillDetectionResource writes what every detection of h carries on its resource: the host
// identity id (HostFromVM of h) and the host's tag names.
func FillDetectionResource(res pcommon.Resource, id *HostIdentity, h *decode.Host) {
	id.FillResource(res)
	putTags(res.Attributes(), h.Tags, nil)
}

// DetectionTime is when a detection last changed: its last update, else when it was last
// processed, else last found. A backend sorts detections by it; the poll time is the observed time.
func DetectionTime(d *decode.Detection) time.Time {
	for _, t := range []time.Time{d.LastUpdate, d.LastProcessed, d.LastFound, d.FirstFound} {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

// Detection writes one detection into lr, a record just appended (its attributes empty). Fields
// Qualys left empty are left out, not written as zero, so a backend can tell "not reported" from 0.
func Detection(lr plog.LogRecord, d *decode.Detection, observed time.Time) {
	lr.SetEventName(EventDetection)
	lr.SetObservedTimestamp(pcommon.NewTimestampFromTime(observed))
	if t := DetectionTime(d); !t.IsZero() {
		lr.SetTimestamp(pcommon.NewTimestampFromTime(t))
	}
	num, text := DetectionSeverity(d.Severity)
	lr.SetSeverityNumber(num)
	lr.SetSeverityText(text)

	var attrs detectionAttrs
	attrs.read(d)
	attrs.writeTo(lr.Attributes())
}

// Slots of a detection's attributes, in the order they are written; detectionKeys names them.
const (
	slotQID = iota
	slotType
	slotStatus
	slotSeverity
	slotUniqueID
	slotPort
	slotTransport
	slotSSL
	slotInstance
	slotService
	slotFQDN
	slotFirstFound    // the eight dates, in detectionTimeKeys order
	slotTimesReopened = slotFirstFound + len(detectionTimeKeys)
)

const (
	slotTimesFound = slotTimesReopened + 1 + iota
	slotQDS
	slotQDSSeverity
	slotQDSFactors
	slotResults
	slotResultsCut
	slotIgnored
	slotDisabled
	slotKernel
	slotRunningService
	slotExploitableConfig
	slotVendor
	slotEnumeration
	numSlots
)

var detectionKeys = func() (keys [numSlots]string) {
	keys[slotQID], keys[slotType], keys[slotStatus] = AttrQID, AttrDetectionType, AttrDetectionStatus
	keys[slotSeverity], keys[slotUniqueID], keys[slotPort] = AttrSeverity, AttrDetectionUniqueID, AttrServerPort
	keys[slotTransport], keys[slotSSL], keys[slotInstance] = AttrNetworkTransport, AttrDetectionSSL, AttrDetectionInstance
	keys[slotService], keys[slotFQDN] = AttrDetectionService, AttrDetectionFQDN
	copy(keys[slotFirstFound:], detectionTimeKeys[:])
	keys[slotTimesReopened], keys[slotTimesFound] = AttrDetectionTimesReopened, AttrDetectionTimesFound
	keys[slotQDS], keys[slotQDSSeverity], keys[slotQDSFactors] = AttrDetectionQDS, AttrDetectionQDSSeverity, AttrDetectionQDSFactors
	keys[slotResults], keys[slotResultsCut] = AttrDetectionResults, AttrDetectionResultsCut
	keys[slotIgnored], keys[slotDisabled], keys[slotKernel] = AttrDetectionIgnored, AttrDetectionDisabled, AttrDetectionRunningKernel
	keys[slotRunningService], keys[slotExploitableConfig] = AttrDetectionRunningService, AttrDetectionExploitableConfig
	keys[slotVendor], keys[slotEnumeration] = AttrVulnScannerVendor, AttrVulnEnumeration
	return keys
}()

// detectionTimeKeys name a detection's dates in the order they are written.
var detectionTimeKeys = [8]string{
	AttrDetectionFirstFound, AttrDetectionLastFound, AttrDetectionLastTest, AttrDetectionLastUpdate,
	AttrDetectionLastFixed, AttrDetectionLastProcessed, AttrDetectionFirstReopened, AttrDetectionLastReopened,
}

// detectionAttrs are the attributes of one detection before they go into a pcommon.Map: mask has
// a bit per slot present, vals the values of the present slots in slot order.
type detectionAttrs struct {
	mask    uint64
	n       int
	vals    [numSlots]attrValue
	factors []decode.QDSFactor
}

type attrValue struct {
	slot uint8
	kind valueKind
	str  string
	num  int64
}

type valueKind uint8

const (
	kindStr valueKind = iota
	kindInt
	kindBool
	kindFactors
)

func (r *detectionAttrs) add(slot int, v attrValue) {
	v.slot = uint8(slot)
	r.mask |= 1 << slot
	r.vals[r.n] = v
	r.n++
}

func (r *detectionAttrs) str(slot int, v string) {
	if v != "" {
		r.add(slot, attrValue{kind: kindStr, str: v})
	}
}

// posInt adds v when it is positive, nonZero when it is not 0: Qualys omits these when unknown.
func (r *detectionAttrs) posInt(slot int, v int64) {
	if v > 0 {
		r.add(slot, attrValue{kind: kindInt, num: v})
	}
}

func (r *detectionAttrs) nonZero(slot int, v int64) {
	if v != 0 {
		r.add(slot, attrValue{kind: kindInt, num: v})
	}
}

func (r *detectionAttrs) boolean(slot int, v bool) {
	if v {
		r.add(slot, attrValue{kind: kindBool, num: 1})
	} else {
		r.add(slot, attrValue{kind: kindBool})
	}
}

// read takes the attributes of d, in slot order.
func (r *detectionAttrs) read(d *decode.Detection) {
	r.add(slotQID, attrValue{kind: kindInt, num: d.QID})
	r.str(slotType, d.Type)
	r.str(slotStatus, d.Status)
	r.posInt(slotSeverity, int64(d.Severity))
	r.nonZero(slotUniqueID, d.UniqueVulnID)
	r.nonZero(slotPort, int64(d.Port))
	if d.Protocol != "" {
		r.str(slotTransport, strings.ToLower(d.Protocol))
	}
	if d.SSL {
		r.boolean(slotSSL, true)
	}
	r.str(slotInstance, d.Instance)
	r.str(slotService, d.Service)
	r.str(slotFQDN, d.FQDN)
	r.times(d)
	r.posInt(slotTimesReopened, int64(d.TimesReopened))
	r.posInt(slotTimesFound, int64(d.TimesFound))
	r.posInt(slotQDS, int64(d.QDS))
	r.str(slotQDSSeverity, d.QDSSeverity)
	if len(d.QDSFactors) > 0 {
		r.factors = d.QDSFactors
		r.add(slotQDSFactors, attrValue{kind: kindFactors})
	}
	r.str(slotResults, d.Results)
	if d.ResultsTruncated {
		r.boolean(slotResultsCut, true)
	}
	r.boolean(slotIgnored, d.IsIgnored)
	r.boolean(slotDisabled, d.IsDisabled)
	if d.AffectsKernel {
		r.boolean(slotKernel, true)
	}
	if d.AffectsService {
		r.boolean(slotRunningService, true)
	}
	if d.AffectsConfig {
		r.boolean(slotExploitableConfig, true)
	}
	r.str(slotVendor, "Qualys")
	r.str(slotEnumeration, "QID")
}

// rfc3339Len is the length of a UTC time in RFC 3339 without fractional seconds.
const rfc3339Len = len("2006-01-02T15:04:05Z")

// times adds the dates as putTime writes them, formatted into one string: one allocation per
// record instead of one per date.
func (r *detectionAttrs) times(d *decode.Detection) {
	times := [len(detectionTimeKeys)]time.Time{
		d.FirstFound, d.LastFound, d.LastTest, d.LastUpdate,
		d.LastFixed, d.LastProcessed, d.FirstReopened, d.LastReopened,
	}
	var buf [len(times) * rfc3339Len]byte
	b := buf[:0]
	var ends [len(times)]int
	for i, t := range times {
		if !t.IsZero() {
			b = appendTime(b, t)
		}
		ends[i] = len(b)
	}
	if len(b) == 0 {
		return
	}
	all := string(b)
	start := 0
	for i, end := range ends {
		if end > start {
			r.add(slotFirstFound+i, attrValue{kind: kindStr, str: all[start:end]})
		}
		start = end
	}
}

// detectionCapacity leaves room for the KnowledgeBase join, which adds up to 23 attributes.
const detectionCapacity = 56

// writeTo puts the attributes into a, in slot order.
func (r *detectionAttrs) writeTo(a pcommon.Map) {
	a.EnsureCapacity(detectionCapacity)
	for i := range r.n {
		v := &r.vals[i]
		key := detectionKeys[v.slot]
		switch v.kind {
		case kindStr:
			a.PutStr(key, v.str)
		case kindInt:
			a.PutInt(key, v.num)
		case kindBool:
			a.PutBool(key, v.num != 0)
		case kindFactors:
			m := a.PutEmptyMap(key)
			m.EnsureCapacity(len(r.factors))
			for _, f := range r.factors {
				m.PutStr(f.Name, f.Value)
			}
		}
	}
}

func putStr(a pcommon.Map, key, v string) {
	if v != "" {
		a.PutStr(key, v)
	}
}

// putTime writes a time as RFC 3339 text in UTC, the form every backend parses.
func putTime(a pcommon.Map, key string, t time.Time) {
	if !t.IsZero() {
		a.PutStr(key, string(appendTime(make([]byte, 0, rfc3339Len), t)))
	}
}

// appendTime appends t.UTC().Format(time.RFC3339). Years 0 to 9999 take a fast path that writes
// the digits directly; others go through time.AppendFormat.
func appendTime(b []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.AppendFormat(b, time.RFC3339)
	}
	hour, minute, sec := t.Clock()
	b = append(b, byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), '-')
	b = append2(b, int(month), '-')
	b = append2(b, day, 'T')
	b = append2(b, hour, ':')
	b = append2(b, minute, ':')
	return append2(b, sec, 'Z')
}

// append2 appends v (0 to 99) as two digits, then sep.
func append2(b []byte, v int, sep byte) []byte {
	return append(b, byte('0'+v/10), byte('0'+v%10), sep)
}
