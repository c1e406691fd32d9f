// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
