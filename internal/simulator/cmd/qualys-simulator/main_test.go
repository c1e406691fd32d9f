// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-d80aa3af/qualysreceiver/internal/capture"
)

func TestRunServesUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-listen", "127.0.0.1:0", "-gateway-listen", "127.0.0.1:0", "-hosts", "3",
			"-username", "u", "-password", "p"}, pw)
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	require.NoError(t, err)
	m := regexp.MustCompile(`api=(\S+) gateway=(\S+) hosts=3`).FindStringSubmatch(line)
	require.NotNil(t, m, line)
	assert.NotEqual(t, m[1], m[2])

	req, _ := http.NewRequest(http.MethodGet, m[1]+"/msp/about.php", nil)
	req.SetBasicAuth("u", "p")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	cancel()
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("run did not stop")
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	assert.Error(t, run(context.Background(), []string{"-hosts", "many"}, io.Discard))
	assert.Error(t, run(context.Background(), []string{"-base-time", "yesterday"}, io.Discard))
}

// -replay serves a captured directory: the captured answer, a token for any credentials, and a
// Qualys-shaped 404 for a request it never saw.
func TestRunReplaysACapture(t *testing.T) {
	dir := t.TempDir()
	w, err := capture.NewWriter(dir, 1<<20, nil)
	require.NoError(t, err)
	const answer = "<ABOUT><API-VERSION>captured</API-VERSION></ABOUT>"
	body := w.Record(capture.Exchange{Endpoint: "about", Method: http.MethodGet, Path: "/msp/about.php",
		Status: http.StatusOK, ContentType: "text/xml"}, io.NopCloser(strings.NewReader(answer)))
	_, err = io.ReadAll(body)
	require.NoError(t, err)
	require.NoError(t, body.Close())

	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"-listen", "127.0.0.1:0", "-replay", dir}, pw) }()
	lines := bufio.NewReader(pr)
	line, err := lines.ReadString('\n')
	require.NoError(t, err)
	m := regexp.MustCompile(`replaying 1 answers from .* api=(\S+) gateway=(\S+)`).FindStringSubmatch(line)
	require.NotNil(t, m, line)

	get := func(method, path string, body io.Reader) (int, string) {
		req, _ := http.NewRequest(method, m[1]+path, body)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status, text := get(http.MethodGet, "/msp/about.php", nil)
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, answer, text)
	status, text = get(http.MethodPost, "/auth", strings.NewReader("username=x&password=y&token=true"))
	assert.Equal(t, http.StatusCreated, status)
	assert.NotEmpty(t, text)

	logged := make(chan string, 1)
	go func() { l, _ := lines.ReadString('\n'); logged <- l }()
	status, text = get(http.MethodGet, "/msp/about.php?x=1", nil)
	assert.Equal(t, http.StatusNotFound, status)
	assert.Contains(t, text, "<SIMPLE_RETURN>")
	assert.Contains(t, <-logged, "no captured answer has this method, path and parameters: GET /msp/about.php?x=1")

	cancel()
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("run did not stop")
	}
	assert.ErrorContains(t, run(context.Background(), []string{"-replay", t.TempDir()}, io.Discard), "no captured answers")
}
