#!/usr/bin/env bash
# What a plugin costs the proxy per request, in CPU time, at a fixed request rate or at full load:
# wasmgate with no plugin and with each plugin configuration, in front of the same nginx backend
# as bench/proxy.sh, each loaded by h2load at RATE requests per second (below what the proxy can
# serve, so no row competes for the cores; every request then starts with cold caches) or as fast
# as it answers (RATE=max). In a round the rows run one after the other, forward then backward
# (each row's figure for the round is the mean of its two runs), or all at once (TOGETHER=1). A
# row's figure is the median over the rounds of the proxy process's on-CPU time (all its threads,
# from /proc/PID/task/*/schedstat, in ns) divided by the requests served; "plugin cost" is the
# median over the rounds of the row's figure minus the no-plugin row's of the same round (which
# saw the machine in the same state).
# This is the per-request cost target of docs/performance.md, measured without the throughput
# swings of a shared machine that make bench/proxy.sh's ratios noisy.
#
#   bench/plugin_cpu.sh [BUILD_DIR]   (default: build)
# Environment: RATE (4000 req/s; "max": each client sends its next request as soon as the last
#              one is answered, so the proxy runs at full load and consecutive requests find
#              each other's code and data still in the caches), CLIENTS (16), DURATION (5s per run), ROUNDS (5), WORKERS (1),
#              PLUGIN_ROWS ("label=FILE ...", as in bench/proxy.sh, "# header:" lines included;
#              default: hello-world, raw-hello, key-auth, five-header-plugins, five-raw-hello
#              from bench/plugins/),
#              BASELINE (another wasmgate binary: every row runs with it too, as "baseline (...)",
#              its plugins from BASELINE_PLUGIN_DIR, default BUILD_DIR/plugins; its plugin cost is
#              taken against the baseline's own no-plugin row),
#              TOGETHER (1: in each round every row is loaded at the same time, one h2load each,
#              so all rows of a round see the machine in the same state, instead of one after the
#              other; the rows then share the cores, so keep RATE x rows well below capacity).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=$(realpath -m "${1:-$here/../build}")
wasmgate=$build/wasmgate
RATE=${RATE:-4000}
CLIENTS=${CLIENTS:-16}
DURATION=${DURATION:-5s}
ROUNDS=${ROUNDS:-5}
WORKERS=${WORKERS:-1}
TOGETHER=${TOGETHER:-0}
if [ "$RATE" = max ] && [ "$TOGETHER" = 1 ]; then
  echo "plugin_cpu.sh: RATE=max with TOGETHER=1 would have the rows compete for the cores; run them one after the other" >&2
  exit 2
fi
if [ -z "${PLUGIN_ROWS+x}" ]; then
  PLUGIN_ROWS="hello-world=$here/plugins/hello-world.yaml.in raw-hello=$here/plugins/raw-hello.yaml.in"
  PLUGIN_ROWS+=" key-auth=$here/plugins/key-auth.yaml.in"
  PLUGIN_ROWS+=" five-header-plugins=$here/plugins/five-hello.yaml.in"
  PLUGIN_ROWS+=" five-raw-hello=$here/plugins/five-raw-hello.yaml.in"
fi

source "$here/lib/backend.sh"
bench_setup h2load

labels=(); ports=(); procs=(); bases=(); headers=()
start_wasmgate() {  # label extra-yaml-file|"" binary base-row
  WASMGATE_PORT=$(free_port); ADMIN_PORT=$(free_port)
  local n=${#labels[@]}
  plugin_dir=$build/plugins
  [ "$3" != "$wasmgate" ] && plugin_dir=${BASELINE_PLUGIN_DIR:-$build/plugins}
  render "$here/nginx/wasmgate.yaml.in" "$dir/wasmgate-$n.yaml"
  if [ -n "$2" ]; then render "$2" "$dir/extra-$n.yaml"; cat "$dir/extra-$n.yaml" >> "$dir/wasmgate-$n.yaml"; fi
  "$3" run --config "$dir/wasmgate-$n.yaml" --workers "$WORKERS" 2>"$dir/wasmgate-$n.log" & pids+=($!)
  labels+=("$1"); ports+=($WASMGATE_PORT); procs+=($!); bases+=("$4"); headers+=("$(row_header "$2")")
}
# Row 0 is the no-plugin row of this build, the base of its plugin rows; a baseline's rows have
# their own no-plugin row as base.
start_wasmgate "no plugin" "" "$wasmgate" ""
[ -n "${BASELINE:-}" ] && start_wasmgate "baseline (no plugin)" "" "$BASELINE" ""
for row in $PLUGIN_ROWS; do
  start_wasmgate "${row%%=*}" "${row#*=}" "$wasmgate" 0
  [ -n "${BASELINE:-}" ] && start_wasmgate "baseline (${row%%=*})" "${row#*=}" "$BASELINE" 1
done

for i in "${!ports[@]}"; do wait_http "${ports[$i]}" / "${headers[$i]}"; done

# h2load's pacing: RATE requests per second over all clients, or none at all for RATE=max.
rate_args() { [ "$RATE" = max ] || echo "--rps $((RATE / CLIENTS))"; }

# On-CPU nanoseconds of every thread of process $1 so far.
cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ t += $1 } END { printf "%.0f\n", t }'; }

# One h2load run of row $1 -> proxy CPU microseconds per request
run_row() {
  local before after done_requests
  before=$(cpu_ns "${procs[$1]}")
  header_opts "${headers[$1]}"
  h2load --h1 -c "$CLIENTS" $(rate_args) "${hopts[@]}" -D "${DURATION%s}" "http://127.0.0.1:${ports[$1]}/" > "$dir/h2load.out"
  after=$(cpu_ns "${procs[$1]}")
  done_requests=$(awk '/^requests:/ { print $8 }' "$dir/h2load.out")
  [ "${done_requests:-0}" -gt 0 ] || { echo "plugin_cpu.sh: no request succeeded on ${labels[$1]}" >&2; cat "$dir/h2load.out" >&2; exit 1; }
  awk -v ns=$((after - before)) -v n="$done_requests" 'BEGIN { printf "%.2f\n", ns / 1000 / n }'
}

# One round with every row loaded at once (TOGETHER=1) -> each row's proxy CPU microseconds per
# request, one per line, in row order.
run_together() {
  local i done_requests
  local -a before after loads
  for i in "${!ports[@]}"; do before[$i]=$(cpu_ns "${procs[$i]}"); done
  for i in "${!ports[@]}"; do
    header_opts "${headers[$i]}"
    h2load --h1 -c "$CLIENTS" $(rate_args) "${hopts[@]}" -D "${DURATION%s}" "http://127.0.0.1:${ports[$i]}/" \
      > "$dir/h2load-$i.out" & loads[$i]=$!
  done
  for i in "${!ports[@]}"; do wait "${loads[$i]}"; done
  for i in "${!ports[@]}"; do after[$i]=$(cpu_ns "${procs[$i]}"); done
  for i in "${!ports[@]}"; do
    done_requests=$(awk '/^requests:/ { print $8 }' "$dir/h2load-$i.out")
    [ "${done_requests:-0}" -gt 0 ] || { echo "plugin_cpu.sh: no request succeeded on ${labels[$i]}" >&2; exit 1; }
    awk -v ns=$((after[i] - before[i])) -v n="$done_requests" 'BEGIN { printf "%.2f\n", ns / 1000 / n }'
  done
}

# Warm-up: long enough for a build that leaves tier-up to V8's dynamic tiering (every build before
# eager tier-up, e.g. a BASELINE) to have its per-request code optimised before the first round.
for i in "${!ports[@]}"; do
  header_opts "${headers[$i]}"
  h2load --h1 -c 4 -n 30000 "${hopts[@]}" "http://127.0.0.1:${ports[$i]}/" >/dev/null
done
declare -A samples costs round_us
for round in $(seq "$ROUNDS"); do
  line="round $round:"
  declare -A this_round=()
  if [ "$TOGETHER" = 1 ]; then
    run_together > "$dir/round.out"; mapfile -t together < "$dir/round.out"
    for i in "${!ports[@]}"; do this_round[$i]=${together[$i]}; done
  else
    # Rows forward, then backward, each row's figure the mean of its two runs: a machine that
    # speeds up or slows down during the round (this VM's neighbours come and go) then weighs on
    # every row alike instead of on the rows run last.
    for i in "${!ports[@]}"; do this_round[$i]=$(run_row "$i"); done
    for ((i = ${#ports[@]} - 1; i >= 0; i--)); do
      second=$(run_row "$i")
      this_round[$i]=$(awk -v a="${this_round[$i]}" -v b="$second" 'BEGIN { printf "%.2f", (a + b) / 2 }')
    done
  fi
  for i in "${!ports[@]}"; do
    us=${this_round[$i]}
    samples[$i]+="$us "
    # The plugin cost of this round: against its no-plugin row measured in the same round (at the
    # same time, or around the same moments), which saw the same state of the machine.
    round_us[$i]=$us
    b=${bases[$i]}
    [ -n "$b" ] && costs[$i]+="$(awk -v a="$us" -v b="${round_us[$b]}" 'BEGIN { printf "%.2f", a - b }') "
    line+=" ${labels[$i]} $us |"
  done
  echo "$line  (proxy CPU us/request)"
done

echo
mode=$([ "$TOGETHER" = 1 ] && echo "every row at once" || echo "rows one after the other, forward then backward")
rate=$([ "$RATE" = max ] && echo "full load" || echo "$RATE req/s per row")
echo "h2load --h1 -c$CLIENTS at $rate ($mode), $DURATION per run, $WORKERS worker(s), $(nproc) cores, median of $ROUNDS rounds"
printf "| wasmgate | proxy CPU (us/request) | plugin cost (us/request) |\n|---|---:|---:|\n"
for i in "${!ports[@]}"; do
  m=$(echo "${samples[$i]}" | median)
  c=$([ -n "${bases[$i]}" ] && echo "${costs[$i]}" | median || echo "")
  awk -v l="${labels[$i]}" -v m="$m" -v c="$c" \
    'BEGIN { if (c == "") printf "| %s | %.2f | |\n", l, m; else printf "| %s | %.2f | %.2f |\n", l, m, c }'
done
