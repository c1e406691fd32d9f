// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/seed-d80aa3af/qualysreceiver/internal/compliance"
	"github.com/seed-d80aa3af/qualysreceiver/internal/decode"
	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
	"github.com/seed-d80aa3af/qualysreceiver/internal/simulator"
)

// Security of issue 8: no credential or token in anything the receiver writes, and XML that can
// neither reach out (DTD, external entities) nor blow up (entity expansion, oversized elements).
// TLS verification by default and the http-only-on-loopback rule are tested in the root package
// (tls_test.go, config_test.go), where the configuration defaults live.

// authRecorder serves the simulator and keeps the credentials each request carried, so the test
// knows every token the receiver was given.
type authRecorder struct {
	mu     sync.Mutex
	values map[string]bool
}

func (a *authRecorder) wrap(e *simEnv) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if v := r.Header.Get("Authorization"); v != "" {
			a.mu.Lock()
			a.values[v] = true
			a.mu.Unlock()
		}
		// PCRS answers carry no DATETIME; the gateway's Date header is the stream's server time.
		w.Header().Set("Date", e.clock().UTC().Format(http.TimeFormat))
		e.server.ServeHTTP(w, r)
	})
}

// secrets are the strings that must never be written: the credentials as configured, encoded for
// basic auth, and every bearer token the gateway issued (whole, and its signature).
func (a *authRecorder) secrets(t *testing.T, user string, passwords ...string) []string {
	t.Helper()
	var out []string
	for _, p := range passwords {
		out = append(out, p, url.QueryEscape(p), base64.StdEncoding.EncodeToString([]byte(user+":"+p)))
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	tokens := 0
	for v := range a.values {
		scheme, cred, _ := strings.Cut(v, " ")
		out = append(out, cred)
		if scheme == "Bearer" {
			tokens++
			parts := strings.Split(cred, ".")
			require.Len(t, parts, 3, "a JWT")
			out = append(out, parts[2])
		}
	}
	require.Positive(t, tokens, "the gateway issued tokens")
	return out
}

// Polls that fail in every authentication way (bad password, 2001, 2003, 401, a JWT rejected on
// every call) and the start-up checks run with a distinctive password; neither the password, nor
// its basic-auth encoding, nor any token appears in a log line (debug level included), an error,
// the receiver's own metrics, the emitted data or the request URLs and bodies Qualys received.
func TestCredentialsNeverLeak(t *testing.T) {
	const (
		user          = "leak_canary_user"
		password      = "Pw-canary-7f3Qz!x9%/+"
		wrongPassword = "Wrong-canary-Kd82#q&="
	)
	e := newFaultEnv(t, simulator.TenantConfig{Hosts: 20, DetectionsPerHost: 2, Policies: 2, ControlsPerPolicy: 3},
		simulator.Options{Username: user, Password: password}, faultEnvOptions{})
	rec := &authRecorder{values: map[string]bool{}}
	srv := httptest.NewServer(rec.wrap(e.simEnv))
	t.Cleanup(srv.Close)

	var errs []string
	run := func(pw string, faults ...simulator.Fault) {
		e.server.ClearFaults()
		for _, f := range faults {
			_, err := e.server.InjectFault(f)
			require.NoError(t, err)
		}
		e.client = newTestClient(t, srv.URL, user, pw, e.telemetry, simClock{e.simEnv}, e.logger)
		vuln := e.vulnStream(t, nil)
		comp := newComplianceStream(t, e.simEnv, func(c *compliance.Settings) { c.Telemetry = e.telemetry })
		for _, s := range []interface {
			Stream
			checked
		}{vuln, comp} {
			p := e.poller(s)
			p.check(t.Context(), s)
			if err := p.pollOnce(t.Context()); err != nil {
				errs = append(errs, err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err))
				var qe *qualys.Error
				if errors.As(err, &qe) {
					errs = append(errs, qualys.OperatorMessage(s.Name(), "poll", err), fmt.Sprintf("%#v", *qe))
				}
			}
		}
		e.advance(time.Hour)
	}
	run(password) // tokens issued, data emitted
	run(wrongPassword)
	run(password, simulator.Fault{Kind: simulator.FaultAccountExpired, Count: -1})
	run(password, simulator.Fault{Kind: simulator.FaultRegistration, Count: -1})
	run(password, simulator.Fault{Kind: simulator.FaultBadLogin, Count: -1})
	run(password, simulator.Fault{Kind: simulator.FaultJWTExpired, Count: -1})
	require.Positive(t, e.metric(metricPolls, kv("error_kind", "auth")), "polls failed on authentication")
	require.Positive(t, e.metric(metricRequests, kv("outcome", "token_expired")))

	var hay strings.Builder
	for _, entry := range e.logs.All() {
		fmt.Fprintln(&hay, entry.Level, entry.LoggerName, entry.Message, entry.ContextMap(), entry.Stack)
	}
	require.Positive(t, e.logs.Len())
	for _, s := range errs {
		fmt.Fprintln(&hay, s)
	}
	require.NotEmpty(t, errs)
	writeTelemetry(t, &hay, e)
	for _, ld := range e.sinks.logs {
		b, err := (&plog.JSONMarshaler{}).MarshalLogs(ld)
		require.NoError(t, err)
		hay.Write(b)
	}
	for _, md := range e.sinks.metrics {
		b, err := (&pmetric.JSONMarshaler{}).MarshalMetrics(md)
		require.NoError(t, err)
		hay.Write(b)
	}
	for _, r := range e.server.Requests() {
		fmt.Fprintln(&hay, r.Method, r.Path, r.RawQuery, r.Header)
		if r.Endpoint != simulator.EndpointAuth {
			// Only the gateway login carries the password in its body, as the gateway requires.
			fmt.Fprintln(&hay, r.Body)
		}
	}
	haystack := hay.String()
	for _, secret := range append(rec.secrets(t, user, password, wrongPassword), "Bearer ", "Basic ") {
		if i := strings.Index(haystack, secret); i >= 0 {
			t.Errorf("%q written: …%s…", secret, haystack[max(0, i-120):min(len(haystack), i+len(secret)+40)])
		}
	}
}

// writeTelemetry writes every metric the receiver recorded about itself, names and attributes.
func writeTelemetry(t *testing.T, w io.Writer, e *faultEnv) {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, e.tel.Reader.Collect(t.Context(), &rm))
	n := 0
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			n++
			fmt.Fprintln(w, m.Name, m.Description)
			for _, set := range attributeSets(m.Data) {
				fmt.Fprintln(w, set.Encoded(attribute.DefaultEncoder()))
			}
		}
	}
	require.Positive(t, n)
}

func attributeSets(data metricdata.Aggregation) []attribute.Set {
	var out []attribute.Set
	switch d := data.(type) {
	case metricdata.Sum[int64]:
		for _, p := range d.DataPoints {
			out = append(out, p.Attributes)
		}
	case metricdata.Sum[float64]:
		for _, p := range d.DataPoints {
			out = append(out, p.Attributes)
		}
	case metricdata.Gauge[int64]:
		for _, p := range d.DataPoints {
			out = append(out, p.Attributes)
		}
	case metricdata.Histogram[float64]:
		for _, p := range d.DataPoints {
			out = append(out, p.Attributes)
		}
	}
	return out
}

// trap is a server no decoder may ever reach: a hit fails the test.
func trap(t *testing.T) (base string, hits *atomic.Int32) {
	t.Helper()
	hits = &atomic.Int32{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		t.Errorf("a decoder fetched %s", r.URL)
		_, _ = io.WriteString(w, `<!ENTITY leaked "LEAKED">`)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, hits
}

// hostileDoctype declares a remote DTD, a remote parameter entity used in the subset, an external
// entity and an internal one: a parser that honoured any of it would fetch from base or expand.
func hostileDoctype(root, base string) string {
	return fmt.Sprintf(`<!DOCTYPE %s SYSTEM "%s/dtd" [
  <!ENTITY %% remote SYSTEM "%s/param">
  %%remote;
  <!ENTITY ext SYSTEM "%s/entity">
  <!ENTITY file SYSTEM "file:///etc/passwd">
  <!ENTITY int "EXPANDED">
]>`, root, base, base, base)
}

// billionLaughs declares ten levels of entities, each ten of the one below: 10^9 "lol"s (3 GB)
// if &lol9; were expanded.
func billionLaughs(root string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<!DOCTYPE %s [\n  <!ENTITY lol \"lol\">\n", root)
	for i := 1; i <= 9; i++ {
		prev := "lol"
		if i > 1 {
			prev = fmt.Sprintf("lol%d", i-1)
		}
		fmt.Fprintf(&b, "  <!ENTITY lol%d \"%s\">\n", i, strings.Repeat("&"+prev+";", 10))
	}
	b.WriteString("]>")
	return b.String()
}

// xmlDecoder is one of the XML decoders, with a document that returns one text field: before and
// after surround the field's text.
type xmlDecoder struct {
	name          string
	root          string
	before, after string
	// read decodes to the end: the field's values, the records skipped, and the stream error (nil
	// at a clean end).
	read func(r io.Reader) (values []string, skipped []error, err error)
}

// drain runs a decoder's step until io.EOF or a stream error.
func drain(step func() (string, bool, error)) (values []string, skipped []error, err error) {
	for {
		v, ok, err := step()
		if errors.Is(err, io.EOF) {
			return values, skipped, nil
		}
		var re *decode.RecordError
		if errors.As(err, &re) {
			skipped = append(skipped, err)
			continue
		}
		if err != nil {
			return values, skipped, err
		}
		if ok {
			values = append(values, v)
		}
	}
}

var xmlDecoders = []xmlDecoder{
	{
		name:   "HostDetections",
		root:   "HOST_LIST_VM_DETECTION_OUTPUT",
		before: `<HOST_LIST_VM_DETECTION_OUTPUT><RESPONSE><DATETIME>2026-01-15T12:00:00Z</DATETIME><HOST_LIST><HOST><ID>1</ID><DNS>`,
		after:  `</DNS><DETECTION_LIST><DETECTION><QID>2</QID><STATUS>New</STATUS></DETECTION></DETECTION_LIST></HOST></HOST_LIST></RESPONSE></HOST_LIST_VM_DETECTION_OUTPUT>`,
		read: func(r io.Reader) ([]string, []error, error) {
			d := decode.NewHostDetections(r)
			return drain(func() (string, bool, error) {
				k, err := d.Next()
				return d.Host().DNS, err == nil && k == decode.KindHostStart, err
			})
		},
	},
	{
		name:   "HostList",
		root:   "HOST_LIST_OUTPUT",
		before: `<HOST_LIST_OUTPUT><RESPONSE><DATETIME>2026-01-15T12:00:00Z</DATETIME><HOST_LIST><HOST><ID>1</ID><DNS>`,
		after:  `</DNS></HOST></HOST_LIST></RESPONSE></HOST_LIST_OUTPUT>`,
		read: func(r io.Reader) ([]string, []error, error) {
			d := decode.NewHostList(r)
			return drain(func() (string, bool, error) {
				k, err := d.Next()
				if err != nil || k != decode.KindHost {
					return "", false, err
				}
				return d.Host().DNS, true, nil
			})
		},
	},
	{
		name:   "HostAssets",
		root:   "ServiceResponse",
		before: `<ServiceResponse><responseCode>SUCCESS</responseCode><count>1</count><data><HostAsset><id>1</id><name>`,
		after:  `</name></HostAsset></data><hasMoreRecords>false</hasMoreRecords></ServiceResponse>`,
		read: func(r io.Reader) ([]string, []error, error) {
			d := decode.NewHostAssets(r)
			return drain(func() (string, bool, error) {
				a, err := d.Read()
				if err != nil {
					return "", false, err
				}
				return a.Name, true, nil
			})
		},
	},
	{
		name:   "KnowledgeBase",
		root:   "KNOWLEDGE_BASE_VULN_LIST_OUTPUT",
		before: `<KNOWLEDGE_BASE_VULN_LIST_OUTPUT><RESPONSE><DATETIME>2026-01-15T12:00:00Z</DATETIME><VULN_LIST><VULN><QID>6</QID><TITLE>`,
		after:  `</TITLE></VULN></VULN_LIST></RESPONSE></KNOWLEDGE_BASE_VULN_LIST_OUTPUT>`,
		read: func(r io.Reader) ([]string, []error, error) {
			d := decode.NewKnowledgeBase(r)
			return drain(func() (string, bool, error) {
				v, err := d.Read()
				if err != nil {
					return "", false, err
				}
				return v.Title, true, nil
			})
		},
	},
	{
		name:   "PostureInfoList",
		root:   "POSTURE_INFO_LIST_OUTPUT",
		before: `<POSTURE_INFO_LIST_OUTPUT><RESPONSE><DATETIME>2026-01-15T12:00:00Z</DATETIME><INFO_LIST><INFO><ID>1</ID><HOST_ID>2</HOST_ID><CONTROL_ID>3</CONTROL_ID><INSTANCE>`,
		after:  `</INSTANCE><STATUS>Passed</STATUS></INFO></INFO_LIST></RESPONSE></POSTURE_INFO_LIST_OUTPUT>`,
		read: func(r io.Reader) ([]string, []error, error) {
			d := decode.NewPostureInfoList(r)
			return drain(func() (string, bool, error) {
				k, err := d.Next()
				if err != nil || k != decode.KindPosture {
					return "", false, err
				}
				return d.Info().Instance, true, nil
			})
		},
	},
	{
		name:   "SimpleReturn",
		root:   "SIMPLE_RETURN",
		before: `<SIMPLE_RETURN><RESPONSE><DATETIME>2026-01-15T12:00:00Z</DATETIME><CODE>2001</CODE><TEXT>`,
		after:  `</TEXT></RESPONSE></SIMPLE_RETURN>`,
		read: func(r io.Reader) ([]string, []error, error) {
			sr, err := decode.DecodeSimpleReturn(r)
			if err != nil {
				return nil, nil, err
			}
			return []string{sr.Text}, nil, nil
		},
	},
}

const xmlDecl = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

// The XML decoders fetch no DTD and expand no entity: a document whose DOCTYPE points at a server
// that fails the test if reached, with a remote parameter entity, an external entity and an
// internal one, decodes with the references kept as written and nothing fetched.
func TestDecodersFetchNoDTDExpandNoEntity(t *testing.T) {
	base, hits := trap(t)
	for _, dec := range xmlDecoders {
		t.Run(dec.name, func(t *testing.T) {
			doc := xmlDecl + hostileDoctype(dec.root, base) + dec.before + "a&ext;b&int;c&file;d&amp;" + dec.after
			values, skipped, err := dec.read(strings.NewReader(doc))
			require.NoError(t, err)
			require.Empty(t, skipped)
			require.Equal(t, []string{"a&ext;b&int;c&file;d&"}, values, "references are kept as written, never expanded")
		})
	}
	assert.Zero(t, hits.Load())
}

// A billion laughs returns at once, with the reference unexpanded.
func TestDecodersBillionLaughs(t *testing.T) {
	for _, dec := range xmlDecoders {
		t.Run(dec.name, func(t *testing.T) {
			doc := xmlDecl + billionLaughs(dec.root) + dec.before + "&lol9;" + dec.after
			peak := watchHeap(t)
			started := time.Now()
			values, _, err := dec.read(strings.NewReader(doc))
			elapsed := time.Since(started)
			grown := peak()
			require.NoError(t, err)
			assert.Equal(t, []string{"&lol9;"}, values)
			assert.Less(t, elapsed, time.Second)
			assert.Less(t, grown, uint64(8<<20), "heap grew by %d bytes", grown)
		})
	}
}

// The client reads SIMPLE_RETURN errors under HTTP 200 itself (encoding/xml): the same hostile
// document gives the account-expired error, fast, with nothing fetched or expanded.
func TestClientSimpleReturnFetchesNothing(t *testing.T) {
	base, hits := trap(t)
	doctype := strings.Replace(billionLaughs("SIMPLE_RETURN"), "]>", strings.TrimPrefix(hostileDoctype("X", base), `<!DOCTYPE X SYSTEM "`+base+`/dtd" [`), 1)
	body := xmlDecl + doctype + `<SIMPLE_RETURN><RESPONSE><CODE>2001</CODE><TEXT>expired &lol9;&ext;&int;</TEXT></RESPONSE></SIMPLE_RETURN>`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	c, err := qualys.New(http.DefaultClient, qualys.Settings{APIServerURL: srv.URL, GatewayURL: srv.URL, Username: "u", Password: "p", MaxConcurrency: 1})
	require.NoError(t, err)
	started := time.Now()
	_, err = c.HostIDs(t.Context(), qualys.HostQuery{}, qualys.IDRange{})
	require.Error(t, err)
	assert.Less(t, time.Since(started), time.Second)
	var qe *qualys.Error
	require.ErrorAs(t, err, &qe)
	assert.Equal(t, qualys.CodeAccountExpired, qe.Code)
	assert.NotContains(t, err.Error(), "lollol")
	assert.NotContains(t, err.Error(), "EXPANDED")
	assert.Zero(t, hits.Load())
}

// Through a whole poll: every answer of the simulator, its DOCTYPE replaced with the hostile one
// and a billion laughs, is read without a fetch, and the poll delivers everything.
func TestPollWithHostileDoctypes(t *testing.T) {
	base, hits := trap(t)
	e := newSimEnv(t, simulator.TenantConfig{Hosts: 30, DetectionsPerHost: 3}, simulator.Options{})
	doctype := regexp.MustCompile(`<!DOCTYPE ([A-Z_]+) SYSTEM "[^"]*">`)
	rewritten := atomic.Int32{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rr := httptest.NewRecorder()
		e.server.ServeHTTP(rr, r)
		body := doctype.ReplaceAllFunc(rr.Body.Bytes(), func(m []byte) []byte {
			rewritten.Add(1)
			root := string(doctype.FindSubmatch(m)[1])
			laughs := strings.TrimSuffix(billionLaughs(root), "]>")
			return []byte(laughs + strings.TrimPrefix(hostileDoctype(root, base), `<!DOCTYPE `+root+` SYSTEM "`+base+`/dtd" [`))
		})
		for k, v := range rr.Header() {
			if k != "Content-Length" {
				w.Header()[k] = v
			}
		}
		w.WriteHeader(rr.Code)
		_, _ = w.Write(bytes.Clone(body))
	}))
	t.Cleanup(srv.Close)
	e.client = newTestClient(t, srv.URL, "qualys_user", "qualys_pass", nil, nil, e.logger)
	s := newVulnStream(t, e, nil)
	require.NoError(t, s.Poll(t.Context(), e.sinks))
	assert.Positive(t, rewritten.Load())
	assert.Zero(t, hits.Load())
	assertNoDetectionLost(t, e, 0)
}

// repeatReader yields n bytes of c without holding them.
type repeatReader struct {
	c byte
	n int64
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	k := min(int64(len(p)), r.n)
	for i := range p[:k] {
		p[i] = r.c
	}
	r.n -= k
	return int(k), nil
}

// Every element has a size limit: a text far over the limit costs that field (its record goes
// out without it); a tag or a name far over the limit, and nesting far deeper than Qualys writes,
// stop the stream; memory never grows with the input.
func TestDecodersElementLimits(t *testing.T) {
	const huge = 32 << 20 // 32 times DefaultMaxElementBytes
	shapes := []struct {
		name        string
		open, close string
		fill        byte
		n           int64
		// stream says the error must stop the stream (a tag cannot be skipped); otherwise a
		// skipped record is enough.
		stream bool
		want   error
		// fieldLost says the record is read without the field instead.
		fieldLost bool
	}{
		{name: "text", fill: 'x', n: huge, fieldLost: true},
		{name: "attribute", open: `<X a="`, close: `"/>`, fill: 'y', n: huge, stream: true, want: decode.ErrTooLarge},
		{name: "element name", open: `<X`, close: `/>`, fill: 'N', n: huge, stream: true, want: decode.ErrSyntax},
		{name: "nesting", n: 100_000, stream: true, want: decode.ErrSyntax},
	}
	for _, dec := range xmlDecoders {
		for _, sh := range shapes {
			t.Run(dec.name+"/"+sh.name, func(t *testing.T) {
				var body io.Reader = &repeatReader{c: sh.fill, n: sh.n}
				if sh.name == "nesting" {
					body = strings.NewReader(strings.Repeat("<A>", int(sh.n)) + strings.Repeat("</A>", int(sh.n)))
				}
				r := io.MultiReader(strings.NewReader(xmlDecl+dec.before+sh.open), body, strings.NewReader(sh.close+dec.after))
				peak := watchHeap(t)
				values, skipped, err := dec.read(r)
				grown := peak()
				switch {
				case sh.fieldLost:
					require.NoError(t, err)
					assert.Empty(t, skipped)
					require.NotEmpty(t, values, "the record is read")
					assert.Empty(t, values[0], "without the oversized field")
				case sh.stream:
					require.Error(t, err)
					assert.ErrorIs(t, err, sh.want)
				}
				for _, v := range values {
					assert.LessOrEqual(t, len(v), decode.DefaultMaxElementBytes)
				}
				assert.Less(t, grown, uint64(12<<20), "heap grew by %d MiB", grown>>20)
			})
		}
	}
}

// The PCRS decoders (JSON) bound each record: one larger than MaxRecordBytes stops the stream
// with ErrTooLarge instead of being buffered.
func TestPCRSDecodersRecordLimit(t *testing.T) {
	const limit = 1 << 20
	type reader func(r io.Reader) error
	tests := []struct {
		name          string
		before, after string
		read          reader
	}{
		{"PCRSPostures", `[{"id": 1, "hostId": 2, "controlId": 3, "policyId": 4, "status": "Passed", "instance": "`, `"}]`,
			func(r io.Reader) error {
				d := decode.NewPCRSPostures(r)
				d.MaxRecordBytes = limit
				for {
					if _, err := d.Read(); err != nil {
						return err
					}
				}
			}},
		{"PCRSHostIDs", `[{"policyId": "55", "subscriptionId": "1", "hostIds": ["1"], "error": "`, `"}]`,
			func(r io.Reader) error {
				d := decode.NewPCRSHostIDs(r)
				d.MaxRecordBytes = limit
				for {
					if _, err := d.Read(); err != nil {
						return err
					}
				}
			}},
		{"PCRSPolicies", `{"subscriptionId": 1, "policyList": [{"id": 55, "title": "`, `"}]}`,
			func(r io.Reader) error {
				d := decode.NewPCRSPolicies(r)
				d.MaxRecordBytes = limit
				for {
					if _, err := d.Read(); err != nil {
						return err
					}
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := io.MultiReader(strings.NewReader(tt.before), &repeatReader{c: 'z', n: 16 * limit}, strings.NewReader(tt.after))
			peak := watchHeap(t)
			err := tt.read(r)
			grown := peak()
			require.ErrorIs(t, err, decode.ErrTooLarge)
			assert.Less(t, grown, uint64(8*limit), "heap grew by %d MiB", grown>>20)
		})
	}
}
