#!/usr/bin/env bash
# What the proxy executes per request, in user-space instructions counted by valgrind's callgrind:
# wasmgate with no plugin and with each plugin configuration, in front of the same nginx backend as
# bench/proxy.sh, after a warm-up, over a fixed number of requests (h2load). Unlike time, the count
# does not depend on what else the machine runs, so two builds or two configurations can be
# compared on a noisy shared VM; it leaves out the kernel and what cache misses cost, so it is a
# complement to bench/proxy.sh and bench/plugin_cpu.sh, not a replacement. Next to the count, the
# distinct 64-byte lines of machine code every request executes (bench/lib/code_lines.py): where
# requests come one at a time, each fetches its code afresh, and this, more than the instruction
# count, is what a plugin's time follows there (docs/performance.md, session 20).
#
#   bench/instructions.sh [BUILD_DIR]   (default: build)
# Environment: REQUESTS (3000 counted, after 2000 uncounted), PLUGIN_ROWS ("label=FILE ...", as
#              in bench/proxy.sh, "# header:" lines included; default: hello-world, raw-hello,
#              key-auth, five-header-plugins, five-raw-hello), BASELINE (another wasmgate binary: every row runs with it too, as
#              "baseline (...)", for a before/after of the same configurations; its plugins from
#              BASELINE_PLUGIN_DIR, default BUILD_DIR/plugins), NGINX_ROW (1: also
#              count nginx proxy_pass with bench/proxy.sh's config, the reference of the targets;
#              0 to skip), STEADY (1: count the code a long-running gateway settles on, see below;
#              0: V8's tiers as they are after the warm-up).
#
# Steady state: V8 first compiles a plugin with its baseline compiler (Liftoff) and moves each
# function to its optimising compiler (TurboFan) once ~1.8 MB of that function's code has run
# (--wasm-tiering-budget), which for code run once per request takes tens of thousands of
# requests, more than a callgrind run can afford. With STEADY=1 (the default) the rows run with
# WASMGATE_V8_FLAGS=--no-liftoff, everything compiled by TurboFan from the start; hello-world
# counted so and after a 30 000-request warm-up with the usual tiers differ by 0.02 %
# (docs/performance.md, 2026-12-06).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=$(realpath -m "${1:-$here/../build}")
wasmgate=$build/wasmgate
REQUESTS=${REQUESTS:-3000}
NGINX_ROW=${NGINX_ROW:-1}
STEADY=${STEADY:-1}
if [ "$STEADY" = 1 ]; then export WASMGATE_V8_FLAGS="--no-liftoff ${WASMGATE_V8_FLAGS:-}"; fi
if [ -z "${PLUGIN_ROWS+x}" ]; then
  PLUGIN_ROWS="hello-world=$here/plugins/hello-world.yaml.in raw-hello=$here/plugins/raw-hello.yaml.in"
  PLUGIN_ROWS+=" key-auth=$here/plugins/key-auth.yaml.in"
  PLUGIN_ROWS+=" five-header-plugins=$here/plugins/five-hello.yaml.in"
  PLUGIN_ROWS+=" five-raw-hello=$here/plugins/five-raw-hello.yaml.in"
fi

source "$here/lib/backend.sh"
bench_setup h2load valgrind callgrind_control callgrind_annotate

source "$here/lib/callgrind.sh"
CALLGRIND_OPTS=()

# One row: BINARY (with the row's extra YAML) under callgrind -> "instructions code-lines" per
# request.
count_row() {  # binary [extra-yaml-file]
  gateway_row_config "$@"
  REQUEST_HEADER=$(row_header "${2:-}") count_requests "$WASMGATE_PORT" "$1" run --config "$dir/row.yaml" --workers 1
}

# Profiles REQUESTS requests to COMMAND... listening on $1 -> "instructions code-lines" per request.
count_requests() {  # port command...
  local port=$1; shift
  callgrind_requests "$port" "$dir/profile.out" "$@"
  local total
  # awk reads to the end: leaving early would fail the pipeline (pipefail) with SIGPIPE.
  total=$(callgrind_annotate --auto=no "$dir/profile.out" 2>/dev/null |
    awk '/PROGRAM TOTALS/ && $1 ~ /^[0-9,]+$/ && !seen { gsub(",", "", $1); print $1; seen = 1 }')
  [ -n "$total" ] || { echo "$bench_name: no instruction count (see $dir/valgrind.log)" >&2; cat "$dir/valgrind.log" >&2; exit 1; }
  echo "$((total / REQUESTS)) $(python3 "$here/lib/code_lines.py" "$dir/profile.out" "$REQUESTS")"
}

rows=("no plugin=")
for row in $PLUGIN_ROWS; do rows+=("$row"); done
echo "callgrind, $REQUESTS requests after 2000 of warm-up, h2load --h1 -c4, 1 worker"
printf "| wasmgate | instructions/request | above no plugin | code lines/request | above no plugin |%s\n" \
  "${BASELINE:+ baseline instructions | above no plugin | baseline code lines | above no plugin |}"
printf "|---|---:|---:|---:|---:|%s\n" "${BASELINE:+---:|---:|---:|---:|}"
# "| n | n - base | lines | lines - base lines |" for one count "n lines" against the row's base
cells() {  # count base_count
  local n=${1% *} l=${1#* }
  if [ -z "${2:-}" ]; then echo " $n | | $l | |"; else echo " $n | $((n - ${2% *})) | $l | $((l - ${2#* })) |"; fi
}
for row in "${rows[@]}"; do
  label=${row%%=*}; file=${row#*=}
  n=$(count_row "$wasmgate" "$file")
  if [ -z "$file" ]; then none=$n; line="| $label |$(cells "$n")"; else line="| $label |$(cells "$n" "$none")"; fi
  if [ -n "${BASELINE:-}" ]; then
    b=$(count_row "$BASELINE" "$file")
    if [ -z "$file" ]; then base_none=$b; line+="$(cells "$b")"; else line+="$(cells "$b" "$base_none")"; fi
  fi
  echo "$line"
done
if [ "$NGINX_ROW" = 1 ]; then
  # nginx's single process (no master) so that callgrind follows the worker.
  PROXY_PORT=$(free_port)
  render "$here/nginx/proxy.conf.in" "$dir/proxy.conf.part"
  { echo "master_process off;"; cat "$dir/proxy.conf.part"; } > "$dir/proxy.conf"
  echo "| nginx proxy_pass (reference) |$(cells "$(count_requests "$PROXY_PORT" "$NGINX" -p "$dir" -c "$dir/proxy.conf")")"
fi
