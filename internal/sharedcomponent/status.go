// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package sharedcomponent // import "github.com/seed-d80aa3af/qualysreceiver/internal/sharedcomponent"

import (
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
)

// hosts is the host the shared component starts with: the collector starts one instance per
// pipeline, each with a host that reports status for that instance only, so status reported by
// the shared component goes to every instance's host. Extensions are the same in every host.
type hosts struct {
	mu  sync.Mutex
	all []component.Host
}

var (
	_ component.Host           = (*hosts)(nil)
	_ componentstatus.Reporter = (*hosts)(nil)
)

func (h *hosts) add(host component.Host) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.all = append(h.all, host)
}

func (h *hosts) GetExtensions() map[component.ID]component.Component {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.all) == 0 {
		return nil
	}
	return h.all[0].GetExtensions()
}

// Report sends ev to every instance's host that takes status reports.
func (h *hosts) Report(ev *componentstatus.Event) {
	h.mu.Lock()
	all := append([]component.Host(nil), h.all...)
	h.mu.Unlock()
	for _, host := range all {
		componentstatus.ReportStatus(host, ev)
	}
}
