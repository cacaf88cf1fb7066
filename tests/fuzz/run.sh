#!/usr/bin/env bash
# Bounded libFuzzer run of every fuzz target, used by `make test-fuzz`.
#   tests/fuzz/run.sh BUILD_DIR [SECONDS_PER_TARGET]
# Each target starts from its checked-in seeds (tests/fuzz/corpus/<target>/, read-only) and
# writes what it discovers to a scratch corpus in BUILD_DIR, so the tree never changes.
# A crash, leak, timeout or out-of-memory stops the run with libFuzzer's report and the
# reproducer's path (BUILD_DIR/fuzz-artifacts/); exit status is non-zero.
set -euo pipefail

build=${1:?usage: run.sh BUILD_DIR [SECONDS_PER_TARGET]}
seconds=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
artifacts="$build/fuzz-artifacts"
mkdir -p "$artifacts"

# target:max_len. Request heads go past the 8 KiB header limit the target sets (431 paths);
# configs and modules stay small so each second covers many inputs.
targets=(http_parser_fuzz:16384 config_fuzz:4096 module_info_fuzz:8192)

for entry in "${targets[@]}"; do
  name=${entry%%:*}
  max_len=${entry##*:}
  binary=$(find "$build" -type f -name "$name" -perm -u+x | head -n 1)
  if [ -z "$binary" ]; then
    echo "fuzz: $name not built in $build (configure with CC=clang-19 CXX=clang++-19 -DWASMGATE_FUZZ=ON)" >&2
    exit 1
  fi
  scratch="$build/fuzz-corpus/$name"
  mkdir -p "$scratch"
  echo "fuzz: $name for ${seconds}s (max_len $max_len)"
  # -timeout: one input taking over 10 s is a hang; -rss_limit_mb keeps a runaway input from
  # taking the shared machine down. Leak detection stays on (ASan's default).
  if ! ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      "$binary" "$scratch" "$here/corpus/$name" \
      -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$artifacts/$name-" -print_final_stats=1 >"$build/fuzz-$name.log" 2>&1; then
    tail -n 60 "$build/fuzz-$name.log" >&2
    echo "fuzz: $name FAILED (log: $build/fuzz-$name.log, reproducer in $artifacts/)" >&2
    exit 1
  fi
  grep -E '^stat::number_of_executed_units|^Done ' "$build/fuzz-$name.log" | tr '\n' ' '
  echo
done
echo "fuzz: all targets ran ${seconds}s each without a finding"
