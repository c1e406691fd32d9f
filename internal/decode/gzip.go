// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"bufio"
	"compress/gzip"
	"errors"
	"io"
)

// MaybeGunzip returns a reader of r's content, gunzipped if it starts with the gzip magic bytes
// 1f 8b, else r itself. It exists because PCRS postureInfo sends gzip bytes (compressionRequired=1,
// the default) without a Content-Encoding header, and it is harmless on any body:
// neither XML nor JSON can start with 0x1f. An empty body is returned as is. Only the gzip header
// is read here; a corrupt or truncated gzip stream surfaces as an error from the returned
// reader, which the decoders turn into a sticky error.
func MaybeGunzip(r *bufio.Reader) (io.Reader, error) {
	magic, err := r.Peek(2)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if len(magic) < 2 || magic[0] != 0x1f || magic[1] != 0x8b {
		return r, nil
	}
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, &StreamError{Err: err}
	}
	return zr, nil
}
