// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// With PrettyXML every XML answer carries the same markup and content as without, only laid out
// as Qualys's guide does: each element's text, plain or CDATA, on its own indented line.
func TestPrettyXMLSameContent(t *testing.T) {
	cfg := TenantConfig{Hosts: 4, DetectionsPerHost: 3, Policies: 1, ControlsPerPolicy: 3}
	clock := func() time.Time { return fixedNow }
	srv, compact := startServer(t, cfg, Options{Clock: clock})
	policy := formatUint(srv.Tenant().Policies()[0].ID)
	_, pretty := startServer(t, cfg, Options{Clock: clock, PrettyXML: true})
	get := func(base, path string) []byte {
		_, body := apiGet(t, base+path)
		return body
	}
	qps := func(base string) []byte {
		req, err := http.NewRequest(http.MethodPost, base+"/qps/rest/2.0/search/am/hostasset",
			strings.NewReader("<ServiceRequest><filters></filters></ServiceRequest>"))
		require.NoError(t, err)
		req.SetBasicAuth(testUser, testPass)
		req.Header.Set("Content-Type", "text/xml")
		_, body := send(t, req)
		return body
	}
	cdataOnItsOwnLine := regexp.MustCompile(`>\n +<!\[CDATA\[`)
	for name, fetch := range map[string]func(base string) []byte{
		"host list detection": func(b string) []byte {
			return get(b, "/api/5.0/fo/asset/host/vm/detection/?action=list&show_qds=1&show_qds_factors=1&truncation_limit=2")
		},
		"host list":      func(b string) []byte { return get(b, "/api/2.0/fo/asset/host/?action=list&details=All&show_trurisk=1") },
		"knowledge base": func(b string) []byte { return get(b, "/api/2.0/fo/knowledge_base/vuln/?action=list&details=All") },
		"policy list":    func(b string) []byte { return get(b, "/api/2.0/fo/compliance/policy/?action=list") },
		"posture info": func(b string) []byte {
			return get(b, "/api/2.0/fo/compliance/posture/info/?action=list&details=All&policy_id="+policy)
		},
		"QPS host assets": qps,
	} {
		t.Run(name, func(t *testing.T) {
			// The answers name their own server (WARNING/URL, the schema location).
			c := bytes.ReplaceAll(fetch(compact), []byte(compact), []byte("BASE"))
			p := bytes.ReplaceAll(fetch(pretty), []byte(pretty), []byte("BASE"))
			assert.NotEqual(t, string(c), string(p))
			assert.Equal(t, xmlContent(t, c), xmlContent(t, p))
			if bytes.Contains(c, []byte("<![CDATA[")) {
				assert.Regexp(t, cdataOnItsOwnLine, string(p))
				assert.NotRegexp(t, cdataOnItsOwnLine, string(c))
			}
		})
	}
}

// xmlContent lists the tokens of doc with the white space around text dropped.
func xmlContent(t *testing.T, doc []byte) []string {
	d := xml.NewDecoder(bytes.NewReader(doc))
	var out []string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return out
		}
		require.NoError(t, err)
		switch tok := tok.(type) {
		case xml.CharData:
			if s := strings.TrimSpace(string(tok)); s != "" {
				out = append(out, "text "+s)
			}
		case xml.StartElement:
			out = append(out, "start "+tok.Name.Local+" "+strings.TrimPrefix(strings.TrimSuffix(xmlAttrs(tok.Attr), "]"), "["))
		case xml.EndElement:
			out = append(out, "end "+tok.Name.Local)
		}
	}
}

func xmlAttrs(attrs []xml.Attr) string {
	var b strings.Builder
	for _, a := range attrs {
		b.WriteString(a.Name.Local + "=" + a.Value + " ")
	}
	return b.String()
}
