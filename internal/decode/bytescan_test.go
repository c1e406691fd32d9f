// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// TestByteHelpersMatchReference checks the eight-bytes-at-a-time helpers against plain loops on
// random inputs drawn from the bytes that matter to them.
func TestByteHelpersMatchReference(t *testing.T) {
	alphabet := []byte("AZaz09_-.:<>=/\"' \t\n\r&;\x00\x1f\x7f\x80\xc3\xa9\xff")
	rnd := rand.New(rand.NewPCG(1, 2))
	for range 200_000 {
		b := make([]byte, rnd.IntN(48))
		for i := range b {
			b[i] = alphabet[rnd.IntN(len(alphabet))]
		}
		require.Equal(t, bytes.IndexByte(b, '<'), indexLT(b), "%q", b)

		start := 0
		if len(b) > 0 {
			start = rnd.IntN(len(b))
		}
		want := start
		for want < len(b) && !nameEnd[b[want]] {
			want++
		}
		require.Equal(t, want, nameLen(b, start), "%q from %d", b, start)

		c := bytes.Clone(b)
		if len(c) > 0 && rnd.IntN(2) == 0 {
			c[rnd.IntN(len(c))] ^= 1
		}
		require.Equal(t, bytes.Equal(b, c), sameName(b, c), "%q %q", b, c)

		fix := !utf8.Valid(b)
		for _, x := range b {
			fix = fix || (x < 0x20 && x != '\t' && x != '\n')
		}
		require.Equal(t, fix, needsFix(b), "%q", b)
		require.Equal(t, !fix, toString(b) == string(b), "%q", b)
		require.True(t, utf8.ValidString(toString(b)))

		damaged := !utf8.Valid(b)
		for _, x := range b {
			damaged = damaged || (x < 0x20 && x != '\t' && x != '\n' && x != '\r')
		}
		text, repaired := repairText(b)
		require.Equal(t, toString(b), text, "%q", b)
		require.Equal(t, damaged, repaired, "%q: a CR alone is no repair", b)
	}
}
