// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"encoding/xml"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const (
	testUser = "sim_user"
	testPass = "sim-pass"
)

var fixedNow = time.Date(2026, time.January, 15, 13, 0, 0, 0, time.UTC)

// startServer serves a tenant on a loopback port for the test and returns the server and its URL.
func startServer(t testing.TB, cfg TenantConfig, opts Options) (*Server, string) {
	t.Helper()
	if opts.Username == "" {
		opts.Username, opts.Password = testUser, testPass
	}
	srv := New(NewTenant(cfg), opts)
	api, _ := srv.Start()
	t.Cleanup(srv.Close)
	return srv, api
}

// apiRequest sends an API server request with valid credentials and X-Requested-With.
func apiRequest(t testing.TB, method, url string, body io.Reader) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	require.NoError(t, err)
	req.SetBasicAuth(testUser, testPass)
	req.Header.Set("X-Requested-With", "simulator-test")
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return send(t, req)
}

func apiGet(t testing.TB, url string) (*http.Response, []byte) {
	return apiRequest(t, http.MethodGet, url, nil)
}

func send(t testing.TB, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, b
}

type warning struct {
	Code int    `xml:"CODE"`
	Text string `xml:"TEXT"`
	URL  string `xml:"URL"`
}

type hldDoc struct {
	XMLName  xml.Name `xml:"HOST_LIST_VM_DETECTION_OUTPUT"`
	Response struct {
		Datetime string    `xml:"DATETIME"`
		Hosts    []hldHost `xml:"HOST_LIST>HOST"`
		Warning  *warning  `xml:"WARNING"`
	} `xml:"RESPONSE"`
}

type xmlTag struct {
	ID   uint64 `xml:"TAG_ID"`
	Name string `xml:"NAME"`
}

type hldHost struct {
	ID             uint64         `xml:"ID"`
	AssetID        uint64         `xml:"ASSET_ID"`
	IP             string         `xml:"IP"`
	OS             string         `xml:"OS"`
	DNS            string         `xml:"DNS"`
	TrackingMethod string         `xml:"TRACKING_METHOD"`
	Tags           []xmlTag       `xml:"TAGS>TAG"`
	Detections     []hldDetection `xml:"DETECTION_LIST>DETECTION"`
}

type hldDetection struct {
	UniqueVulnID uint64  `xml:"UNIQUE_VULN_ID"`
	QID          uint64  `xml:"QID"`
	Type         string  `xml:"TYPE"`
	Severity     int     `xml:"SEVERITY"`
	Status       string  `xml:"STATUS"`
	Results      *string `xml:"RESULTS"`
	QDS          *struct {
		Severity string `xml:"severity,attr"`
		Value    int    `xml:",chardata"`
	} `xml:"QDS"`
	Factors       []string `xml:"QDS_FACTORS>QDS_FACTOR"`
	ARK           *int     `xml:"AFFECT_RUNNING_KERNEL"`
	LastFixed     string   `xml:"LAST_FIXED_DATETIME"`
	LastUpdate    string   `xml:"LAST_UPDATE_DATETIME"`
	LastProcessed string   `xml:"LAST_PROCESSED_DATETIME"`
	TimesReopened *int     `xml:"TIMES_REOPENED"`
	IsIgnored     int      `xml:"IS_IGNORED"`
}

func decodeXML(t testing.TB, body []byte, v any) {
	t.Helper()
	require.NoError(t, xml.Unmarshal(body, v), "body: %.600s", body)
}

// fetchHLD follows WARNING/URL from first to the last page and returns every host and the number
// of pages.
func fetchHLD(t testing.TB, first string) ([]hldHost, int) {
	t.Helper()
	var hosts []hldHost
	pages := 0
	for next := first; next != ""; pages++ {
		resp, body := apiGet(t, next)
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
		var doc hldDoc
		decodeXML(t, body, &doc)
		hosts = append(hosts, doc.Response.Hosts...)
		next = ""
		if w := doc.Response.Warning; w != nil {
			require.Equal(t, 1980, w.Code)
			require.Contains(t, w.Text, "record limit exceeded. Use URL to get next batch of results.")
			next = w.URL
		}
		require.Less(t, pages, 10000, "paging does not end")
	}
	return hosts, pages
}

type simpleReturnDoc struct {
	XMLName  xml.Name `xml:"SIMPLE_RETURN"`
	Response struct {
		Code  int    `xml:"CODE"`
		Text  string `xml:"TEXT"`
		Items []struct {
			Key   string `xml:"KEY"`
			Value string `xml:"VALUE"`
		} `xml:"ITEM_LIST>ITEM"`
	} `xml:"RESPONSE"`
}

func simpleReturn(t testing.TB, body []byte) simpleReturnDoc {
	t.Helper()
	var doc simpleReturnDoc
	decodeXML(t, body, &doc)
	return doc
}

func (d simpleReturnDoc) item(key string) string {
	for _, it := range d.Response.Items {
		if it.Key == key {
			return it.Value
		}
	}
	return ""
}

// detectionCount sums the detections of hosts.
func detectionCount(hosts []hldHost) int {
	n := 0
	for _, h := range hosts {
		n += len(h.Detections)
	}
	return n
}

func hldURL(base, version, query string) string {
	return base + "/api/" + version + "/fo/asset/host/vm/detection/?action=list" + prefixAmp(query)
}

func prefixAmp(q string) string {
	if q == "" || strings.HasPrefix(q, "&") {
		return q
	}
	return "&" + q
}
