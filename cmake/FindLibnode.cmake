# Finds V8 as shipped by Debian's libnode108/libnode-dev, installed under /usr or unpacked by
# scripts/setup.sh into LIBNODE_ROOT (default /opt/wasmgate-libnode).
# Defines Libnode_FOUND, Libnode_VERSION (the V8 version) and the imported target V8::V8.
set(_libnode_roots ${LIBNODE_ROOT} $ENV{LIBNODE_ROOT} /opt/wasmgate-libnode /usr)

find_path(LIBNODE_INCLUDE_DIR NAMES v8.h v8-version.h
  HINTS ${_libnode_roots} PATH_SUFFIXES include/node NO_CMAKE_SYSTEM_PATH)
find_library(LIBNODE_LIBRARY NAMES node libnode.so.108
  HINTS ${_libnode_roots} PATH_SUFFIXES lib lib/x86_64-linux-gnu NO_CMAKE_SYSTEM_PATH)

if(LIBNODE_INCLUDE_DIR AND EXISTS "${LIBNODE_INCLUDE_DIR}/v8-version.h")
  file(STRINGS "${LIBNODE_INCLUDE_DIR}/v8-version.h" _v8_defines
       REGEX "#define V8_(MAJOR_VERSION|MINOR_VERSION|BUILD_NUMBER) ")
  foreach(_part MAJOR_VERSION MINOR_VERSION BUILD_NUMBER)
    string(REGEX REPLACE ".*#define V8_${_part} ([0-9]+).*" "\\1" _v8_${_part} "${_v8_defines}")
  endforeach()
  set(Libnode_VERSION "${_v8_MAJOR_VERSION}.${_v8_MINOR_VERSION}.${_v8_BUILD_NUMBER}")
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Libnode
  REQUIRED_VARS LIBNODE_LIBRARY LIBNODE_INCLUDE_DIR
  VERSION_VAR Libnode_VERSION
  FAIL_MESSAGE "V8 (libnode108) not found: run scripts/setup.sh as root, or set LIBNODE_ROOT")

if(Libnode_FOUND AND NOT TARGET V8::V8)
  find_package(Threads REQUIRED)
  add_library(V8::V8 SHARED IMPORTED)
  set_target_properties(V8::V8 PROPERTIES
    IMPORTED_LOCATION "${LIBNODE_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${LIBNODE_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES Threads::Threads)
endif()
mark_as_advanced(LIBNODE_INCLUDE_DIR LIBNODE_LIBRARY)
