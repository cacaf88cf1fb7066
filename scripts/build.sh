#!/usr/bin/env bash
# What `make build` runs: configures BUILD_DIR as a Release build and builds everything.
#
#   scripts/build.sh [BUILD_DIR] [JOBS]      (defaults: build, the number of cores)
#
# With PGO=1 (the default) the wasmgate binary is built with GCC's profile-guided optimisation
# (WASMGATE_PGO in CMakeLists.txt, docs/performance.md). The first time in a build folder: an
# instrumented binary and the plugins are built, a training run puts requests through it
# (bench/plugin_cpu.sh at full load, a few seconds per plugin row, its output in
# BUILD_DIR/pgo-profiles/training.log), and everything is then built with the profiles it wrote.
# Later builds reuse those profiles; remove BUILD_DIR/pgo-profiles to train again. If the
# training fails, the build goes on without profiles and says so. PGO=0 builds without.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath -m "${1:-$root/build}")
jobs=${2:-$(nproc)}
PGO=${PGO:-1}
profiles=$build/pgo-profiles

configure() { cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null; }
build_without_profiles() {
  configure -DWASMGATE_PGO=OFF
  exec cmake --build "$build" -j "$jobs"
}

[ "$PGO" = 1 ] || build_without_profiles

if [ ! -e "$profiles/trained" ]; then
  echo "build.sh: profile-guided build: an instrumented wasmgate and a training run first (once per build folder)"
  rm -rf "$profiles"
  mkdir -p "$profiles"
  configure -DWASMGATE_PGO=generate -DWASMGATE_PGO_DIR="$profiles"
  cmake --build "$build" -j "$jobs" --target wasmgate plugins
  rows="hello-world raw-hello key-auth five-plugins body-64k"
  plugin_rows=""
  for row in $rows; do plugin_rows+=" $row=$root/bench/plugins/$row.yaml.in"; done
  if RATE=max ROUNDS=1 DURATION=2s PLUGIN_ROWS="$plugin_rows" \
       bash "$root/bench/plugin_cpu.sh" "$build" > "$profiles/training.log" 2>&1 &&
     compgen -G "$profiles/*.gcda" >/dev/null; then
    touch "$profiles/trained"
  else
    echo "build.sh: the training run failed (see $profiles/training.log); building without profiles" >&2
    build_without_profiles
  fi
fi
configure -DWASMGATE_PGO=use -DWASMGATE_PGO_DIR="$profiles"
cmake --build "$build" -j "$jobs"
