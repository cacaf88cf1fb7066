# Shared by bench/instructions.sh and bench/cold_misses.sh (source it after bench/lib/backend.sh):
#   callgrind_requests PORT OUT COMMAND...
# runs COMMAND under callgrind with instrumentation off (and the options of the array
# CALLGRIND_OPTS), waits until it answers on PORT, warms it up with 2000 requests, profiles
# REQUESTS requests (each with the header REQUEST_HEADER if set) and writes the profile to OUT,
# with per-instruction costs and uncompressed names for bench/lib/code_lines.py and
# bench/lib/cold_misses.py (and a copy into the folder KEEP_PROFILES, if set, for a closer look).
# Fails unless every request succeeded.
callgrind_requests() {  # port out command...
  local port=$1 out=$2; shift 2
  header_opts "${REQUEST_HEADER:-}"
  rm -f "$dir"/callgrind.out*
  # --smc-check: V8 writes the code it runs.
  valgrind --tool=callgrind --smc-check=all-non-file --instr-atstart=no \
    --dump-instr=yes --compress-pos=no --compress-strings=no "${CALLGRIND_OPTS[@]}" \
    --callgrind-out-file="$dir/callgrind.out" "$@" 2> "$dir/valgrind.log" &
  local vg=$!
  # Compiling a plugin under valgrind takes a while (minutes with the cache simulation).
  for _ in $(seq 3000); do curl -fs "${hopts[@]}" "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done
  h2load --h1 -c 4 -n 2000 "${hopts[@]}" "http://127.0.0.1:$port/" >/dev/null
  callgrind_control -i on "$vg" >/dev/null 2>&1
  local done_requests
  done_requests=$(h2load --h1 -c 4 -n "$REQUESTS" "${hopts[@]}" "http://127.0.0.1:$port/" | awk '/^requests:/ { print $8 }')
  callgrind_control -d "$vg" >/dev/null 2>&1
  kill "$vg"; wait "$vg" 2>/dev/null || true
  [ "${done_requests:-0}" -eq "$REQUESTS" ] || { echo "$bench_name: only ${done_requests:-0} requests succeeded" >&2; cat "$dir/valgrind.log" >&2; exit 1; }
  [ -s "$dir/callgrind.out.1" ] || { echo "$bench_name: no profile written (see below)" >&2; cat "$dir/valgrind.log" >&2; exit 1; }
  mv "$dir/callgrind.out.1" "$out"
  if [ -n "${KEEP_PROFILES:-}" ]; then cp "$out" "$KEEP_PROFILES/"; fi
}

# Writes $dir/row.yaml, the wasmgate config of one row (the no-plugin config of bench/proxy.sh
# plus the row's extra YAML), and sets WASMGATE_PORT to its port: gateway_row_config BINARY
# [EXTRA_YAML]. A BASELINE binary takes its plugins from BASELINE_PLUGIN_DIR.
gateway_row_config() {
  WASMGATE_PORT=$(free_port); ADMIN_PORT=$(free_port)
  plugin_dir=$build/plugins
  [ "$1" != "$wasmgate" ] && plugin_dir=${BASELINE_PLUGIN_DIR:-$build/plugins}
  render "$here/nginx/wasmgate.yaml.in" "$dir/row.yaml"
  if [ -n "${2:-}" ]; then render "$2" "$dir/extra.yaml"; cat "$dir/extra.yaml" >> "$dir/row.yaml"; fi
}
