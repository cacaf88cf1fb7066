# The functions a plugin author's project uses, loaded by find_package(wasmgate) (public; see
# docs/authoring.md). One project builds both halves with one `cmake --build`:
#
#   wasmgate_add_plugin(NAME SOURCES... [CHECK_CONFIG json|@file])
#     NAME.wasm (stripped, wasm-opt -Oz) in ${WASMGATE_PLUGIN_DIR}. With CHECK_CONFIG, also a ctest
#     "NAME.check" running `wasmgate check NAME.wasm --config ...` (loads it as the gateway would).
#   wasmgate_add_plugin_test(NAME SOURCES... [PLUGINS plugin...] [NATIVE_PLUGINS plugin...]
#                            [LIBRARIES lib...])
#     a GoogleTest executable linked with the harness (wasmgate::testing, gtest_main, gmock),
#     compiled with WASMGATE_PLUGIN_DIR="<dir of the .wasm files>", registered with ctest.
#     NATIVE_PLUGINS: native builds (below) the test loads with TestHost::loadNative.
#   wasmgate_add_native_plugin(NAME SOURCES...)
#     the same plugin built for the host as ${WASMGATE_PLUGIN_DIR}/native/NAME.so (-g -O0), for
#     TestHost::loadNative and gdb (docs/testing.md). Compiles the SDK's sources (the build tree's
#     sdk/src, or <prefix>/share/wasmgate/sdk/src of an install) with the host compiler.
#
# How: the host configuration cannot compile for wasm32, so the first wasmgate_add_plugin() adds
# an ExternalProject that configures this same source tree again with the wasm32-wasi toolchain
# file; in that configuration wasmgate_add_plugin() is the real build (cmake/WasmgatePlugin.cmake)
# and wasmgate_add_plugin_test() does nothing. WASMGATE_WASM_BUILD tells the two apart, for
# project code that belongs to one half only.
set(WASMGATE_PLUGIN_DIR "${CMAKE_BINARY_DIR}/plugins")
if(WASMGATE_PLUGIN_OUTPUT_DIR)  # passed down to the wasm configuration
  set(WASMGATE_PLUGIN_DIR "${WASMGATE_PLUGIN_OUTPUT_DIR}")
endif()

if(CMAKE_SYSTEM_PROCESSOR STREQUAL "wasm32")
  set(WASMGATE_WASM_BUILD TRUE)
  set(WASMGATE_SDK_TARGET wasmgate::sdk)
  set(CMAKE_RUNTIME_OUTPUT_DIRECTORY "${WASMGATE_PLUGIN_DIR}")
  include(${WASMGATE_CMAKE_DIR}/WasmgatePlugin.cmake)
  function(wasmgate_add_plugin_test)
  endfunction()
  function(wasmgate_add_native_plugin)
  endfunction()
  return()
endif()

set(WASMGATE_WASM_BUILD FALSE)
include(ExternalProject)
enable_testing()  # the tests below are ctest tests (find_package is normally called at the top level)
find_program(WASM_OPT wasm-opt)

# The wasm32-wasi configuration of this project, added once.
function(_wasmgate_add_wasm_build)
  if(TARGET wasmgate_wasm_build)
    return()
  endif()
  ExternalProject_Add(wasmgate_wasm_build
    SOURCE_DIR ${CMAKE_SOURCE_DIR}
    BINARY_DIR ${CMAKE_BINARY_DIR}/wasm-build
    CMAKE_ARGS
      -DCMAKE_TOOLCHAIN_FILE=${WASMGATE_CMAKE_DIR}/wasm32-wasi.cmake
      -DCMAKE_BUILD_TYPE=MinSizeRel
      -Dwasmgate_DIR=${WASMGATE_CONFIG_DIR}
      -DWASMGATE_PLUGIN_OUTPUT_DIR=${WASMGATE_PLUGIN_DIR}
      -DWASM_OPT=${WASM_OPT}
    INSTALL_COMMAND ""
    BUILD_ALWAYS ON  # the sub-build decides what is out of date
    USES_TERMINAL_BUILD ON)
endfunction()

function(wasmgate_add_plugin name)
  cmake_parse_arguments(ARG "RAW" "CHECK_CONFIG" "" ${ARGN})
  _wasmgate_add_wasm_build()
  set(wasm "${WASMGATE_PLUGIN_DIR}/${name}.wasm")
  # A host-side name for the plugin: `cmake --build . --target NAME` builds its .wasm.
  add_custom_target(${name} DEPENDS wasmgate_wasm_build)
  set_target_properties(${name} PROPERTIES WASMGATE_WASM_FILE "${wasm}")
  if(DEFINED ARG_CHECK_CONFIG)
    if(NOT WASMGATE_EXECUTABLE)
      message(WARNING "wasmgate_add_plugin(${name} CHECK_CONFIG): this wasmgate was built without "
                      "its `wasmgate` tool, test ${name}.check not added")
    else()
      add_test(NAME ${name}.check
               COMMAND ${WASMGATE_EXECUTABLE} check ${wasm} --config ${ARG_CHECK_CONFIG}
               WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR})
    endif()
  endif()
endfunction()

# The plugin SDK compiled for the host (position-independent, -g -O0), once per project.
function(_wasmgate_add_sdk_host)
  if(TARGET wasmgate_sdk_host)
    return()
  endif()
  set(sdk_src "${WASMGATE_SDK_SOURCE_DIR}")
  if(NOT EXISTS "${sdk_src}/dispatch.cc")
    message(FATAL_ERROR "wasmgate_add_native_plugin: the SDK sources are not at '${sdk_src}' "
                        "(WASMGATE_SDK_SOURCE_DIR); reinstall wasmgate or point wasmgate_DIR at a build tree")
  endif()
  file(GLOB sdk_sources ${sdk_src}/*.cc)
  add_library(wasmgate_sdk_host STATIC EXCLUDE_FROM_ALL ${sdk_sources})
  target_include_directories(wasmgate_sdk_host PUBLIC ${WASMGATE_SDK_INCLUDE_DIRS})
  target_compile_features(wasmgate_sdk_host PUBLIC cxx_std_20)
  set_target_properties(wasmgate_sdk_host PROPERTIES POSITION_INDEPENDENT_CODE ON)
  target_compile_options(wasmgate_sdk_host PUBLIC -g -O0 -fno-exceptions -Wno-missing-field-initializers
    $<$<CXX_COMPILER_ID:GNU>:-fno-gnu-unique>)  # a dlclose'd plugin must really unload
endfunction()

function(wasmgate_add_native_plugin name)
  if(NOT ARGN)
    message(FATAL_ERROR "wasmgate_add_native_plugin(${name}): no source files")
  endif()
  _wasmgate_add_sdk_host()
  add_library(${name}_native MODULE ${ARGN})
  target_link_libraries(${name}_native PRIVATE wasmgate_sdk_host)
  target_link_options(${name}_native PRIVATE "LINKER:-Bsymbolic")  # each loaded copy keeps its globals
  set_target_properties(${name}_native PROPERTIES OUTPUT_NAME ${name} PREFIX "" SUFFIX ".so"
    LIBRARY_OUTPUT_DIRECTORY "${WASMGATE_PLUGIN_DIR}/native")
endfunction()

function(wasmgate_add_plugin_test name)
  cmake_parse_arguments(ARG "" "" "PLUGINS;NATIVE_PLUGINS;LIBRARIES" ${ARGN})
  if(NOT ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "wasmgate_add_plugin_test(${name}): no source files")
  endif()
  find_package(GTest REQUIRED)
  add_executable(${name} ${ARG_UNPARSED_ARGUMENTS})
  target_link_libraries(${name} PRIVATE wasmgate::testing GTest::gtest_main GTest::gmock ${ARG_LIBRARIES})
  target_compile_definitions(${name} PRIVATE WASMGATE_PLUGIN_DIR="${WASMGATE_PLUGIN_DIR}")
  # Native plugins import the harness's proxy_* functions from the test executable.
  target_link_options(${name} PRIVATE "LINKER:--export-dynamic-symbol=proxy_*")
  target_link_libraries(${name} PRIVATE ${CMAKE_DL_LIBS})
  foreach(plugin ${ARG_NATIVE_PLUGINS})
    if(NOT TARGET ${plugin}_native)
      message(FATAL_ERROR "wasmgate_add_plugin_test(${name}): NATIVE_PLUGINS names '${plugin}', which no "
                          "wasmgate_add_native_plugin() call before it defined")
    endif()
    add_dependencies(${name} ${plugin}_native)
  endforeach()
  foreach(plugin ${ARG_PLUGINS})
    if(NOT TARGET ${plugin})
      message(FATAL_ERROR "wasmgate_add_plugin_test(${name}): PLUGINS names '${plugin}', which no "
                          "wasmgate_add_plugin() call before it defined")
    endif()
    add_dependencies(${name} ${plugin})
  endforeach()
  if(NOT ARG_PLUGINS)
    _wasmgate_add_wasm_build()
    add_dependencies(${name} wasmgate_wasm_build)
  endif()
  add_test(NAME ${name} COMMAND ${name})
endfunction()
