// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package pull

import (
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// knownHosts is flakyHosts for a stream that knows its hosts' ids ahead, as compliance on the
// gateway does: a span that holds none of them asks Qualys nothing, and the probe asks for a host
// it names.
type knownHosts struct {
	*flakyHosts
	// unasked counts the spans answered without asking.
	unasked int
}

func (k *knownHosts) Page(ctx context.Context, r IDRange, out *Batcher) (int64, bool, error) {
	if !slices.ContainsFunc(k.ids, func(id int64) bool { return id >= r.Next && (r.Max == 0 || id <= r.Max) }) {
		k.unasked++
		out.Unasked()
		return r.Max + 1, r.Max == 0, nil
	}
	return k.flakyHosts.Page(ctx, r, out)
}

func (k *knownHosts) ProbeHost(_ IDRange, host int64, skipped func(int64) bool) (int64, bool, error) {
	for i := len(k.ids) - 1; i >= 0; i-- {
		if id := k.ids[i]; id < host && !skipped(id) {
			return id, true, nil
		}
	}
	for _, id := range k.ids {
		if id > host && !skipped(id) {
			return id, true, nil
		}
	}
	return 0, false, nil
}

var _ HostProber = (*knownHosts)(nil)

// The search over a source whose spans without hosts ask Qualys nothing: those spans pass but
// prove nothing, so when every page fails nothing is skipped, and the probe before a skip asks for
// a host the source names. A range planned without its first host (at 0, as compliance plans one
// per policy) is searched from host id 1.
func TestSkipFailingHostOfKnownHosts(t *testing.T) {
	sparse := hostIDs(1000, 7, 40) // 1000 to 1273
	tests := []struct {
		name        string
		failing     map[int64]int
		outage      bool
		wantSkipped []int64
		wantErr     bool
		// wantProbe is the host the probe before the skip asks for, 0 for none.
		wantProbe int64
	}{
		{name: "the first host fails, in a range that starts at 0", failing: map[int64]int{1000: -1}, wantSkipped: []int64{1000},
			wantProbe: 1007},
		{name: "a host in the middle fails", failing: map[int64]int{1161: -1}, wantSkipped: []int64{1161}},
		{name: "every page fails: nothing skipped", outage: true, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := &knownHosts{flakyHosts: &flakyHosts{ids: sparse, perPage: 10, failing: tc.failing, damaged: true, outage: tc.outage}}
			prog := &Progress{Full: true, Ranges: []IDRange{{Policy: 5}}}
			run := newSkipRun()
			e := NewEngine("fake", Settings{Workers: 1, PageSize: 10, Retry: skipRetry(), Logger: run.logger})
			e.KeepSkipped = func(int64) {}
			e.Rec.State.Current = prog

			_, err := e.Pull(t.Context(), &run.sinks, src)

			assert.Positive(t, src.unasked, "spans without hosts asked nothing")
			if tc.wantErr {
				require.Error(t, err)
				assert.Empty(t, prog.Skipped)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.wantSkipped, prog.Skipped)
			assertPulledOnce(t, &run.sinks, sparse, tc.wantSkipped)
			if tc.wantProbe != 0 {
				probe := IDRange{Policy: 5, Min: tc.wantProbe, Next: tc.wantProbe, Max: tc.wantProbe}
				assert.True(t, slices.ContainsFunc(src.asked, func(r IDRange) bool {
					r.Failing, r.HostsDone = nil, 0
					return r == probe
				}), "probe asked for host %d: %v", tc.wantProbe, src.asked)
			}
			for _, r := range src.asked {
				if r.Max > 0 {
					assert.Positive(t, r.Min, "no span of the search asked from host id 0: %v", src.asked)
				}
			}
		})
	}
}

// A host skipped in one range fails another range that holds it too (a host in several
// policies): that range's page is searched at its first failure, not after three.
func TestSkippedHostIsLookedForAtOnceInAnotherRange(t *testing.T) {
	ids := hostIDs(1, 1, 40)
	src := &flakyHosts{ids: ids, perPage: 10, failing: map[int64]int{23: -1}, damaged: true}
	prog := &Progress{Full: true, Ranges: []IDRange{{Policy: 1}, {Policy: 2}}}
	run := newSkipRun()
	e := NewEngine("fake", Settings{Workers: 1, PageSize: 10, Retry: skipRetry(), Logger: run.logger})
	e.KeepSkipped = func(int64) {}
	e.Rec.State.Current = prog

	_, err := e.Pull(t.Context(), &run.sinks, src)

	require.NoError(t, err)
	assert.Equal(t, []int64{23}, prog.Skipped, "one host, listed once")
	searches := run.logs.FilterMessageSnippet("pulling it in smaller id spans").All()
	require.Len(t, searches, 2)
	assert.Equal(t, int64(DefaultSkipAfter), searches[0].ContextMap()["attempts"])
	assert.Equal(t, int64(1), searches[1].ContextMap()["attempts"], "at once in the second range")
	lines := run.logs.FilterMessageSnippet("Host skipped for this pull").All()
	require.Len(t, lines, 2)
	for i, line := range lines {
		assert.Equal(t, int64(i+1), line.ContextMap()["policy_id"])
	}
	for _, id := range ids {
		if id != 23 {
			assert.Equal(t, 2, run.sinks.hosts[id], "host %d pulled in both ranges", id)
		}
	}
}
