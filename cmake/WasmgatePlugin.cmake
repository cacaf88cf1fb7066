# wasmgate_add_plugin(NAME SOURCES... [RAW] [CHECK_CONFIG json]) builds NAME.wasm, a proxy-wasm plugin for wasm32-wasi,
# stripped and optimised with binaryen's wasm-opt when it is installed. Without RAW the plugin links
# the wasmgate SDK (target wasmgate_sdk in this repository; a plugin author's project, through
# wasmgate-config.cmake, sets WASMGATE_SDK_TARGET to the imported wasmgate::sdk). Use with the
# toolchain file cmake/wasm32-wasi.cmake.
if(NOT WASMGATE_SDK_TARGET)
  set(WASMGATE_SDK_TARGET wasmgate_sdk)
endif()
if(NOT WASM_OPT)
  find_program(WASM_OPT wasm-opt)
endif()

function(wasmgate_add_plugin name)
  # CHECK_CONFIG is read by the host half of an author's project (WasmgateAuthoring.cmake).
  cmake_parse_arguments(ARG "RAW" "CHECK_CONFIG" "" ${ARGN})
  add_executable(${name} ${ARG_UNPARSED_ARGUMENTS})
  target_compile_options(${name} PRIVATE -Oz -DNDEBUG -fno-exceptions -Wall -Wextra)
  target_compile_features(${name} PRIVATE cxx_std_20)
  target_link_options(${name} PRIVATE
    -Wl,--strip-all -Wl,--keep-section=target_features  # wasm-opt needs target_features
    -Wl,--stack-first  # a stack overflow traps instead of corrupting data
    -Wl,--export-if-defined=malloc -Wl,--export-if-defined=free
    # What went into the module, symbol by symbol (the module itself is stripped): for size work,
    # and for the test that no exception or iostream code is linked (tests/sdk/no_exceptions.cmake).
    -Wl,--Map=${CMAKE_CURRENT_BINARY_DIR}/${name}.wasm.map)
  if(NOT ARG_RAW)
    target_link_libraries(${name} PRIVATE ${WASMGATE_SDK_TARGET})
  endif()
  if(WASM_OPT)
    add_custom_command(TARGET ${name} POST_BUILD
      COMMAND ${WASM_OPT} -Oz --strip-target-features --strip-producers
              $<TARGET_FILE:${name}> -o $<TARGET_FILE:${name}>
      COMMENT "wasm-opt ${name}.wasm")
  endif()
endfunction()
