// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-d80aa3af/qualysreceiver/internal/capture"
)

// captureAnswers writes each exchange with its body into a new capture directory.
func captureAnswers(t *testing.T, answers map[*capture.Exchange]string) string {
	t.Helper()
	dir := t.TempDir()
	w, err := capture.NewWriter(dir, 1<<20, nil)
	require.NoError(t, err)
	for ex, body := range answers {
		rc := w.Record(*ex, io.NopCloser(strings.NewReader(body)))
		_, err := io.ReadAll(rc)
		require.NoError(t, err)
		require.NoError(t, rc.Close())
	}
	return dir
}

func kbExchange(ids string) *capture.Exchange {
	return &capture.Exchange{Endpoint: "knowledge_base", Method: http.MethodPost, Path: "/api/2.0/fo/knowledge_base/vuln/",
		Form: url.Values{"action": {"list"}, "ids": {ids}}, Status: http.StatusOK, ContentType: "text/xml"}
}

const (
	kbHead = "<KNOWLEDGE_BASE_VULN_LIST_OUTPUT><RESPONSE><DATETIME>2026-01-15T12:00:00Z</DATETIME><VULN_LIST>"
	kbTail = "</VULN_LIST></RESPONSE></KNOWLEDGE_BASE_VULN_LIST_OUTPUT>"
)

func post(t *testing.T, url, form string) (int, string) {
	t.Helper()
	resp, err := http.Post(url, "application/x-www-form-urlencoded", strings.NewReader(form))
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// A malformed KnowledgeBase answer, the kind of surprise a capture is for, is replayed as it came;
// the entries of well-formed answers still answer any QIDs.
func TestReplayKeepsAMalformedKnowledgeBaseAnswer(t *testing.T) {
	broken := kbHead + "<VULN><QID>3</QID><TITLE>cut sh"
	dir := captureAnswers(t, map[*capture.Exchange]string{
		kbExchange("1,2"): kbHead + "<VULN><QID>1</QID><TITLE>one</TITLE></VULN><VULN><QID>2</QID><TITLE>two</TITLE></VULN>" + kbTail,
		kbExchange("3"):   broken,
	})
	replay, err := NewReplay(dir, nil)
	require.NoError(t, err)
	srv := httptest.NewServer(replay)
	t.Cleanup(srv.Close)

	status, body := post(t, srv.URL+"/api/2.0/fo/knowledge_base/vuln/", "action=list&ids=3")
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, broken, body)
	status, body = post(t, srv.URL+"/api/2.0/fo/knowledge_base/vuln/", "ids=2,3&action=list")
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, kbHead+"\n<VULN><QID>2</QID><TITLE>two</TITLE></VULN>\n"+kbTail, body)
	assert.Empty(t, replay.Misses())
}

// Requests the capture never saw get a 404 in the shape of the API they were meant for.
func TestReplayMissesInEachAPIsShape(t *testing.T) {
	dir := captureAnswers(t, map[*capture.Exchange]string{kbExchange("1"): kbHead + kbTail})
	replay, err := NewReplay(dir, nil)
	require.NoError(t, err)
	srv := httptest.NewServer(replay)
	t.Cleanup(srv.Close)

	for path, shape := range map[string]string{
		"/api/5.0/fo/asset/host/vm/detection/": "<SIMPLE_RETURN>",
		"/qps/rest/2.0/search/am/hostasset":    "<responseCode>NOT_FOUND</responseCode>",
		"/pcrs/5.0/posture/postureInfo":        `"status":404`,
	} {
		status, body := post(t, srv.URL+path, "action=list")
		assert.Equal(t, http.StatusNotFound, status, path)
		assert.Contains(t, body, shape, path)
		assert.Contains(t, body, "no captured answer", path)
	}
	assert.Len(t, replay.Misses(), 3)
}
