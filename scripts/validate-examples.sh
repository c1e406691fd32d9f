#!/usr/bin/env bash
# Runs the built collector's `validate` on every collector configuration under examples/ (they must
# pass) and on testdata/invalid-collector.yaml (it must fail, naming each key at fault).
#
# Kubernetes manifests under examples/ (files with a top-level apiVersion) are not collector
# configurations and are skipped; the OpenTelemetryCollector resource embeds
# examples/kubernetes/collector.yaml, which is validated here, and examples_test.go checks that the
# two are the same configuration.
set -euo pipefail
collector=${1:?usage: validate-examples.sh path/to/otelcol-qualys}
export QUALYS_USERNAME=example_user QUALYS_PASSWORD=example-password
# What the deployment examples read from the environment (endpoints, keys, the pod's namespace).
export OTLP_ENDPOINT=otel-gateway.example.com:4317 \
  ELASTIC_OTLP_ENDPOINT=https://example.ingest.us-east-1.aws.elastic.cloud:443 ELASTIC_API_KEY=example-key \
  SPLUNK_GATEWAY_ENDPOINT=http://splunk-otel-collector.example.com:4318 SPLUNK_REALM=us1 \
  SPLUNK_ACCESS_TOKEN=example-token \
  LOKI_ENDPOINT=http://loki.example.com:3100/otlp PROMETHEUS_OTLP_ENDPOINT=http://prometheus.example.com:9090/api/v1/otlp \
  POD_NAMESPACE=qualys

components=$("$collector" components)
has_component() { grep -qE "^ *- name: $1\$" <<<"$components"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

count=0
while IFS= read -r -d '' cfg; do
  if grep -q '^apiVersion:' "$cfg"; then
    echo "skip: $cfg is a Kubernetes manifest"
    continue
  fi
  target=$cfg
  # A configuration with leader election needs the k8s_leader_elector extension. Without it in this
  # build, validate everything else: the lines tagged [ha] configure the extension. The receiver's
  # leader_elector key stays, so validate still checks that the receiver accepts it.
  if grep -q 'k8s_leader_elector' "$cfg" && ! has_component k8s_leader_elector; then
    target=$tmp/$(basename "$cfg")
    grep -v '# \[ha\]$' "$cfg" >"$target"
    if grep -v '^ *#' "$target" | grep 'k8s_leader_elector' | grep -qvE '^ *leader_elector: k8s_leader_elector$'; then
      echo "FAIL: $cfg configures k8s_leader_elector on a line not tagged # [ha]"; exit 1
    fi
    echo "note: $(basename "$collector") has no k8s_leader_elector extension; validating $cfg without its [ha] lines"
  fi
  "$collector" validate --config="$target" || { echo "FAIL: $cfg was rejected"; exit 1; }
  echo "ok: $cfg accepted"
  count=$((count + 1))
done < <(find examples -type f \( -name '*.yaml' -o -name '*.yml' \) -print0 | sort -z)
[ "$count" -gt 0 ] || { echo "FAIL: no collector configuration found under examples/"; exit 1; }

if out=$("$collector" validate --config=testdata/invalid-collector.yaml 2>&1); then
  echo "FAIL: testdata/invalid-collector.yaml was accepted"; exit 1
fi
for key in 'qualys::platform: "US9"' 'qualys::vulnerabilities::status: "Open"' 'password: must be set'; do
  grep -qF -- "$key" <<<"$out" || { echo "FAIL: validate output does not name $key:"; echo "$out"; exit 1; }
done
echo "ok: testdata/invalid-collector.yaml rejected, naming platform, vulnerabilities::status and password"

