#!/usr/bin/env bash
# Side-by-side proxy benchmark: wrk on loopback against nginx proxy_pass and against wasmgate
# (no plugin), both in front of the same nginx backend serving a small static body.
#
#   bench/proxy.sh [BUILD_DIR]        (default: build)
# Environment: DURATION (10s), CONNECTIONS (64), THREADS (1), WORKERS (1 proxy worker each),
#              ROUNDS (3, alternating; the best round of each is reported).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
wasmgate=$build/wasmgate
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-1}
WORKERS=${WORKERS:-1}
ROUNDS=${ROUNDS:-3}

for tool in nginx wrk; do
  command -v $tool >/dev/null || [ -x /usr/sbin/$tool ] || { echo "proxy.sh: $tool is not installed" >&2; exit 1; }
done
[ -x "$wasmgate" ] || { echo "proxy.sh: $wasmgate not built (cmake --build $build --target wasmgate)" >&2; exit 1; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
dir=$(mktemp -d /tmp/wasmgate-bench-XXXXXX)
BACKEND_PORT=$(free_port); PROXY_PORT=$(free_port); WASMGATE_PORT=$(free_port); ADMIN_PORT=$(free_port)
render() {
  sed -e "s|@DIR@|$dir|g" -e "s|@BACKEND_PORT@|$BACKEND_PORT|g" -e "s|@PROXY_PORT@|$PROXY_PORT|g" \
      -e "s|@WASMGATE_PORT@|$WASMGATE_PORT|g" -e "s|@ADMIN_PORT@|$ADMIN_PORT|g" -e "s|@WORKERS@|$WORKERS|g" "$1" > "$2"
}
render "$here/nginx/backend.conf.in" "$dir/backend.conf"
render "$here/nginx/proxy.conf.in" "$dir/proxy.conf"
render "$here/nginx/wasmgate.yaml.in" "$dir/wasmgate.yaml"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
"$NGINX" -p "$dir" -c "$dir/backend.conf" & pids+=($!)
"$NGINX" -p "$dir" -c "$dir/proxy.conf" & pids+=($!)
"$wasmgate" run --config "$dir/wasmgate.yaml" --workers "$WORKERS" 2>"$dir/wasmgate.log" & pids+=($!)
for port in $BACKEND_PORT $PROXY_PORT $WASMGATE_PORT; do
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.05; done
  curl -fs "http://127.0.0.1:$port/" >/dev/null || { echo "proxy.sh: nothing answers on $port" >&2; cat "$dir"/*.log >&2; exit 1; }
done

# One wrk run -> "req_per_sec p50_ms p99_ms"
run_wrk() {
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$1/" > "$dir/wrk.out"
  awk '
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    /Requests\/sec/ { rps=$2 }
    $1=="50%" { p50=ms($2) }
    $1=="99%" { p99=ms($2) }
    END { printf "%.0f %.3f %.3f\n", rps, p50, p99 }' "$dir/wrk.out"
}

wrk -t1 -c8 -d2s "http://127.0.0.1:$PROXY_PORT/" >/dev/null      # warm-up
wrk -t1 -c8 -d2s "http://127.0.0.1:$WASMGATE_PORT/" >/dev/null
best_n="0 0 0"; best_w="0 0 0"
for round in $(seq "$ROUNDS"); do
  n=$(run_wrk $PROXY_PORT); w=$(run_wrk $WASMGATE_PORT)
  echo "round $round: nginx $n | wasmgate $w  (req/s p50_ms p99_ms)"
  [ "${n%% *}" -gt "${best_n%% *}" ] && best_n=$n
  [ "${w%% *}" -gt "${best_w%% *}" ] && best_w=$w
done
read -r n_rps n_p50 n_p99 <<< "$best_n"
read -r w_rps w_p50 w_p99 <<< "$best_w"
ratio=$(awk -v a="$w_rps" -v b="$n_rps" 'BEGIN { printf "%.2f", a / b }')
echo
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $WORKERS proxy worker(s), $(nproc) cores, best of $ROUNDS"
printf "| proxy | req/s | p50 (ms) | p99 (ms) | ratio to nginx |\n|---|---:|---:|---:|---:|\n"
printf "| nginx proxy_pass | %s | %s | %s | 1.00 |\n" "$n_rps" "$n_p50" "$n_p99"
printf "| wasmgate (no plugin) | %s | %s | %s | %s |\n" "$w_rps" "$w_p50" "$w_p99" "$ratio"
