// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type docCase struct {
	decoder string
	name    string
	doc     string
	// end is the text whose end completes the document (the root's end tag, or the closing
	// bracket of a JSON document); a prefix containing it decodes exactly like the whole.
	end string
	// wantErr is the error the complete document ends with (nil: clean io.EOF).
	wantErr error
}

var docCases = []docCase{
	{decoder: "HostDetections", name: "full", doc: hldDoc, end: "</HOST_LIST_VM_DETECTION_OUTPUT>"},
	{decoder: "HostDetections", name: "empty", doc: hldEmptyDoc, end: "</HOST_LIST_VM_DETECTION_OUTPUT>"},
	{decoder: "HostList", name: "hosts", doc: hostListDoc, end: "</HOST_LIST_OUTPUT>"},
	{decoder: "HostList", name: "idset", doc: hostListIDSetDoc, end: "</HOST_LIST_OUTPUT>"},
	{decoder: "HostAssets", name: "success", doc: hostAssetDoc, end: "</ServiceResponse>"},
	{decoder: "HostAssets", name: "error", doc: hostAssetErrorDoc, end: "</ServiceResponse>", wantErr: &ServiceError{}},
	{decoder: "KnowledgeBase", name: "vulns", doc: kbDoc, end: "</KNOWLEDGE_BASE_VULN_LIST_OUTPUT>"},
	{decoder: "SimpleReturn", name: "1965", doc: simpleReturnDoc, end: "</SIMPLE_RETURN>"},
	{decoder: "PostureInfoList", name: "page", doc: postureXMLDoc, end: "</POSTURE_INFO_LIST_OUTPUT>"},
	{decoder: "PCRSPolicies", name: "list", doc: pcrsPolicyDoc, end: "}"},
	{decoder: "PCRSHostIDs", name: "ids", doc: pcrsHostIDDoc, end: "]"},
	{decoder: "PCRSPostures", name: "postures", doc: pcrsPostureDoc, end: "]"},
}

func checkEnd(t *testing.T, c docCase, err error) {
	t.Helper()
	if c.wantErr == nil {
		require.NoError(t, err)
		return
	}
	require.Error(t, err)
	require.IsType(t, c.wantErr, err)
}

// TestReadersSplittingTokens proves that tokens spanning reads decode the same: every document
// is decoded from one buffer, one byte per Read, half of each Read, and with the final data
// returned together with io.EOF, and gzip-compressed through MaybeGunzip.
func TestReadersSplittingTokens(t *testing.T) {
	for _, c := range docCases {
		t.Run(c.decoder+"/"+c.name, func(t *testing.T) {
			decode := decoders[c.decoder]
			want, err := decode(strings.NewReader(c.doc))
			checkEnd(t, c, err)
			require.True(t, len(want) > 0 || c.name == "empty")
			readers := map[string]io.Reader{
				"OneByteReader": iotest.OneByteReader(strings.NewReader(c.doc)),
				"HalfReader":    iotest.HalfReader(strings.NewReader(c.doc)),
				"DataErrReader": iotest.DataErrReader(strings.NewReader(c.doc)),
			}
			for name, r := range readers {
				got, err := decode(r)
				checkEnd(t, c, err)
				assert.Equal(t, want, got, name)
			}
		})
	}
}

// recordLines drops the page metadata lines the transcripts append.
func recordLines(ev []string) []string {
	var out []string
	for _, e := range ev {
		if !strings.HasPrefix(e, "Response ") && !strings.HasPrefix(e, "Warning ") {
			out = append(out, e)
		}
	}
	return out
}

// TestEveryPrefixIsTruncated cuts every document at every byte: a prefix that ends before the
// document is complete yields records of the whole document's (a prefix of them) and then a sticky
// error wrapping ErrTruncated, never a clean io.EOF; a prefix that holds the complete document
// decodes like the whole (trailing comments may be cut).
func TestEveryPrefixIsTruncated(t *testing.T) {
	for _, c := range docCases {
		t.Run(c.decoder+"/"+c.name, func(t *testing.T) {
			decode := decoders[c.decoder]
			full, fullErr := decode(strings.NewReader(c.doc))
			checkEnd(t, c, fullErr)
			full = recordLines(full)
			complete := strings.LastIndex(c.doc, c.end) + len(c.end)
			isJSON := strings.HasPrefix(c.decoder, "PCRS")
			for n := 0; n < len(c.doc); n++ {
				prefix := c.doc[:n]
				got, err := decode(iotest.HalfReader(strings.NewReader(prefix)))
				got = recordLines(got)
				switch {
				case n >= complete:
					assert.Equal(t, full, got, "prefix %d", n)
					if c.wantErr == nil {
						assert.NoError(t, err, "prefix %d", n)
					}
				case isJSON && strings.TrimSpace(prefix) == "":
					// An empty (or blank) body is no records, as after HTTP 204.
					assert.NoError(t, err, "prefix %d", n)
					assert.Empty(t, got, "prefix %d", n)
				default:
					require.ErrorIs(t, err, ErrTruncated, "prefix %d: %q", n, tail(prefix))
					require.LessOrEqual(t, len(got), len(full), "prefix %d", n)
					if len(got) > 0 {
						assert.Equal(t, full[:len(got)], got, "prefix %d", n)
					}
				}
			}
		})
	}
}

func newBufReader(b []byte) *bufio.Reader { return bufio.NewReader(bytes.NewReader(b)) }

func tail(s string) string {
	if len(s) > 40 {
		return s[len(s)-40:]
	}
	return s
}

// TestGzipBodies decodes every document gzip-compressed through MaybeGunzip, and checks that a
// truncated or corrupt gzip stream is a sticky error, never a clean end.
func TestGzipBodies(t *testing.T) {
	for _, c := range docCases {
		t.Run(c.decoder+"/"+c.name, func(t *testing.T) {
			decode := decoders[c.decoder]
			want, err := decode(strings.NewReader(c.doc))
			checkEnd(t, c, err)
			gz := gzipBytes(t, []byte(c.doc))

			r, err := MaybeGunzip(newBufReader(gz))
			require.NoError(t, err)
			got, err := decode(r)
			checkEnd(t, c, err)
			assert.Equal(t, want, got)

			// Cut in the gzip stream: the decompressor reports io.ErrUnexpectedEOF.
			r, err = MaybeGunzip(newBufReader(gz[:len(gz)-12]))
			require.NoError(t, err)
			_, err = decode(r)
			require.ErrorIs(t, err, ErrTruncated)

			// A flipped byte in the CRC: the document decodes but the stream is corrupt.
			bad := bytes.Clone(gz)
			bad[len(bad)-6] ^= 0xff
			r, err = MaybeGunzip(newBufReader(bad))
			require.NoError(t, err)
			_, err = decode(r)
			require.Error(t, err)
			var se *StreamError
			require.True(t, errors.As(err, &se), "%v", err)
		})
	}
}
