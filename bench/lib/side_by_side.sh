# Shared by bench/redis_ratelimit.sh and bench/http_call.sh: start wasmgate configurations one
# after the other against the built-in httpbin and measure each with the same wrk settings.
# Source it; it expects $build and sets $dir (a scratch folder removed on exit).
set -euo pipefail
DURATION=${DURATION:-8s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
WORKERS=${WORKERS:-2}
wasmgate=$build/wasmgate
[ -x "$wasmgate" ] || { echo "$0: $wasmgate not built (make build)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "$0: wrk is not installed (scripts/setup.sh installs it)" >&2; exit 1; }

dir=$(mktemp -d /tmp/wasmgate-bench-XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# gateway_config NAME PORT EXTRA_YAML: a config routing everything to httpbin, plus EXTRA_YAML.
gateway_config() {
  cat > "$dir/$1.yaml" <<YAML
listeners: [{name: main, address: "127.0.0.1:$2"}]
admin: {address: "127.0.0.1:$(free_port)"}
log_level: warn
routes: [{name: default/bin, hosts: ["*"], match: {prefix: /}, service: httpbin}]
$3
YAML
}

wait_for_port() {
  for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done
  echo "$0: nothing listens on port $1" >&2; return 1
}

# measure NAME PORT: runs wasmgate with $dir/NAME.yaml, prints "NAME req/s p50 p99 non2xx".
measure() {
  "$wasmgate" run --config "$dir/$1.yaml" --workers "$WORKERS" > "$dir/$1.log" 2>&1 &
  local pid=$!; pids+=("$pid")
  wait_for_port "$2"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$2/get" > "$dir/$1.wrk"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  awk -v name="$1" '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
       /Non-2xx/ {bad=$NF} END {printf "%-22s %10.0f req/s  p50 %-9s p99 %-9s non-2xx %s\n", name, rps, p50, p99, bad+0}' "$dir/$1.wrk"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
rps_of() { awk '/Requests\/sec/ {print $2}' "$dir/$1.wrk"; }
