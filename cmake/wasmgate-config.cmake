# find_package(wasmgate) for plugin authors' own CMake projects (public; see docs/authoring.md).
#
# Works from a build tree (-Dwasmgate_DIR=/path/to/wasmgate/build) and from an installed prefix
# (-DCMAKE_PREFIX_PATH=/usr/local, or -Dwasmgate_DIR=<prefix>/lib/cmake/wasmgate). The paths of
# either layout come from wasmgate-config-paths.cmake, written next to this file by
# cmake/Install.cmake. What you get depends on the configuration that loads it:
#  - a host configuration (the usual one): wasmgate_add_plugin() hands the .wasm builds to a second,
#    wasm32-wasi configuration of the same project (an ExternalProject), and
#    wasmgate_add_plugin_test() builds GoogleTest tests linked with the harness (wasmgate::testing);
#  - the wasm32-wasi configuration (toolchain file ${WASMGATE_CMAKE_DIR}/wasm32-wasi.cmake):
#    wasmgate_add_plugin() builds NAME.wasm against wasmgate::sdk; tests are skipped.
set(WASMGATE_CONFIG_DIR "${CMAKE_CURRENT_LIST_DIR}")
include(${CMAKE_CURRENT_LIST_DIR}/wasmgate-config-paths.cmake)

foreach(_wasmgate_required WASMGATE_CMAKE_DIR WASMGATE_SDK_LIBRARY)
  if(NOT EXISTS "${${_wasmgate_required}}")
    set(wasmgate_FOUND FALSE)
    set(wasmgate_NOT_FOUND_MESSAGE
        "${_wasmgate_required} (${${_wasmgate_required}}) does not exist: build the wasmgate tree first "
        "(cmake --build <build> --target plugins) or install it")
    return()
  endif()
endforeach()

if(CMAKE_SYSTEM_PROCESSOR STREQUAL "wasm32")
  if(NOT TARGET wasmgate::sdk)
    # The SDK archive holds LLVM bitcode (-flto): plugins must link with the same clang.
    add_library(wasmgate::sdk STATIC IMPORTED)
    set_target_properties(wasmgate::sdk PROPERTIES
      IMPORTED_LOCATION "${WASMGATE_SDK_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${WASMGATE_SDK_INCLUDE_DIRS}"
      INTERFACE_COMPILE_FEATURES cxx_std_20
      INTERFACE_COMPILE_OPTIONS "-fno-rtti;-flto;-Wno-missing-designated-field-initializers"
      INTERFACE_LINK_OPTIONS "-flto")
  endif()
else()
  foreach(_wasmgate_required WASMGATE_TESTING_LIBRARY WASMGATE_RUNTIME_LIBRARY WASMGATE_LIBNODE_LIBRARY)
    if(NOT EXISTS "${${_wasmgate_required}}")
      set(wasmgate_FOUND FALSE)
      set(wasmgate_NOT_FOUND_MESSAGE
          "${_wasmgate_required} (${${_wasmgate_required}}) does not exist: build the wasmgate tree "
          "(targets wasmgate_testing and wasmgate) or install it")
      return()
    endif()
  endforeach()
  include(CMakeFindDependencyMacro)
  find_dependency(Threads)
  if(NOT TARGET wasmgate::testing)
    add_library(wasmgate::runtime STATIC IMPORTED)
    set_target_properties(wasmgate::runtime PROPERTIES
      IMPORTED_LOCATION "${WASMGATE_RUNTIME_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${WASMGATE_HOST_INCLUDE_DIRS}"
      INTERFACE_LINK_LIBRARIES "${WASMGATE_LIBNODE_LIBRARY};Threads::Threads")
    add_library(wasmgate::testing STATIC IMPORTED)
    set_target_properties(wasmgate::testing PROPERTIES
      IMPORTED_LOCATION "${WASMGATE_TESTING_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${WASMGATE_HOST_INCLUDE_DIRS}"
      INTERFACE_COMPILE_FEATURES cxx_std_20
      INTERFACE_LINK_LIBRARIES wasmgate::runtime)
  endif()
endif()

include(${WASMGATE_CMAKE_DIR}/WasmgateAuthoring.cmake)
set(wasmgate_FOUND TRUE)
