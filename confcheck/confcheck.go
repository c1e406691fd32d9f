// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

// Package confcheck is a confmap converter for distributions that include the qualys receiver. It
// checks what the receiver cannot see from its own configuration: that the extensions it names
// (storage, leader_elector) are configured and enabled under service::extensions. The collector
// runs converters for `validate` too, so the mistake shows there and not only at start.
package confcheck // import "github.com/seed-d80aa3af/qualysreceiver/confcheck"

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"go.opentelemetry.io/collector/confmap"
)

// receiverType is the qualys receiver's component type (metadata.yaml).
const receiverType = "qualys"

// extensionKeys are the receiver's keys that name an extension.
var extensionKeys = []string{"storage", "leader_elector"}

// NewFactory returns the converter's factory, for the converters section of an ocb manifest.
func NewFactory() confmap.ConverterFactory {
	return confmap.NewConverterFactory(func(confmap.ConverterSettings) confmap.Converter { return converter{} })
}

type converter struct{}

// Convert changes nothing; it returns every reference, by a qualys receiver some pipeline uses, to
// an extension that the service will not start, one line each, naming the receiver and its key.
func (converter) Convert(_ context.Context, conf *confmap.Conf) error {
	receivers, _ := conf.Get("receivers").(map[string]any)
	defined, _ := conf.Get("extensions").(map[string]any)
	enabled := stringList(conf.Get("service::extensions"))
	ids := pipelineReceivers(conf)
	var errs []error
	for _, id := range ids {
		if t, _, _ := strings.Cut(id, "/"); t != receiverType {
			continue
		}
		cfg, _ := receivers[id].(map[string]any)
		for _, key := range extensionKeys {
			ext, ok := cfg[key].(string)
			if !ok || strings.TrimSpace(ext) == "" {
				continue
			}
			ext = strings.TrimSpace(ext)
			switch {
			case !hasKey(defined, ext):
				errs = append(errs, fmt.Errorf("receivers::%s: %s: extension %q is not configured: add it under extensions and service::extensions", id, key, ext))
			case !slices.Contains(enabled, ext):
				errs = append(errs, fmt.Errorf("receivers::%s: %s: extension %q is not listed in service::extensions, so it would not start", id, key, ext))
			}
		}
	}
	return errors.Join(errs...)
}

// pipelineReceivers are the receiver ids some pipeline uses, sorted: the service starts no other.
func pipelineReceivers(conf *confmap.Conf) []string {
	pipelines, _ := conf.Get("service::pipelines").(map[string]any)
	seen := map[string]bool{}
	for _, p := range pipelines {
		pipeline, _ := p.(map[string]any)
		for _, id := range stringList(pipeline["receivers"]) {
			seen[id] = true
		}
	}
	ids := make([]string, 0, len(seen))
	for id := range seen {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

func hasKey(m map[string]any, k string) bool {
	_, ok := m[k]
	return ok
}

func stringList(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, e := range list {
		if s, ok := e.(string); ok {
			out = append(out, strings.TrimSpace(s))
		}
	}
	return out
}
