# Host-side glue for wasm modules used by tests, examples and the demo:
#  - the `plugins` target builds every wasm32-wasi plugin (the wasm/ sub-project, with the
#    cmake/wasm32-wasi.cmake toolchain) into WASMGATE_PLUGIN_DIR;
#  - wasmgate_add_wat(NAME FILE) assembles a WAT test module into WASMGATE_WAT_DIR/NAME.wasm.
include(ExternalProject)

if(WASMGATE_BUILD_PLUGINS)
  find_program(WASM_OPT wasm-opt)
  ExternalProject_Add(plugins
    SOURCE_DIR ${CMAKE_CURRENT_SOURCE_DIR}/wasm
    BINARY_DIR ${CMAKE_BINARY_DIR}/wasm-build
    CMAKE_ARGS
      -DCMAKE_TOOLCHAIN_FILE=${CMAKE_CURRENT_SOURCE_DIR}/cmake/wasm32-wasi.cmake
      -DCMAKE_BUILD_TYPE=MinSizeRel
      -DWASMGATE_PLUGIN_DIR=${WASMGATE_PLUGIN_DIR}
      -DWASM_OPT=${WASM_OPT}
    INSTALL_COMMAND ""
    BUILD_ALWAYS ON
    USES_TERMINAL_BUILD ON)
else()
  add_custom_target(plugins)
endif()

add_custom_target(wat_modules ALL)
function(wasmgate_add_wat name file)
  set(out ${WASMGATE_WAT_DIR}/${name}.wasm)
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${WASMGATE_WAT_DIR}
    COMMAND ${WAT2WASM} --enable-all ${file} -o ${out}
    DEPENDS ${file}
    COMMENT "wat2wasm ${name}")
  add_custom_target(wat_${name} DEPENDS ${out})
  add_dependencies(wat_modules wat_${name})
endfunction()
