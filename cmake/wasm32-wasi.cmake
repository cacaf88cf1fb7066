# CMake toolchain file for wasmgate plugins: C++ to wasm32-wasi with Debian's clang-19, lld-19,
# libc++-19-dev-wasm32 and wasi-libc (sysroot /usr, found by the driver).
set(CMAKE_SYSTEM_NAME Generic)  # CMake 3.25 has no WASI platform
set(CMAKE_SYSTEM_PROCESSOR wasm32)
set(WASMGATE_LLVM_VERSION 19 CACHE STRING "clang/lld version used for plugins")

set(CMAKE_C_COMPILER clang-${WASMGATE_LLVM_VERSION})
set(CMAKE_CXX_COMPILER clang++-${WASMGATE_LLVM_VERSION})
set(CMAKE_C_COMPILER_TARGET wasm32-wasi)
set(CMAKE_CXX_COMPILER_TARGET wasm32-wasi)
# GNU ar cannot index wasm objects.
set(CMAKE_AR llvm-ar-${WASMGATE_LLVM_VERSION} CACHE FILEPATH "")
set(CMAKE_RANLIB llvm-ranlib-${WASMGATE_LLVM_VERSION} CACHE FILEPATH "")

# The Generic platform resets CMAKE_EXECUTABLE_SUFFIX; the per-language one survives.
set(CMAKE_EXECUTABLE_SUFFIX_C ".wasm")
set(CMAKE_EXECUTABLE_SUFFIX_CXX ".wasm")
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

# Debian's wasm libc++abi has no exception support; -DNDEBUG keeps assert's fprintf out.
set(CMAKE_CXX_FLAGS_INIT "-fno-exceptions")

# Link without <FLAGS>: with any -O on the link line clang-19 silently runs /usr/bin/wasm-opt.
# -mexec-model=reactor is a link-only option (an error with -c).
set(CMAKE_CXX_LINK_EXECUTABLE
  "<CMAKE_CXX_COMPILER> --target=wasm32-wasi -mexec-model=reactor <CMAKE_CXX_LINK_FLAGS> <LINK_FLAGS> <OBJECTS> -o <TARGET> <LINK_LIBRARIES>")
set(CMAKE_C_LINK_EXECUTABLE
  "<CMAKE_C_COMPILER> --target=wasm32-wasi -mexec-model=reactor <CMAKE_C_LINK_FLAGS> <LINK_FLAGS> <OBJECTS> -o <TARGET> <LINK_LIBRARIES>")

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
