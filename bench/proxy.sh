#!/usr/bin/env bash
# Side-by-side proxy benchmark: wrk on loopback against nginx proxy_pass and against wasmgate
# (no plugin, and optionally with plugin configurations), all in front of the same nginx backend
# serving a small static body. Prints req/s, p50, p99, each ratio to nginx, and the proxy's CPU
# time per request (user + system of the proxy process over the row's best round: its worker
# process for nginx, the whole process for wasmgate), then the per-request cost of the plugins:
# each plugin row's CPU per request minus the no-plugin row's of the same round, its median and
# range over the rounds (the CPU target of docs/performance.md, at this benchmark's full load).
#
#   bench/proxy.sh [BUILD_DIR]        (default: build)
# Environment: DURATION (10s), CONNECTIONS (64), THREADS (1), WORKERS (1 proxy worker each),
#              ROUNDS (3, alternating; the best round of each is reported),
#              PLUGIN_ROWS ("label=FILE ..."; each FILE is YAML appended to the gateway's config,
#              e.g. a plugins: section, and adds one wasmgate row called "label"; @PLUGIN_DIR@ in
#              it is BUILD_DIR/plugins and a "# path: /p" line makes wrk request /p for that row
#              and for the nginx row "nginx (/p)"; a "# header: NAME: VALUE" line adds that
#              header to the row's requests, e.g. bench/plugins/key-auth.yaml.in's API key). Default, when the plugins are built: the
#              rows of bench/plugins/ (hello-world, its raw-ABI floor raw-hello, five hello-world
#              instances, five raw-hello instances, five different plugins, a 64 KB body rewrite).
#              PAIRED (1: each wasmgate row runs at the same time as the nginx row of its path, each
#              with its own wrk, so the two share the machine in the same state; the table then
#              gives each row's median over the rounds of its req/s ratio to that nginx run. The
#              absolute req/s are lower, as the pair shares the cores; the ratio is the point),
#              BASELINE (a wasmgate binary, e.g. one built from an earlier commit): each wasmgate
#              row is run with it too, as "baseline (...)", for a before/after in the same run;
#              BASELINE_PLUGIN_DIR (default: BUILD_DIR/plugins) is where its rows take plugins
#              from (the earlier commit's build/plugins, to compare SDK changes too).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=$(realpath -m "${1:-$here/../build}")  # absolute: configs in temp folders name its plugins
wasmgate=$build/wasmgate
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-1}
WORKERS=${WORKERS:-1}
ROUNDS=${ROUNDS:-3}
PAIRED=${PAIRED:-0}
if [ -z "${PLUGIN_ROWS+x}" ] && [ -f "$build/plugins/hello-world.wasm" ]; then
  PLUGIN_ROWS="hello-world=$here/plugins/hello-world.yaml.in raw-hello=$here/plugins/raw-hello.yaml.in"
  PLUGIN_ROWS+=" five-header-plugins=$here/plugins/five-hello.yaml.in"
  PLUGIN_ROWS+=" five-raw-hello=$here/plugins/five-raw-hello.yaml.in"
  PLUGIN_ROWS+=" five-plugins=$here/plugins/five-plugins.yaml.in"
  PLUGIN_ROWS+=" 64KB-body-rewrite=$here/plugins/body-64k.yaml.in"
fi
PLUGIN_ROWS=${PLUGIN_ROWS:-}

source "$here/lib/backend.sh"
bench_setup wrk
PROXY_PORT=$(free_port)
render "$here/nginx/proxy.conf.in" "$dir/proxy.conf"

"$NGINX" -p "$dir" -c "$dir/proxy.conf" & pids+=($!)
NGINX_PROXY_PID=$!

# Rows: a label and the port that serves it. nginx first; every ratio is to it.
labels=("nginx proxy_pass"); ports=($PROXY_PORT); paths=(/); procs=(nginx); headers=("")
start_wasmgate() {  # label [extra-yaml-file [binary]]
  WASMGATE_PORT=$(free_port); ADMIN_PORT=$(free_port)
  local n=${#labels[@]}
  render "$here/nginx/wasmgate.yaml.in" "$dir/wasmgate-$n.yaml"
  local path=/
  if [ -n "${2:-}" ]; then
    plugin_dir=$build/plugins
    [ -n "${3:-}" ] && plugin_dir=${BASELINE_PLUGIN_DIR:-$build/plugins}
    render "$2" "$dir/extra-$n.yaml"
    cat "$dir/extra-$n.yaml" >> "$dir/wasmgate-$n.yaml"
    path=$(sed -n 's/^# path: *//p' "$2" | head -1); path=${path:-/}
  fi
  if [ "$path" != / ] && [ -z "${3:-}" ]; then
    labels+=("nginx ($path)"); ports+=($PROXY_PORT); paths+=("$path"); procs+=(nginx); headers+=("")
  fi
  "${3:-$wasmgate}" run --config "$dir/wasmgate-$n.yaml" --workers "$WORKERS" 2>"$dir/wasmgate-$n.log" & pids+=($!)
  labels+=("$1"); ports+=($WASMGATE_PORT); paths+=("$path"); procs+=($!); headers+=("$(row_header "${2:-}")")
}
start_wasmgate "wasmgate (no plugin)"
[ -n "${BASELINE:-}" ] && start_wasmgate "baseline (no plugin)" "" "$BASELINE"
for row in $PLUGIN_ROWS; do
  start_wasmgate "wasmgate (${row%%=*})" "${row#*=}"
  [ -n "${BASELINE:-}" ] && start_wasmgate "baseline (${row%%=*})" "${row#*=}" "$BASELINE"
done

for i in "${!ports[@]}"; do wait_http "${ports[$i]}" / "${headers[$i]}"; done

# The nginx proxy's worker processes (children of its master), whose CPU time is the proxy's.
nginx_workers() { pgrep -P "$NGINX_PROXY_PID" | tr '\n' ' '; }
# CPU time (user + system, in clock ticks) of the processes given, read from /proc/PID/stat
# (fields 14 and 15, counted after the command name, which may hold spaces).
cpu_ticks() { local t=0 p; for p in "$@"; do t=$((t + $(sed 's/.*) //' "/proc/$p/stat" | awk '{print $12 + $13}'))); done; echo $t; }
TICKS=$(getconf CLK_TCK)

# One wrk run of row $1 -> "req_per_sec p50_ms p99_ms proxy_cpu_us_per_request" (output file $2)
run_wrk() {
  local proc=${procs[$1]} before after out=${2:-$dir/wrk.out}
  [ "$proc" = nginx ] && proc=$(nginx_workers)
  before=$(cpu_ticks $proc)
  header_opts "${headers[$1]}"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "${hopts[@]}" "http://127.0.0.1:${ports[$1]}${paths[$1]}" > "$out"
  after=$(cpu_ticks $proc)
  awk -v ticks=$((after - before)) -v hz="$TICKS" '
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    /requests in/ { n=$1 }
    /Requests\/sec/ { rps=$2 }
    $1=="50%" { p50=ms($2) }
    $1=="99%" { p99=ms($2) }
    END { printf "%.0f %.3f %.3f %.2f\n", rps, p50, p99, n ? ticks * 1e6 / hz / n : 0 }' "$out"
}

for i in "${!ports[@]}"; do   # warm-up
  header_opts "${headers[$i]}"
  wrk -t1 -c8 -d2s "${hopts[@]}" "http://127.0.0.1:${ports[$i]}${paths[$i]}" >/dev/null
done

if [ "$PAIRED" = 1 ]; then
  # The nginx row serving row $1's path.
  nginx_row_for() { local j; for j in "${!ports[@]}"; do
    [ "${procs[$j]}" = nginx ] && [ "${paths[$j]}" = "${paths[$1]}" ] && { echo "$j"; return; }; done; }
  declare -A ratios
  for round in $(seq "$ROUNDS"); do
    line="round $round:"
    for i in "${!ports[@]}"; do
      [ "${procs[$i]}" = nginx ] && continue
      j=$(nginx_row_for "$i")
      run_wrk "$j" "$dir/wrk-nginx.out" > "$dir/pair-nginx" & pair=$!
      r=$(run_wrk "$i" "$dir/wrk-row.out")
      wait "$pair"
      n=$(cat "$dir/pair-nginx")
      ratio=$(awk -v a="${r%% *}" -v b="${n%% *}" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }')
      ratios[$i]+="$ratio "
      line+=" ${labels[$i]#wasmgate } $ratio (${r%% *} vs ${n%% *}) |"
    done
    echo "$line  (req/s ratio to nginx run at the same time)"
  done
  echo
  echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION per proxy, each row paired with nginx, $WORKERS proxy worker(s), $(nproc) cores, $ROUNDS rounds"
  printf "| proxy | median req/s ratio to nginx (same run) | lowest | highest |\n|---|---:|---:|---:|\n"
  for i in "${!ports[@]}"; do
    [ "${procs[$i]}" = nginx ] && continue
    sorted=$(echo "${ratios[$i]}" | tr ' ' '\n' | grep -v '^$' | sort -g)
    printf "| %s | %.2f | %.2f | %.2f |\n" "${labels[$i]}" "$(echo "${ratios[$i]}" | median)" \
      "$(echo "$sorted" | head -1)" "$(echo "$sorted" | tail -1)"
  done
  exit 0
fi

# The no-plugin row a row's plugin cost is taken against: its own build's (wasmgate or baseline).
base_of() { local j; for j in "${!ports[@]}"; do
  [ "${labels[$j]}" = "${labels[$1]%% *} (no plugin)" ] && [ "$j" != "$1" ] && { echo "$j"; return; }; done
  return 0; }
best=(); for i in "${!ports[@]}"; do best[$i]="0 0 0 0"; done
declare -A round_cpu plugin_costs
for round in $(seq "$ROUNDS"); do
  line="round $round:"
  for i in "${!ports[@]}"; do
    r=$(run_wrk "$i")
    line+=" ${labels[$i]%% *} $r |"
    [ "${r%% *}" -gt "${best[$i]%% *}" ] && best[$i]=$r
    round_cpu[$i]=${r##* }
  done
  echo "$line  (req/s p50_ms p99_ms cpu_us/req)"
  # What the plugins cost per request in this round: the row's proxy CPU minus its no-plugin row's.
  for i in "${!ports[@]}"; do
    b=$(base_of "$i")
    [ -n "$b" ] && plugin_costs[$i]+="$(awk -v a="${round_cpu[$i]}" -v b="${round_cpu[$b]}" 'BEGIN { printf "%.2f", a - b }') "
  done
done
echo
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $WORKERS proxy worker(s), $(nproc) cores, best of $ROUNDS"
printf "| proxy | req/s | p50 (ms) | p99 (ms) | req/s ratio to nginx | p99 ratio to nginx | proxy CPU (us/req) |\n"
printf "|---|---:|---:|---:|---:|---:|---:|\n"
read -r n_rps _ n_p99 _ <<< "${best[0]}"
for i in "${!ports[@]}"; do
  read -r rps p50 p99 cpu <<< "${best[$i]}"
  awk -v l="${labels[$i]}" -v r="$rps" -v a="$p50" -v b="$p99" -v nr="$n_rps" -v np="$n_p99" -v c="$cpu" \
    'BEGIN { printf "| %s | %s | %s | %s | %.2f | %.2f | %.1f |\n", l, r, a, b, r / nr, b / np, c }'
done
if [ "${#plugin_costs[@]}" -gt 0 ]; then
  echo
  echo "plugin cost: proxy CPU per request above the no-plugin row of the same round, over $ROUNDS rounds"
  printf "| proxy | median (us/req) | lowest | highest |\n|---|---:|---:|---:|\n"
  for i in "${!ports[@]}"; do
    [ -n "${plugin_costs[$i]:-}" ] || continue
    sorted=$(echo "${plugin_costs[$i]}" | tr ' ' '\n' | grep -v '^$' | sort -g)
    printf "| %s | %.2f | %.2f | %.2f |\n" "${labels[$i]}" "$(echo "${plugin_costs[$i]}" | median)" \
      "$(echo "$sorted" | head -1)" "$(echo "$sorted" | tail -1)"
  done
fi
