#!/usr/bin/env bash
# Installs everything wasmgate needs on Debian bookworm, as root. Idempotent: a second run
# installs nothing and takes a second or two.
#
# V8 comes from Debian's libnode108/libnode-dev. Where an installed nodejs (e.g. nodesource's)
# conflicts with libnode108, the two packages are unpacked into $LIBNODE_ROOT instead of being
# installed; nothing already installed is ever removed or replaced.
set -euo pipefail

LIBNODE_ROOT=${LIBNODE_ROOT:-/opt/wasmgate-libnode}
LLVM=19
export DEBIAN_FRONTEND=noninteractive

packages=(
  # host build
  g++ cmake make pkg-config git ca-certificates
  libuv1-dev libyaml-cpp-dev nlohmann-json3-dev node-llhttp
  libgtest-dev libgmock-dev libbenchmark-dev
  # plugin (wasm32-wasi) build
  clang-$LLVM lld-$LLVM llvm-$LLVM
  libc++-$LLVM-dev-wasm32 libc++abi-$LLVM-dev-wasm32 libclang-rt-$LLVM-dev-wasm32 wasi-libc
  libclang-rt-$LLVM-dev  # -fsanitize=fuzzer for -DWASMGATE_FUZZ=ON
  binaryen wabt
  # runtime dependencies of libnode.so.108 (needed when it is unpacked rather than installed)
  libuv1 libc-ares2 libnghttp2-14 libbrotli1 libicu72 libssl3 zlib1g
  # test and benchmark peers
  redis-server nginx-light wrk nghttp2-client curl python3
  gdb  # the harness's native-plugin debugging test (native.gdb_breaks_in_plugin)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  apt-get update -qq
  # Refuse any plan that would remove a package (e.g. an installed nodejs).
  if apt-get install -s --no-install-recommends "${missing[@]}" | grep -q '^Remv'; then
    apt-get install -s --no-install-recommends "${missing[@]}" | grep '^Remv' >&2
    echo "setup: refusing, apt would remove the packages above" >&2
    exit 1
  fi
  # Debian starts services on install; wasmgate's tests start their own redis/nginx.
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d.wasmgate
  had_policy=0; [ -e /usr/sbin/policy-rc.d ] && had_policy=1
  [ $had_policy = 1 ] || cp /usr/sbin/policy-rc.d.wasmgate /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d 2>/dev/null || true
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [ $had_policy = 1 ] || rm -f /usr/sbin/policy-rc.d
  rm -f /usr/sbin/policy-rc.d.wasmgate
fi

have_libnode() { [ -e "$1/lib/libnode.so.108" ] && [ -e "$1/include/node/v8.h" ]; }

if [ -e /usr/include/node/v8.h ] && [ -e /usr/lib/x86_64-linux-gnu/libnode.so.108 ]; then
  : # the real libnode-dev is installed; CMake finds it under /usr
elif ! have_libnode "$LIBNODE_ROOT"; then
  echo "setup: unpacking libnode108 + libnode-dev into $LIBNODE_ROOT"
  apt-get update -qq
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  chown _apt "$tmp" 2>/dev/null || true
  (cd "$tmp" && apt-get download -qq libnode108 libnode-dev)
  v_lib=$(dpkg-deb -f "$tmp"/libnode108_*.deb Version)
  v_dev=$(dpkg-deb -f "$tmp"/libnode-dev_*.deb Version)
  if [ "$v_lib" != "$v_dev" ]; then
    echo "setup: libnode108 ($v_lib) and libnode-dev ($v_dev) versions differ" >&2; exit 1
  fi
  for deb in "$tmp"/*.deb; do dpkg-deb -x "$deb" "$tmp/root"; done
  mkdir -p "$LIBNODE_ROOT/lib" "$LIBNODE_ROOT/include"
  cp -a "$tmp"/root/usr/lib/x86_64-linux-gnu/libnode.so* "$LIBNODE_ROOT/lib/"
  rm -rf "$LIBNODE_ROOT/include/node"
  cp -a "$tmp/root/usr/include/node" "$LIBNODE_ROOT/include/"
  echo "$v_lib" > "$LIBNODE_ROOT/VERSION"
fi

if have_libnode "$LIBNODE_ROOT" && ldd "$LIBNODE_ROOT/lib/libnode.so.108" | grep -q 'not found'; then
  echo "setup: libnode.so.108 has unresolved dependencies:" >&2
  ldd "$LIBNODE_ROOT/lib/libnode.so.108" | grep 'not found' >&2
  exit 1
fi
echo "setup: ok (clang++-$LLVM $(clang++-$LLVM -dumpversion), libnode in $LIBNODE_ROOT)"
