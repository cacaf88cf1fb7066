#!/usr/bin/env bash
# Gateway memory: resident set size (RSS) of `wasmgate run` at idle, under wrk load, and idle again
# after the load, for 1, 2 and 4 workers, so the cost of one more worker can be read off. The
# gateway proxies to an nginx backend serving a small static body (as bench/proxy.sh does).
#
#   bench/memory.sh [BUILD_DIR]        (default: build)
# Environment: DURATION (10s of load), CONNECTIONS (64), WORKER_COUNTS ("1 2 4"),
#              EXTRA_YAML (a file appended to the gateway config, e.g. a plugins: section).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=$(realpath -m "${1:-$here/../build}")  # absolute: configs in temp folders name its plugins
wasmgate=$build/wasmgate
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
WORKER_COUNTS=${WORKER_COUNTS:-"1 2 4"}

source "$here/lib/backend.sh"
bench_setup wrk
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
threads_of() { awk '/^Threads:/ { print $2 }' "/proc/$1/status"; }

# One gateway with $1 workers -> "idle_kb load_peak_kb after_kb req_per_sec threads"
measure() {
  local workers=$1
  WASMGATE_PORT=$(free_port); ADMIN_PORT=$(free_port)
  render "$here/nginx/wasmgate.yaml.in" "$dir/wasmgate.yaml"
  [ -n "${EXTRA_YAML:-}" ] && cat "$EXTRA_YAML" >> "$dir/wasmgate.yaml"
  "$wasmgate" run --config "$dir/wasmgate.yaml" --workers "$workers" 2>"$dir/wasmgate.log" &
  local pid=$!
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$ADMIN_PORT/ready" >/dev/null && break; sleep 0.05; done
  curl -fs "http://127.0.0.1:$WASMGATE_PORT/" >/dev/null || { echo "memory.sh: gateway not answering" >&2; cat "$dir/wasmgate.log" >&2; exit 1; }
  sleep 1
  local idle; idle=$(rss_kb $pid)
  local threads; threads=$(threads_of $pid)
  wrk -t1 -c"$CONNECTIONS" -d"$DURATION" "http://127.0.0.1:$WASMGATE_PORT/" > "$dir/wrk.out" &
  local wrk_pid=$! peak=0 now
  while kill -0 $wrk_pid 2>/dev/null; do
    now=$(rss_kb $pid); [ "$now" -gt "$peak" ] && peak=$now
    sleep 0.2
  done
  wait $wrk_pid
  sleep 1
  local after; after=$(rss_kb $pid)
  local rps; rps=$(awk '/Requests\/sec/ { printf "%.0f", $2 }' "$dir/wrk.out")
  kill $pid; wait $pid 2>/dev/null || true
  echo "$idle $peak $after $rps $threads"
}

echo "wasmgate RSS (kB): wrk -t1 -c$CONNECTIONS -d$DURATION through the gateway to an nginx backend, $(nproc) cores"
printf "| workers | threads | idle | under load (peak) | idle after load | req/s |\n|---:|---:|---:|---:|---:|---:|\n"
first_workers=""; first_idle=0; first_peak=0
declare -A idle_of peak_of
for w in $WORKER_COUNTS; do
  read -r idle peak after rps threads <<< "$(measure "$w")"
  idle_of[$w]=$idle; peak_of[$w]=$peak
  printf "| %s | %s | %s | %s | %s | %s |\n" "$w" "$threads" "$idle" "$peak" "$after" "$rps"
  if [ -z "$first_workers" ]; then first_workers=$w; first_idle=$idle; first_peak=$peak; fi
done
echo
for w in $WORKER_COUNTS; do
  [ "$w" = "$first_workers" ] && continue
  extra=$((w - first_workers))
  printf "per extra worker (%s -> %s workers): idle %+d kB, under load %+d kB\n" "$first_workers" "$w" \
    $(( (idle_of[$w] - first_idle) / extra )) $(( (peak_of[$w] - first_peak) / extra ))
done
