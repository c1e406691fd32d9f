// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// patternReader yields head, then n bytes repeating fill, then tail, without holding the body.
type patternReader struct {
	head, fill, tail string
	n                int64
	off              int64
}

func (p *patternReader) Read(b []byte) (int, error) {
	total := int64(len(p.head)) + p.n + int64(len(p.tail))
	if p.off >= total {
		return 0, io.EOF
	}
	k := 0
	for k < len(b) && p.off < total {
		switch {
		case p.off < int64(len(p.head)):
			c := copy(b[k:], p.head[p.off:])
			k += c
			p.off += int64(c)
		case p.off < int64(len(p.head))+p.n:
			i := (p.off - int64(len(p.head))) % int64(len(p.fill))
			room := min(int64(len(b)-k), int64(len(p.head))+p.n-p.off)
			c := copy(b[k:k+int(room)], p.fill[i:])
			k += c
			p.off += int64(c)
		default:
			c := copy(b[k:], p.tail[p.off-int64(len(p.head))-p.n:])
			k += c
			p.off += int64(c)
		}
	}
	return k, nil
}

// heapGrowth runs fn and reports how many bytes it allocated in total.
func heapGrowth(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestHugeResultsStreamWithBoundedMemory streams a 100 MB RESULTS (as in the wild) through the
// decoder: it keeps MaxResultsBytes of it, skips the rest while streaming, and allocates nowhere
// near 100 MB in total.
func TestHugeResultsStreamWithBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 100 MB")
	}
	const size = 100 << 20
	shapes := map[string]struct{ open, fill, close, want string }{
		"CDATA":   {"<![CDATA[", "line of output ]] > with ] brackets €\n", "]]>", "line of output ]] > with ] brackets €\n"},
		"escaped": {"", "a &lt; b &amp;&amp; c &#x263A; d\n", "", "a < b && c ☺ d\n"},
	}
	for name, sh := range shapes {
		t.Run(name, func(t *testing.T) {
			r := &patternReader{
				head: hldHead + `<HOST><ID>1</ID><DETECTION_LIST><DETECTION><QID>2</QID><RESULTS>` + sh.open,
				fill: sh.fill,
				n:    size,
				tail: sh.close + `</RESULTS><STATUS>Active</STATUS></DETECTION></DETECTION_LIST></HOST>` + hldTail,
			}
			var res hldResult
			var err error
			grown := heapGrowth(func() {
				res, err = decodeHLD(r, func(d *HostDetections) { d.MaxResultsBytes = 64 << 10 })
			})
			require.NoError(t, err)
			require.Len(t, res.dets, 1)
			det := res.dets[0]
			assert.True(t, det.ResultsTruncated)
			assert.LessOrEqual(t, len(det.Results), 64<<10)
			assert.Greater(t, len(det.Results), 60<<10)
			assert.True(t, strings.HasPrefix(det.Results, sh.want+sh.want))
			assert.Equal(t, "Active", det.Status, "decoding continues after the skipped text")
			assert.Greater(t, res.d.InputOffset(), int64(size), "the whole element was read")
			assert.Less(t, grown, uint64(4<<20), "allocated %d bytes for a 100 MB element", grown)
		})
	}
}

// TestHugeFieldCostsOnlyThatField: any other element over MaxElementBytes is skipped in the same
// streaming way, with bounded memory; its record comes without it, the field reported unreadable.
func TestHugeFieldCostsOnlyThatField(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 100 MB")
	}
	r := &patternReader{
		head: hldHead + `<HOST><ID>1</ID><OS>`,
		fill: "Linux ",
		n:    100 << 20,
		tail: `</OS><DETECTION_LIST><DETECTION><QID>2</QID></DETECTION></DETECTION_LIST></HOST><HOST><ID>3</ID></HOST>` + hldTail,
	}
	var res hldResult
	var err error
	grown := heapGrowth(func() { res, err = decodeHLD(r, nil) })
	require.NoError(t, err)
	require.Empty(t, res.recErrs)
	require.Len(t, res.hosts, 2)
	assert.Equal(t, int64(1), res.hosts[0].ID)
	assert.Empty(t, res.hosts[0].OS)
	require.Len(t, res.lost[1], 1, "the host's OS is reported")
	assert.Equal(t, "HOST/OS", res.lost[1][0].Path)
	assert.ErrorIs(t, res.lost[1][0].Err, ErrTooLarge)
	require.Len(t, res.dets, 1)
	assert.Equal(t, int64(2), res.dets[0].QID)
	assert.Equal(t, int64(3), res.hosts[1].ID)
	assert.Less(t, grown, uint64(8<<20), "allocated %d bytes for a 100 MB element", grown)
}
