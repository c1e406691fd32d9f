#!/usr/bin/env bash
# Runs the built collector's `validate` on every example config (they must pass) and on
# testdata/invalid-collector.yaml (it must fail, naming each key at fault).
set -euo pipefail
collector=${1:?usage: validate-examples.sh path/to/otelcol-qualys}
export QUALYS_USERNAME=example_user QUALYS_PASSWORD=example-password

for cfg in examples/*.yaml; do
  "$collector" validate --config="$cfg" || { echo "FAIL: $cfg was rejected"; exit 1; }
  echo "ok: $cfg accepted"
done

if out=$("$collector" validate --config=testdata/invalid-collector.yaml 2>&1); then
  echo "FAIL: testdata/invalid-collector.yaml was accepted"; exit 1
fi
for key in 'qualys::platform: "US9"' 'qualys::vulnerabilities::status: "Open"' 'password: must be set'; do
  grep -qF -- "$key" <<<"$out" || { echo "FAIL: validate output does not name $key:"; echo "$out"; exit 1; }
done
echo "ok: testdata/invalid-collector.yaml rejected, naming platform, vulnerabilities::status and password"
