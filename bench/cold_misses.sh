#!/usr/bin/env bash
# Where a request's time goes when it finds the caches cold: the lines of code and data that
# wasmgate fetches from memory per request, with no plugin and with each plugin row, counted by
# callgrind's cache simulation with every cache emptied before each read(2) (a preloaded
# bench/lib/evict_on_read.c). This is the condition of a gateway at low load, whose caches the
# kernel and other processes refill between two requests; there a plugin's time follows these
# misses (docs/performance.md). Like bench/instructions.sh the counts do not depend on what else
# the machine runs, so two builds can be compared on a noisy VM; unlike time they give no weight
# to a miss's latency or to the hardware's prefetching.
#
#   bench/cold_misses.sh [BUILD_DIR]   (default: build)
# Environment: REQUESTS (300 profiled, after 2000 of warm-up), PLUGIN_ROWS ("label=FILE ...", as
#              in bench/proxy.sh, "# header:" lines included; default: hello-world, raw-hello,
#              key-auth), BASELINE (another wasmgate binary: its rows follow, as "baseline (...)",
#              plugins from BASELINE_PLUGIN_DIR), TOP (25: the functions listed per plugin row),
#              DETAIL (1: after the table, each plugin row's misses above its no-plugin row by
#              object file and by function; 0: the table only).
# The simulated caches are fixed (32 KiB L1 each for code and data, 8 MiB last level, 64-byte
# lines), so that the counts do not depend on the cache sizes the VM reports.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=$(realpath -m "${1:-$here/../build}")
wasmgate=$build/wasmgate
REQUESTS=${REQUESTS:-300}
TOP=${TOP:-25}
DETAIL=${DETAIL:-1}
PLUGIN_ROWS=${PLUGIN_ROWS-"hello-world=$here/plugins/hello-world.yaml.in raw-hello=$here/plugins/raw-hello.yaml.in key-auth=$here/plugins/key-auth.yaml.in"}
# Code as a long-running gateway settles on it (TurboFan), as in bench/instructions.sh.
export WASMGATE_V8_FLAGS="--no-liftoff ${WASMGATE_V8_FLAGS:-}"

source "$here/lib/backend.sh"
bench_setup h2load valgrind callgrind_control cc
source "$here/lib/callgrind.sh"

cc -O2 -shared -fPIC -o "$dir/evict_on_read.so" "$here/lib/evict_on_read.c" -ldl
CALLGRIND_OPTS=(--cache-sim=yes --I1=32768,8,64 --D1=32768,8,64 --LL=8388608,16,64)

# One row: its profile in $dir/<binary index>-<row index>.out.
profile_row() {  # binary extra-yaml-file|"" out
  gateway_row_config "$1" "$2"
  REQUEST_HEADER=$(row_header "$2") LD_PRELOAD="$dir/evict_on_read.so" \
    callgrind_requests "$WASMGATE_PORT" "$3" "$1" run --config "$dir/row.yaml" --workers 1
}

binaries=("$wasmgate")
[ -n "${BASELINE:-}" ] && binaries+=("$BASELINE")
# A row's name in the output: "hello-world", or "baseline (hello-world)" for the BASELINE binary.
row_name() { [ "$1" = 0 ] && echo "$2" || echo "baseline ($2)"; }  # binary-index label
rows=("no plugin=")
for row in $PLUGIN_ROWS; do rows+=("$row"); done

echo "callgrind cache simulation, caches emptied before every read(2), $REQUESTS requests after 2000 of warm-up, h2load --h1 -c4, 1 worker"
echo "| wasmgate | misses/request | above no plugin | code | data read | data write | reads/request |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for b in "${!binaries[@]}"; do
  for r in "${!rows[@]}"; do
    label=${rows[$r]%%=*}; file=${rows[$r]#*=}
    profile_row "${binaries[$b]}" "$file" "$dir/$b-$r.out"
    read -r code data_read data_write reads < <(python3 "$here/lib/cold_misses.py" "$dir/$b-$r.out" "$REQUESTS")
    total=$((code + data_read + data_write))
    [ "$r" = 0 ] && base_total=$total
    above=$([ "$r" = 0 ] && echo "" || echo $((total - base_total)))
    echo "| $(row_name "$b" "$label") | $total | $above | $code | $data_read | $data_write | $reads |"
  done
done
if [ "$DETAIL" = 1 ]; then
  for b in "${!binaries[@]}"; do
    for r in "${!rows[@]}"; do
      [ "$r" = 0 ] && continue
      echo; echo "$(row_name "$b" "${rows[$r]%%=*}"), above $(row_name "$b" "no plugin"), per request:"; echo
      python3 "$here/lib/cold_misses.py" "$dir/$b-$r.out" "$REQUESTS" --above "$dir/$b-0.out" --top "$TOP"
    done
  done
fi
