# Shared by bench/proxy.sh, bench/memory.sh and bench/plugin_cpu.sh: the tools check, a scratch
# folder removed on exit (with every process in $pids), the templates of bench/nginx/, and the
# nginx backend serving a small static body that every proxy under test forwards to.
# Source it with $here (the bench folder), $build and $wasmgate set, then call
#   bench_setup TOOL...    checks the tools and the binary, makes $dir, starts the backend on
#                          $BACKEND_PORT; $NGINX is the nginx binary.
#   render TEMPLATE OUT    fills a template's @NAME@ placeholders from the variables of that name
#                          (unset ports are 0, @WORKERS@ defaults to 1, @PLUGIN_DIR@ to
#                          $plugin_dir or else BUILD_DIR/plugins).
bench_name=$(basename "$0")

# Plugins are loaded from file:// URLs, so a baseline's plugin folder given relative to the
# current directory is made absolute here.
if [ -n "${BASELINE_PLUGIN_DIR:-}" ]; then
  [ -d "$BASELINE_PLUGIN_DIR" ] || { echo "$bench_name: BASELINE_PLUGIN_DIR $BASELINE_PLUGIN_DIR is not a folder" >&2; exit 2; }
  BASELINE_PLUGIN_DIR=$(realpath "$BASELINE_PLUGIN_DIR")
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

render() {
  sed -e "s|@DIR@|$dir|g" -e "s|@BACKEND_PORT@|$BACKEND_PORT|g" -e "s|@PROXY_PORT@|${PROXY_PORT:-0}|g" \
      -e "s|@WASMGATE_PORT@|${WASMGATE_PORT:-0}|g" -e "s|@ADMIN_PORT@|${ADMIN_PORT:-0}|g" \
      -e "s|@WORKERS@|${WORKERS:-1}|g" -e "s|@PLUGIN_DIR@|${plugin_dir:-$build/plugins}|g" "$1" > "$2"
}

# The median of the numbers on standard input (separated by spaces or newlines).
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Waits until something answers HTTP on port $1 (path $2, request header $3 if given), or fails
# with every log of the scratch folder.
wait_http() {
  header_opts "${3:-}"
  for _ in $(seq 100); do curl -fs "${hopts[@]}" "http://127.0.0.1:$1${2:-/}" >/dev/null && return 0; sleep 0.05; done
  curl -fs "${hopts[@]}" "http://127.0.0.1:$1${2:-/}" >/dev/null && return 0
  echo "$bench_name: nothing answers on $1" >&2; cat "$dir"/*.log >&2; exit 1
}

# The request header a plugin row's requests carry: a "# header: NAME: VALUE" line of its YAML
# (e.g. the API key of the key-auth row), or nothing.
row_header() { [ -n "${1:-}" ] && sed -n 's/^# header: *//p' "$1" | head -1; return 0; }
# Sets the array hopts to the -H option for header $1 (curl, wrk and h2load take the same), or to
# nothing when $1 is empty: "${hopts[@]}" on their command lines.
header_opts() { hopts=(); [ -z "${1:-}" ] || hopts=(-H "$1"); }

bench_cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$dir"
}

bench_setup() {
  for tool in nginx curl "$@"; do
    command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || { echo "$bench_name: $tool is not installed" >&2; exit 1; }
  done
  [ -x "$wasmgate" ] || { echo "$bench_name: $wasmgate not built (cmake --build $build --target wasmgate plugins)" >&2; exit 1; }
  NGINX=$(command -v nginx || echo /usr/sbin/nginx)
  dir=$(mktemp -d /tmp/wasmgate-bench-XXXXXX)
  pids=()
  trap bench_cleanup EXIT
  BACKEND_PORT=$(free_port)
  render "$here/nginx/backend.conf.in" "$dir/backend.conf"
  # 64 KB of text with a word to mask every 64 bytes, for the body-rewrite plugin row.
  python3 -c 'import sys; sys.stdout.write(("x" * 57 + "secret\n") * 1024)' > "$dir/big.txt"
  "$NGINX" -p "$dir" -c "$dir/backend.conf" & pids+=($!)
  wait_http "$BACKEND_PORT"
}
