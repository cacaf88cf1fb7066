#!/usr/bin/env bash
# A plugin making one http call per request (examples/external-call, asking a second wasmgate that
# answers 200) versus no plugin, side by side in one run.
#   bench/http_call.sh [BUILD_DIR]   env: DURATION CONNECTIONS THREADS WORKERS (see lib/)
here=$(cd "$(dirname "$0")" && pwd)
build=$(realpath -m "${1:-$here/../build}")  # absolute: configs in temp folders name its plugins
source "$here/lib/side_by_side.sh"

auth_port=$(free_port)
# The policy service: /api/check answers 200 (httpbin's /status/200).
cat > "$dir/auth.yaml" <<YAML
listeners: [{name: main, address: "127.0.0.1:$auth_port"}]
admin: {address: "127.0.0.1:$(free_port)"}
log_level: warn
routes: [{name: default/check, hosts: ["*"], match: {prefix: /api/check}, prefix_rewrite: /status/200, service: httpbin}]
services: [{name: httpbin, builtin: httpbin}]
YAML
"$wasmgate" run --config "$dir/auth.yaml" --workers 1 > "$dir/auth.log" 2>&1 &
pids+=($!)
wait_for_port "$auth_port"

services="services:
  - {name: httpbin, builtin: httpbin}
  - {name: \"outbound|8080||auth.static\", endpoints: [\"127.0.0.1:$auth_port\"]}"
plain=$(free_port); called=$(free_port)
gateway_config no-plugin "$plain" "$services"
gateway_config one-http-call "$called" "$services
plugins:
  - name: check
    url: file://$build/plugins/external-call.wasm
    defaultConfig: {serviceName: auth.static, servicePort: 8080}"

measure no-plugin "$plain"
measure one-http-call "$called"
echo "one-http-call / no-plugin: $(ratio "$(rps_of one-http-call)" "$(rps_of no-plugin)")x"
