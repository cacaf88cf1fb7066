#!/usr/bin/env bash
# Step 5 of docs/authoring.md, run as written: the gateway.yaml shown there (taken from the doc
# itself, so the doc cannot drift), wasmgate started on it, and the two curl commands checked.
# Usage: run_gateway.sh WASMGATE AUTHORING_MD PROJECT_DIR WORK_DIR
#   PROJECT_DIR is the sample's folder with its build/ (it plays the doc's greeter/ folder).
set -euo pipefail
wasmgate=$1 authoring=$2 project=$3 work=$4

fail() { echo "authoring step 5: $*" >&2; [[ -f $work/gateway.log ]] && cat "$work/gateway.log" >&2; exit 1; }

mkdir -p "$work"
ln -sfn "$project" "$work/greeter"
# The first yaml block after the step-5 heading.
awk '/^## 5\./ {in5=1} in5 && /^```yaml/ {take=1; next} take && /^```/ {exit} take {print}' \
  "$authoring" > "$work/gateway.doc.yaml"
[[ -s $work/gateway.doc.yaml ]] || fail "no yaml block under '## 5.' in $authoring"
grep -q '127.0.0.1:10000' "$work/gateway.doc.yaml" || fail "the doc's yaml no longer listens on 127.0.0.1:10000"

# The doc's port may be taken on a shared machine: same config on another port, a few tries.
for attempt in 1 2 3 4 5; do
  port=$(( 20000 + (RANDOM % 20000) ))
  sed "s/127.0.0.1:10000/127.0.0.1:$port/" "$work/gateway.doc.yaml" > "$work/gateway.yaml"
  "$wasmgate" run --config "$work/gateway.yaml" > "$work/gateway.log" 2>&1 &
  pid=$!
  trap 'kill $pid 2>/dev/null || true' EXIT
  for _ in $(seq 1 100); do
    curl -s -o /dev/null "http://127.0.0.1:$port/headers" && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.1
  done
  kill -0 $pid 2>/dev/null && break
  wait $pid || true
  grep -q -i "address in use\|EADDRINUSE" "$work/gateway.log" || fail "wasmgate exited at start"
done
kill -0 $pid 2>/dev/null || fail "wasmgate did not start"

headers=$(curl -s "http://127.0.0.1:$port/headers")
grep -q '"X-Greeting": *"hi"' <<<"$headers" || fail "/headers did not echo X-Greeting: hi: $headers"

blocked=$(curl -si "http://127.0.0.1:$port/admin/users")
head -1 <<<"$blocked" | grep -q "^HTTP/1.1 403" || fail "/admin/users was not refused with 403: $blocked"
grep -q "blocked by greeter" <<<"$blocked" || fail "the 403 body does not say 'blocked by greeter': $blocked"

kill -TERM $pid
wait $pid || fail "wasmgate did not exit 0 on SIGTERM"
trap - EXIT
echo "authoring step 5: ok (port $port)"
