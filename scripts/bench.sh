#!/usr/bin/env bash
# `make bench`: the performance targets of issue 7, measured side by side in one run, printed as one
# table (BENCHMARKS.md records a run and explains the columns).
#
#   1. Go benchmarks at one core: decode+convert of a Host List Detection page into pdata
#      (BenchmarkDetectionsToPdata) and the encoding/xml DecodeElement baseline on the same bytes.
#   2. Load run: the ocb-built collector (make build) pulls a whole simulated tenant through
#      scripts/bench/collector.yaml (vulnerabilities stream only, a sink that keeps nothing) from the
#      simulator with a concurrency limit and a per-connection bandwidth cap; the sync time is
#      compared with the ideal, all bytes sent / (concurrency x bandwidth).
#      The assets stream does the same: a full sync of the same tenant's inventory (Host List and
#      host assets, assets stream only), against the same ideal.
#   3. Memory runs: the same collector ingests ONE Host List Detection answer of 0.5, 1 and 2 GiB
#      (50 hosts, so the plan is a single range and a single page), with no bandwidth cap; peak RSS
#      (VmHWM) for each.
#   4. Gauge memory: Go benchmarks of the gauge counts' heap (internal/gauge BenchmarkGaugeHosts at
#      10,000 and 1,000,000 hosts, BenchmarkGaugePostures at 1,000,000 and 4,000,000 postures), with
#      the slope per host and per posture, and what saving a checkpoint record with such counts
#      allocates and holds (internal/pull BenchmarkRecordSave); part of the Go benchmarks (1).
#      With BENCH_SCALE=1 also the collector at tenant scale, no bandwidth cap, peak RSS:
#      vulnerabilities with one million detections over 10,000 and over 1,000,000 hosts, compliance
#      at about 1,000,000 and 4,000,000 postures (10,000 and 40,000 hosts, 5 policies of 27
#      controls: more hosts, not more controls, so a batch, 1,000 hosts of a policy, stays the same
#      size); slopes per host and posture. BENCH_SCALE_ASSETS=1 adds assets at 1,000,000 hosts.
#
# BENCH_MODE: all (default: 1, 2, 3), load (1 and 2), sync (2 only), memory (3 only), go (1 only),
# scale (the collector runs of 4 only, whatever BENCH_SCALE).
# Knobs (defaults in brackets):
#   BENCH_HOSTS [20000] BENCH_DETECTIONS_PER_HOST [20] BENCH_RESULTS_BYTES [160]   load-run tenant
#   BENCH_CONCURRENCY [4]        simulator concurrency limit and the receiver's max_concurrency
#   BENCH_BANDWIDTH [8388608]    bytes/s per connection (each response body) in the load run
#   BENCH_PAGE_SIZE [1000]       vulnerabilities::page_size (hosts per page)
#   BENCH_ASSETS_PAGE_SIZE [1000] assets::page_size (hosts per page; 1000 is the most Qualys allows)
#   BENCH_MEMORY_RUNS ["4345 9060 14100"]  -detections-per-host of each memory run: 50 hosts with
#                                these averages give answers of 0.5, 1 and 2 GiB (host counts are random)
#   BENCH_MEMORY_RESULTS_BYTES [2000]  RESULTS size in the memory runs
#   BENCH_KNOWLEDGE_BASE [true]  the KnowledgeBase join
#   BENCH_BENCHTIME [20x]        go test -benchtime
#   BENCH_SKIP_BUILD [0]         1: use the collector already in _build
#   BENCH_SCALE [0]              1: the tenant-scale collector runs of 4 (about 8 minutes here)
#   BENCH_SCALE_ASSETS [0]       1: with them, assets at 1,000,000 hosts
#   BENCH_SCALE_STREAMS ["vulnerabilities compliance"]  the streams of the tenant-scale runs (each
#                                with its slope; assets runs with BENCH_SCALE_ASSETS=1 whatever this says)
#   BENCH_SIM_PORT [18180] BENCH_METRICS_PORT [18888] BENCH_TIMEOUT [900] (seconds per pull)
# Results and logs go to _build/bench/. Needs curl and jq besides Go and make.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in curl jq; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is needed (apt-get install $tool)" >&2; exit 1; }
done

GO=${GO:-go}
MODE=${BENCH_MODE:-all}
HOSTS=${BENCH_HOSTS:-20000}
DPH=${BENCH_DETECTIONS_PER_HOST:-20}
RESULTS=${BENCH_RESULTS_BYTES:-160}
CONC=${BENCH_CONCURRENCY:-4}
BW=${BENCH_BANDWIDTH:-8388608}
PAGE=${BENCH_PAGE_SIZE:-1000}
ASSETS_PAGE=${BENCH_ASSETS_PAGE_SIZE:-1000}
MEM_RUNS=${BENCH_MEMORY_RUNS:-4345 9060 14100}
MEM_RESULTS=${BENCH_MEMORY_RESULTS_BYTES:-2000}
KB=${BENCH_KNOWLEDGE_BASE:-true}
BENCHTIME=${BENCH_BENCHTIME:-20x}
SIM_PORT=${BENCH_SIM_PORT:-18180}
METRICS_PORT=${BENCH_METRICS_PORT:-18888}
TIMEOUT=${BENCH_TIMEOUT:-900}
OUT=_build/bench
COLLECTOR=_build/otelcol-qualys
SIMULATOR=_build/qualys-simulator
# Memory runs: 50 hosts (fineRangeHosts) make one range, hence one page. The KnowledgeBase pool is
# the same in every run, and nearly every QID in it is detected even in the smallest, so the KnowledgeBase
# cache holds the same entries whatever the size of the answer.
MEM_HOSTS=50
MEM_QIDS=40000

mkdir -p "$OUT"
rows=()

say() { echo "bench: $*" >&2; }

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
}
trap cleanup EXIT INT TERM

# --- 1. Go benchmarks --------------------------------------------------------------------------
PDATA_RATE="" XML_RATE=""
go_benchmarks() {
  say "Go benchmarks at one core (-benchtime $BENCHTIME)"
  $GO test -run '^$' -bench '^(BenchmarkDetectionsToPdata|BenchmarkDetectionsDecodeOnly|BenchmarkDetectionsEncodingXML)$' \
    -benchmem -cpu 1 -benchtime "$BENCHTIME" -count 1 ./receiver/ | tee "$OUT/go-bench.txt" >&2
  PDATA_RATE=$(bench_metric 'BenchmarkDetectionsToPdata/kb=off' detections/s)
  local kb_rate decode_rate bpd
  kb_rate=$(bench_metric 'BenchmarkDetectionsToPdata/kb=cached' detections/s)
  decode_rate=$(bench_metric 'BenchmarkDetectionsDecodeOnly' detections/s)
  XML_RATE=$(bench_metric 'BenchmarkDetectionsEncodingXML' detections/s)
  bpd=$(bench_metric 'BenchmarkDetectionsToPdata/kb=off' bytes/detection)
  rows+=("$(row "decode+convert, 1 core, KnowledgeBase off ($(fmt0 "$bpd") B/detection)" "$PDATA_RATE" "$(ratio "$PDATA_RATE" "$XML_RATE")x")")
  rows+=("$(row "decode+convert, 1 core, KnowledgeBase join from cache" "$kb_rate" "$(ratio "$kb_rate" "$XML_RATE")x")")
  rows+=("$(row "decode only, 1 core" "$decode_rate" "$(ratio "$decode_rate" "$XML_RATE")x")")
  rows+=("$(row "encoding/xml DecodeElement baseline, 1 core" "$XML_RATE" "1x")")
  $GO test -run '^$' -bench '^BenchmarkCache200kQIDs$' -benchmem -cpu 1 -benchtime 2x -count 1 ./internal/kb/ \
    | tee -a "$OUT/go-bench.txt" >&2
  local kb_ns kb_entries kb_bpe kb_mib
  kb_ns=$(bench_metric 'BenchmarkCache200kQIDs' ns/op)
  kb_entries=$(bench_metric 'BenchmarkCache200kQIDs' entries)
  kb_bpe=$(bench_metric 'BenchmarkCache200kQIDs' bytes/entry)
  kb_mib=$(bench_metric 'BenchmarkCache200kQIDs' MiB)
  gauge_benchmarks
  rows+=("$(row "KnowledgeBase cache: 200,000 distinct QIDs, default limits ($(fmt0 "$kb_entries") kept, $(fmt0 "$kb_bpe") B/entry, $kb_mib MiB)" \
    "$(awk -v ns="$kb_ns" 'BEGIN { if (ns > 0) print 200000 / (ns / 1e9) }')" "" "200,000")")
}

# gauge_benchmarks: the memory the gauge counts hold (Go heap and mapped chunks) after a full pull (steady) and at the end of the
# next full pull before it completes (peak), and the slopes between the two sizes.
gauge_benchmarks() {
  $GO test -run '^$' -bench '^(BenchmarkGaugeHosts|BenchmarkGaugePostures)$' -cpu 1 -benchtime 1x -count 1 ./internal/gauge/ \
    | tee -a "$OUT/go-bench.txt" >&2
  gauge_row hosts BenchmarkGaugeHosts 10000 1000000
  gauge_row postures BenchmarkGaugePostures 1000000 4000000
  $GO test -run '^$' -bench '^BenchmarkRecordSave$' -cpu 1 -benchtime 5x -count 1 ./internal/pull/ | tee -a "$OUT/go-bench.txt" >&2
  local st
  for st in none file; do
    rows+=("$(row "checkpoint record save, gauge counts of 4,000,000 ids, storage $st: $(bench_metric "BenchmarkRecordSave/storage=$st/ids=4000000" alloc-B/id/save) B/id allocated a save, $(bench_metric "BenchmarkRecordSave/storage=$st/ids=4000000" held-B/id) B/id held" "" "" "4,000,000")")
  done
}

# gauge_row WHAT BENCHMARK SMALL LARGE: one row with the slope of steady and peak memory held between the sizes.
gauge_row() {
  local what=$1 name=$2 small=$3 large=$4 s1 s2 p1 p2
  s1=$(bench_metric "$name/$what=$small" held-bytes) s2=$(bench_metric "$name/$what=$large" held-bytes)
  p1=$(bench_metric "$name/$what=$small" peak-held-bytes) p2=$(bench_metric "$name/$what=$large" peak-held-bytes)
  rows+=("$(row "gauge counts held, $what $(fmt0 "$small") to $(fmt0 "$large"): $(slope "$s1" "$s2" "$small" "$large") B/${what%s} steady, $(slope "$p1" "$p2" "$small" "$large") B/${what%s} during a full pull ($(awk -v b="$p2" 'BEGIN { printf "%.1f", b / 1048576 }') MiB at $(fmt0 "$large"))" "" "" "$(fmt0 "$large")")")
}
slope() { awk -v a="$1" -v b="$2" -v m="$3" -v n="$4" 'BEGIN { if (n > m) printf "%.1f", (b - a) / (n - m) }'; }

# bench_metric NAME UNIT: the value reported before UNIT on the benchmark line named NAME.
bench_metric() {
  awk -v name="$1" -v unit="$2" '$1 == name { for (i = 2; i <= NF; i++) if ($i == unit) { print $(i-1); exit } }' "$OUT/go-bench.txt"
}

# row LABEL RECORDS_PER_S X_BASELINE [RECORDS MB_PER_S SECONDS IDEAL X_IDEAL RSS_MB]
row() {
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |' "$1" "$(fmt0 "$2")" "${4:-}" "${5:-}" "${6:-}" "${7:-}" "${8:-}" "${9:-}" "$3"
}
# fmt0 N: N rounded, with thousands separators.
fmt0() {
  [ -n "${1:-}" ] || return 0
  awk -v v="$1" 'BEGIN { s = sprintf("%d", v + 0.5); o = ""
    while (length(s) > 3) { o = "," substr(s, length(s) - 2) o; s = substr(s, 1, length(s) - 3) }
    print s o }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b }'; }

# --- 2./3. pulls against the simulator ---------------------------------------------------------
build() {
  if [ "${BENCH_SKIP_BUILD:-0}" != 1 ] || [ ! -x "$COLLECTOR" ]; then
    say "building the collector (make build)"
    make --no-print-directory build >"$OUT/build.log" 2>&1 || { tail -20 "$OUT/build.log" >&2; exit 1; }
  fi
  $GO build -o "$SIMULATOR" ./internal/simulator/cmd/qualys-simulator
}

wait_port() {
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  say "nothing listens on port $1"; return 1
}

# pull NAME LABEL BANDWIDTH SIMULATOR_FLAGS...: one full pull; appends a row. STREAM (vulnerabilities,
# assets or compliance) picks the stream that pulls.
pull() {
  local name=$1 label=$2 bw=$3; shift 3
  local stream=${STREAM:-vulnerabilities}
  local simlog="$OUT/$name.simulator.log" collog="$OUT/$name.collector.log"
  # Emptied here, before the collector starts: the wait below must not read an earlier run's log.
  : >"$collog"
  say "${label//@SIZE@/?}"
  "$SIMULATOR" -listen "127.0.0.1:$SIM_PORT" -concurrency-limit "$CONC" -rate-limit -1 -bandwidth "$bw" \
    -username bench_user -password bench-password "$@" >"$simlog" 2>&1 &
  local sim=$!
  pids+=("$sim")
  wait_port "$SIM_PORT"
  QUALYS_API_URL="http://127.0.0.1:$SIM_PORT" QUALYS_USERNAME=bench_user QUALYS_PASSWORD=bench-password \
    BENCH_CONCURRENCY="$CONC" BENCH_PAGE_SIZE="$PAGE" BENCH_MAX_RESULTS_BYTES=4096 BENCH_KNOWLEDGE_BASE="$KB" \
    BENCH_VULNERABILITIES=$([ "$stream" = vulnerabilities ] && echo true || echo false) \
    BENCH_ASSETS=$([ "$stream" = assets ] && echo true || echo false) BENCH_ASSETS_PAGE_SIZE="$ASSETS_PAGE" \
    BENCH_COMPLIANCE=$([ "$stream" = compliance ] && echo true || echo false) \
    BENCH_METRICS_PORT="$METRICS_PORT" "$COLLECTOR" --config=scripts/bench/collector.yaml >>"$collog" 2>&1 &
  local col=$!
  pids+=("$col")
  local waited=0
  until grep -q 'Pull completed' "$collog"; do
    if ! kill -0 "$col" 2>/dev/null; then say "the collector stopped; see $collog"; tail -5 "$collog" >&2; exit 1; fi
    if grep -q $'\terror\t' "$collog"; then say "the collector logged an error; see $collog"; grep $'\terror\t' "$collog" | head -3 >&2; exit 1; fi
    if [ "$waited" -ge $((TIMEOUT * 5)) ]; then say "no 'Pull completed' after ${TIMEOUT}s; see $collog"; exit 1; fi
    sleep 0.2
    waited=$((waited + 1))
  done
  local hwm_kb records seconds bytes hld_bytes
  hwm_kb=$(awk '/^VmHWM:/ { print $2 }' "/proc/$col/status")
  records=$(grep -m1 'Pull completed' "$collog" | sed -E 's/.*"records": ([0-9]+).*/\1/' || true)
  seconds=$(grep -m1 'Pull completed' "$collog" | sed -E 's/.*"duration": ([0-9.e+-]+).*/\1/' || true)
  if [ -z "$records" ] || [ -z "$seconds" ]; then say "no records or duration in the 'Pull completed' line of $collog"; exit 1; fi
  curl -sSf "http://127.0.0.1:$SIM_PORT/sim/requests" >"$OUT/$name.requests.json" || { say "cannot read the simulator's request log"; exit 1; }
  bytes=$(jq '[.[].Bytes] | add' "$OUT/$name.requests.json")
  hld_bytes=$(jq '[.[] | select(.Endpoint == "hld") | .Bytes] | add // 0' "$OUT/$name.requests.json")
  cleanup
  local mbps rps ideal x_ideal
  rps=$(awk -v r="$records" -v s="$seconds" 'BEGIN { print r / s }')
  mbps=$(awk -v b="$bytes" -v s="$seconds" 'BEGIN { printf "%.1f", b / s / 1048576 }')
  if [ "$bw" -gt 0 ]; then
    ideal=$(awk -v b="$bytes" -v c="$CONC" -v w="$bw" 'BEGIN { printf "%.1f", b / (c * w) }')
    x_ideal=$(awk -v b="$bytes" -v c="$CONC" -v w="$bw" -v s="$seconds" 'BEGIN { printf "%.2f", s / (b / (c * w)) }')
  else
    ideal="-" x_ideal="-"
  fi
  rows+=("$(row "${label//@SIZE@/$(awk -v b="$hld_bytes" 'BEGIN { printf "%.2f GiB", b / 1073741824 }')}" "$rps" "" \
    "$(fmt0 "$records")" "$mbps" "$(printf '%.1f' "$seconds")" "$ideal" "$x_ideal" "$((hwm_kb / 1024))")")
  echo "$name records=$records seconds=$seconds bytes=$bytes hld_bytes=$hld_bytes hwm_kb=$hwm_kb" >>"$OUT/pulls.txt"
}

load_run() {
  pull load "load: full sync of $HOSTS hosts (@SIZE@ of detections), $CONC connections x $(awk -v w="$BW" 'BEGIN { printf "%.1f MiB/s", w / 1048576 }')" "$BW" \
    -hosts "$HOSTS" -detections-per-host "$DPH" -results-bytes "$RESULTS"
}

assets_run() {
  STREAM=assets pull assets "load: full assets sync of $HOSTS hosts (Host List and host assets), $CONC connections x $(awk -v w="$BW" 'BEGIN { printf "%.1f MiB/s", w / 1048576 }')" "$BW" \
    -hosts "$HOSTS" -detections-per-host "$DPH" -results-bytes "$RESULTS"
}

memory_runs() {
  for dph in $MEM_RUNS; do
    pull "memory-$dph" "memory: one Host List Detection answer of @SIZE@" 0 \
      -hosts "$MEM_HOSTS" -detections-per-host "$dph" -results-bytes "$MEM_RESULTS" -qids "$MEM_QIDS"
  done
}

# scale_runs: the collector at tenant scale (BENCH_SCALE=1), then the slopes of peak RSS.
scale_runs() {
  local streams=" ${BENCH_SCALE_STREAMS:-vulnerabilities compliance} "
  if [[ $streams == *" vulnerabilities "* ]]; then
    pull scale-hosts-10000 "scale: vulnerabilities, 1,000,000 detections over 10,000 hosts" 0 \
      -hosts 10000 -detections-per-host 100 -results-bytes "$RESULTS"
    pull scale-hosts-1000000 "scale: vulnerabilities, 1,000,000 detections over 1,000,000 hosts" 0 \
      -hosts 1000000 -detections-per-host 1 -results-bytes "$RESULTS"
    rows+=("$(row "scale: peak RSS slope, vulnerabilities 10,000 to 1,000,000 hosts: $(rss_slope scale-hosts-10000 scale-hosts-1000000 10000 1000000) B/host" "" "")")
  fi
  if [[ $streams == *" compliance "* ]]; then
    STREAM=compliance pull scale-postures-1m "scale: compliance, 10,000 hosts x 5 policies x 27 controls" 0 \
      -hosts 10000 -policies 5 -controls 27
    STREAM=compliance pull scale-postures-4m "scale: compliance, 40,000 hosts x 5 policies x 27 controls" 0 \
      -hosts 40000 -policies 5 -controls 27
    rows+=("$(row "scale: peak RSS slope, compliance: $(rss_slope scale-postures-1m scale-postures-4m) B/posture" "" "")")
  fi
  if [ "${BENCH_SCALE_ASSETS:-0}" = 1 ]; then
    STREAM=assets pull scale-assets-1000000 "scale: assets, 1,000,000 hosts" 0 -hosts 1000000 -detections-per-host 1
  fi
}

# rss_slope RUN1 RUN2 [N1 N2]: (peak RSS of RUN2 - RUN1) / (N2 - N1), N the runs' records by default.
rss_slope() {
  local h1 h2 n1 n2
  h1=$(awk -v r="$1" '$1 == r { sub("hwm_kb=", "", $6); print $6 }' "$OUT/pulls.txt")
  h2=$(awk -v r="$2" '$1 == r { sub("hwm_kb=", "", $6); print $6 }' "$OUT/pulls.txt")
  n1=${3:-$(awk -v r="$1" '$1 == r { sub("records=", "", $2); print $2 }' "$OUT/pulls.txt")}
  n2=${4:-$(awk -v r="$2" '$1 == r { sub("records=", "", $2); print $2 }' "$OUT/pulls.txt")}
  awk -v a="$h1" -v b="$h2" -v m="$n1" -v n="$n2" 'BEGIN { if (n > m) printf "%.1f", (b - a) * 1024 / (n - m) }'
}

: >"$OUT/pulls.txt"
case "$MODE" in
  go) go_benchmarks ;;
  load) go_benchmarks; build; load_run; assets_run ;;
  sync) build; load_run; assets_run ;;
  memory) build; memory_runs ;;
  all) go_benchmarks; build; load_run; assets_run; memory_runs
    if [ "${BENCH_SCALE:-0}" = 1 ]; then scale_runs; fi ;;
  scale) build; scale_runs ;;
  *) say "BENCH_MODE must be all, load, sync, memory, go or scale, not $MODE"; exit 2 ;;
esac

{
  echo
  echo "$(uname -m), $(nproc) cores, $($GO version | awk '{ print $3 }'), $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "| run | records/s | records | MiB/s | sync s | ideal s | x ideal | peak RSS MiB | x encoding/xml |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
} | tee "$OUT/table.md"
