#!/usr/bin/env bash
# Redis rate limiting against a real redis-server versus no plugin, side by side in one run, with
# quotas high enough never to answer 429:
#   redis-rate-limit       examples/redis-rate-limit (INCR per request), the SDK's default
#                          buffering: flush after 3 ms or 1024 bytes          <- the target row
#   cluster-rate-limit     examples/cluster-rate-limit (one Lua EVAL per request), same default
#   cluster-rl-unbuffered  the same with WithDisableBuffer (every command written at once), to
#                          show what the 3 ms flush costs at this connection count
# Target: redis-rate-limit >= 0.6x the no-plugin req/s. See docs/performance.md ("Outbound
# calls") for why the ratio depends on CONNECTIONS with a 3 ms flush.
#   bench/redis_ratelimit.sh [BUILD_DIR]   env: DURATION CONNECTIONS THREADS WORKERS (see lib/)
#                                          ROWS="no-plugin redis-rate-limit ..." to run fewer rows
here=$(cd "$(dirname "$0")" && pwd)
build=$(realpath -m "${1:-$here/../build}")  # absolute: configs in temp folders name its plugins
source "$here/lib/side_by_side.sh"
ROWS=${ROWS:-"no-plugin redis-rate-limit cluster-rate-limit cluster-rl-unbuffered"}

redis_port=$(free_port)
redis-server --port "$redis_port" --save '' --appendonly no > "$dir/redis.log" 2>&1 &
pids+=($!)
wait_for_port "$redis_port"

services="services:
  - {name: httpbin, builtin: httpbin}
  - {name: \"outbound|6379||redis.static\", endpoints: [\"127.0.0.1:$redis_port\"]}"
redis="serviceName: redis.static, servicePort: 6379, timeout: 1000"

# plugin_yaml NAME CONFIG
plugin_yaml() {
  printf 'plugins:\n  - name: limiter\n    url: file://%s/plugins/%s.wasm\n    defaultConfig: {%s}\n' "$build" "$1" "$2"
}

for row in $ROWS; do
  port=$(free_port)
  case $row in
    no-plugin) gateway_config "$row" "$port" "$services" ;;
    redis-rate-limit)
      gateway_config "$row" "$port" "$services
$(plugin_yaml redis-rate-limit "$redis, qpm: 1000000000")" ;;
    cluster-rate-limit)
      gateway_config "$row" "$port" "$services
$(plugin_yaml cluster-rate-limit "$redis, quota: 1000000000, windowSeconds: 3600")" ;;
    cluster-rl-unbuffered)
      gateway_config "$row" "$port" "$services
$(plugin_yaml cluster-rate-limit "$redis, quota: 1000000000, windowSeconds: 3600, bufferFlushTimeout: 0, maxBufferSizeBeforeFlush: 0")" ;;
    *) echo "$0: unknown row '$row'" >&2; exit 1 ;;
  esac
  measure "$row" "$port"
done

for row in $ROWS; do
  [ "$row" = no-plugin ] && continue
  [ -f "$dir/no-plugin.wrk" ] || break
  note=""; [ "$row" = redis-rate-limit ] && note=" (target >= 0.6x)"
  echo "$row / no-plugin: $(ratio "$(rps_of "$row")" "$(rps_of no-plugin)")x$note"
done
