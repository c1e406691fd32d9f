// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"bufio"
	"bytes"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMaybeGunzip(t *testing.T) {
	plain := []byte(`[{"id":1}]`)
	tests := []struct {
		name string
		in   []byte
		want []byte
	}{
		{"plain JSON", plain, plain},
		{"gzip", gzipBytes(t, plain), plain},
		{"XML", []byte(hldEmptyDoc), []byte(hldEmptyDoc)},
		{"empty", nil, nil},
		{"one byte", []byte{0x1f}, []byte{0x1f}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := MaybeGunzip(bufio.NewReader(bytes.NewReader(tt.in)))
			require.NoError(t, err)
			got, err := io.ReadAll(r)
			require.NoError(t, err)
			assert.Equal(t, string(tt.want), string(got))
		})
	}
	_, err := MaybeGunzip(bufio.NewReader(bytes.NewReader([]byte{0x1f, 0x8b, 0})))
	require.Error(t, err)
}
