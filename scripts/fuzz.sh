#!/usr/bin/env bash
# Runs every fuzz target of the module for a short time each: `make fuzz`, or directly
#   FUZZTIME=30s scripts/fuzz.sh          # longer runs (default 3s per target)
#   FUZZTIME=10000x scripts/fuzz.sh       # a fixed number of inputs per target, as make test does
#   FUZZ_RUN=Config scripts/fuzz.sh       # only the targets whose name matches a regexp
#   FUZZ_JOBS=1 scripts/fuzz.sh           # one target at a time, with every CPU
# The targets are found with `go test -list '^Fuzz' ./...`, so new ones run without changes here.
# go test -fuzz takes one target of one package, so each target is its own run, on top of its
# seeds, its committed corpus in testdata/fuzz/<FuzzName>/ and what earlier runs left in
# $(go env GOCACHE)/fuzz. FUZZ_JOBS runs (default: one per CPU) go at once, the CPUs split
# between them.
# Exits non-zero if the listing, a build or any target fails, after running all of them; go test
# writes a failing input to the package's testdata/fuzz/<FuzzName>/ (rerun it with
# go test -run=<FuzzName>/<file> <package>, and commit it with the fix as a regression case).
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
FUZZTIME=${FUZZTIME:-3s}
FUZZ_RUN=${FUZZ_RUN:-.}
export GOFLAGS=${GOFLAGS:--mod=mod}
ncpu=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
FUZZ_JOBS=${FUZZ_JOBS:-$ncpu}

start=$SECONDS
# `go test -list` prints each package's matching names, then that package's "ok <import path>" line.
if ! listing=$("$GO" test -list '^Fuzz' ./... 2>&1); then
  echo "$listing"
  echo "fuzz: FAIL: listing the fuzz targets (go test -list '^Fuzz' ./...) failed" >&2
  exit 1
fi
targets=()
packages=()
pending=()
while IFS= read -r line; do
  case "$line" in
    Fuzz*) pending+=("$line") ;;
    ok*)
      pkg=$(awk '{print $2}' <<<"$line")
      for name in ${pending[@]+"${pending[@]}"}; do
        if grep -qE -- "$FUZZ_RUN" <<<"$name"; then
          targets+=("$pkg $name")
          if [[ " ${packages[*]-} " != *" $pkg "* ]]; then packages+=("$pkg"); fi
        fi
      done
      pending=()
      ;;
    '?'*) pending=() ;; # no test files
  esac
done <<<"$listing"

if [ ${#targets[@]} -eq 0 ]; then
  echo "fuzz: no fuzz targets match '$FUZZ_RUN'" >&2
  exit 1
fi
if [ "$FUZZ_JOBS" -gt ${#targets[@]} ]; then FUZZ_JOBS=${#targets[@]}; fi
if [ "$FUZZ_JOBS" -lt 1 ]; then FUZZ_JOBS=1; fi
workers=$((ncpu / FUZZ_JOBS))
if [ "$workers" -lt 1 ]; then workers=1; fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Build each package's instrumented test binary first, one package at a time: the runs below then
# find it in the build cache instead of compiling the same packages side by side.
for pkg in "${packages[@]}"; do
  if ! "$GO" test -c -o "$tmp/build.test" -fuzz=. "$pkg" >"$tmp/build.out" 2>&1; then
    cat "$tmp/build.out"
    echo "fuzz: FAIL: building the fuzz tests of $pkg" >&2
    exit 1
  fi
done
rm -f "$tmp/build.test"
echo "fuzz: ${#targets[@]} targets, $FUZZTIME each, $FUZZ_JOBS at a time with $workers worker(s) each"

# fuzz_once i: one go test -fuzz run of targets[i]; output to $tmp/i.out, returns its status.
fuzz_once() {
  local pkg=${targets[$1]% *} name=${targets[$1]#* }
  "$GO" test -run='^$' -fuzz="^${name}\$" -fuzztime="$FUZZTIME" -parallel="$workers" "$pkg" \
    >"$tmp/$1.out" 2>&1
}

# coordinator_race i: the run failed only because Go's fuzz coordinator reported its own -fuzztime
# deadline as a failure (golang/go#75804, fixed in Go 1.27, not in any 1.26.x): the failure line is
# followed by "context deadline exceeded" and no failing input was written. A count-based FUZZTIME
# (e.g. 10000x) has no deadline and never hits it.
coordinator_race() {
  local name=${targets[$1]#* }
  grep -A1 -- "^--- FAIL: ${name} " "$tmp/$1.out" | grep -qx '[[:space:]]*context deadline exceeded' &&
    ! grep -q 'Failing input written to' "$tmp/$1.out"
}

# run_target i: fuzzes targets[i], once more if the first run only hit the coordinator race; its
# output goes to $tmp/i.out, its status to $tmp/i.rc.
run_target() {
  local pkg=${targets[$1]% *} name=${targets[$1]#* } t0=$SECONDS rc=0
  fuzz_once "$1" || rc=$?
  if [ "$rc" -ne 0 ] && coordinator_race "$1"; then
    printf 'again %-24s       (Go fuzz coordinator deadline race, golang/go#75804; no failing input)\n' "$name"
    rc=0
    fuzz_once "$1" || rc=$?
  fi
  if [ "$rc" -eq 0 ]; then
    printf 'ok    %-24s %3ds  %s\n' "$name" $((SECONDS - t0)) "$pkg"
  else
    printf 'FAIL  %-24s %3ds  %s\n' "$name" $((SECONDS - t0)) "$pkg"
  fi
  echo "$rc" >"$tmp/$1.rc"
}

running=0
for i in "${!targets[@]}"; do
  if [ "$running" -ge "$FUZZ_JOBS" ]; then
    wait -n || true
    running=$((running - 1))
  fi
  run_target "$i" &
  running=$((running + 1))
done
wait

failed=0
for i in "${!targets[@]}"; do
  if [ "$(cat "$tmp/$i.rc" 2>/dev/null || echo 1)" != 0 ]; then
    failed=$((failed + 1))
    echo "--- ${targets[$i]#* } (${targets[$i]% *}):"
    tail -n 60 "$tmp/$i.out" | sed 's/^/    /'
  fi
done
echo "fuzz: ${#targets[@]} targets in $((SECONDS - start))s"
if [ "$failed" -gt 0 ]; then
  for i in "${!targets[@]}"; do
    if [ "$(cat "$tmp/$i.rc" 2>/dev/null || echo 1)" != 0 ]; then
      echo "fuzz: FAIL: ${targets[$i]#* } (${targets[$i]% *})" >&2
    fi
  done
  exit 1
fi
