// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

// Package sharedcomponent lets one component instance serve several pipelines: the collector
// creates the receiver once per signal, but one qualys entry must poll Qualys once and feed both
// its logs and its metrics pipelines.
package sharedcomponent // import "github.com/seed-d80aa3af/qualysreceiver/internal/sharedcomponent"

import (
	"context"
	"sync"

	"go.opentelemetry.io/collector/component"
)

// Map keeps one shared component per key (the receiver's *Config).
type Map[K comparable, V component.Component] struct {
	mu         sync.Mutex
	components map[K]*Component[V]
}

// NewMap returns an empty Map.
func NewMap[K comparable, V component.Component]() *Map[K, V] {
	return &Map[K, V]{components: map[K]*Component[V]{}}
}

// LoadOrStore returns the shared component for key, creating it with create on first use.
func (m *Map[K, V]) LoadOrStore(key K, create func() (V, error)) (*Component[V], error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if c, ok := m.components[key]; ok {
		return c, nil
	}
	v, err := create()
	if err != nil {
		return nil, err
	}
	c := &Component[V]{Unwrap: v, remove: func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		delete(m.components, key)
	}}
	m.components[key] = c
	return c, nil
}

// Component starts the wrapped component on the first Start and shuts it down on the first
// Shutdown; the collector shuts every pipeline down together, so the first Shutdown is the last.
type Component[V component.Component] struct {
	Unwrap V

	hosts        hosts
	startOnce    sync.Once
	shutdownOnce sync.Once
	startErr     error
	remove       func()
}

var _ component.Component = (*Component[component.Component])(nil)

// Start starts the wrapped component once, with a host that reports its status to every
// instance's host, this one and those started later.
func (c *Component[V]) Start(ctx context.Context, host component.Host) error {
	c.hosts.add(host)
	c.startOnce.Do(func() { c.startErr = c.Unwrap.Start(ctx, &c.hosts) })
	return c.startErr
}

// Shutdown shuts the wrapped component down once and forgets it, so a new pipeline built from the
// same config gets a fresh instance.
func (c *Component[V]) Shutdown(ctx context.Context) error {
	var err error
	c.shutdownOnce.Do(func() {
		err = c.Unwrap.Shutdown(ctx)
		c.remove()
	})
	return err
}
