// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver // import "github.com/seed-d80aa3af/qualysreceiver/receiver"

import (
	"fmt"
	"slices"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
)

// streamStatus reports the receiver's component status from its streams, so the health_check
// extension and the collector's status watchers see a receiver that cannot poll: a recoverable
// error while any stream's polls or start-up checks fail, naming the stream; OK once every stream
// that failed has polled successfully again. A nil *streamStatus reports nothing.
type streamStatus struct {
	host component.Host

	mu      sync.Mutex
	failing map[string]error
}

func newStreamStatus(host component.Host) *streamStatus {
	return &streamStatus{host: host, failing: map[string]error{}}
}

// pollDone records the outcome of a stream's poll or check; err is nil for a successful poll.
func (s *streamStatus) pollDone(stream string, err error) {
	if s == nil || s.host == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.failing[stream] = err
		componentstatus.ReportStatus(s.host, componentstatus.NewRecoverableErrorEvent(fmt.Errorf("%s: %w", stream, err)))
		return
	}
	if _, was := s.failing[stream]; !was {
		return
	}
	delete(s.failing, stream)
	if len(s.failing) == 0 {
		componentstatus.ReportStatus(s.host, componentstatus.NewEvent(componentstatus.StatusOK))
		return
	}
	// Another stream still fails: the status stays an error, now naming that one.
	names := make([]string, 0, len(s.failing))
	for name := range s.failing {
		names = append(names, name)
	}
	slices.Sort(names)
	componentstatus.ReportStatus(s.host, componentstatus.NewRecoverableErrorEvent(fmt.Errorf("%s: %w", names[0], s.failing[names[0]])))
}
