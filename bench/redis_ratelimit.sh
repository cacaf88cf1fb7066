#!/usr/bin/env bash
# The Redis per-minute rate limiter (examples/redis-rate-limit) against a real redis-server versus
# no plugin, side by side in one run (quota set high enough never to answer 429, default 3 ms
# flush). Target: >= 0.6x the no-plugin req/s.
#   bench/redis_ratelimit.sh [BUILD_DIR]   env: DURATION CONNECTIONS THREADS WORKERS (see lib/)
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
source "$here/lib/side_by_side.sh"

redis_port=$(free_port)
redis-server --port "$redis_port" --save '' --appendonly no > "$dir/redis.log" 2>&1 &
pids+=($!)
wait_for_port "$redis_port"

services="services:
  - {name: httpbin, builtin: httpbin}
  - {name: \"outbound|6379||redis.static\", endpoints: [\"127.0.0.1:$redis_port\"]}"
plain=$(free_port); limited=$(free_port)
gateway_config no-plugin "$plain" "$services"
gateway_config redis-rate-limit "$limited" "$services
plugins:
  - name: ratelimit
    url: file://$build/plugins/redis-rate-limit.wasm
    defaultConfig: {serviceName: redis.static, servicePort: 6379, timeout: 1000, qpm: 1000000000}"

measure no-plugin "$plain"
measure redis-rate-limit "$limited"
echo "redis-rate-limit / no-plugin: $(ratio "$(rps_of redis-rate-limit)" "$(rps_of no-plugin)")x (target >= 0.6x)"
