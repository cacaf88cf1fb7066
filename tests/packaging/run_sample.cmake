# cmake -P script behind the packaging tests. Copies SAMPLE_DIR to WORK_DIR/src, then configures,
# builds and tests it the way docs/authoring.md tells an author to:
#   WASMGATE_PACKAGE_DIR set: -Dwasmgate_DIR=<that build tree>;
#   INSTALL_FROM set: `cmake --install INSTALL_FROM --prefix WORK_DIR/prefix` first, then
#   -DCMAKE_PREFIX_PATH=WORK_DIR/prefix (the ordinary find_package search).
# Finally runs WASMGATE_EXECUTABLE check on the plugin and checks its size budget. The sample also
# builds its plugin natively (wasmgate_add_native_plugin), so both layouts must carry the SDK sources.
foreach(var SAMPLE_DIR WORK_DIR WASMGATE_EXECUTABLE)
  if(NOT ${var})
    message(FATAL_ERROR "run_sample.cmake: ${var} is not set")
  endif()
endforeach()

function(run step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${step} failed (${rc}):\n${ARGN}\n--- stdout\n${out}\n--- stderr\n${err}")
  endif()
  message(STATUS "${step}: ok")
  set(last_output "${out}${err}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
file(COPY ${SAMPLE_DIR}/ DESTINATION ${WORK_DIR}/src)

if(INSTALL_FROM)
  run("install" ${CMAKE_COMMAND} --install ${INSTALL_FROM} --prefix ${WORK_DIR}/prefix)
  set(find_args -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix)
  set(expected_tool ${WORK_DIR}/prefix/bin/wasmgate)
else()
  set(find_args -Dwasmgate_DIR=${WASMGATE_PACKAGE_DIR})
  set(expected_tool ${WASMGATE_EXECUTABLE})
endif()

run("configure" ${CMAKE_COMMAND} -S ${WORK_DIR}/src -B ${WORK_DIR}/build -DCMAKE_BUILD_TYPE=Release ${find_args})
run("build" ${CMAKE_COMMAND} --build ${WORK_DIR}/build -j2)
run("ctest" ${CMAKE_CTEST_COMMAND} --test-dir ${WORK_DIR}/build --output-on-failure)
# The harness test, the native build's test and the CHECK_CONFIG check must all have run (not
# "No tests were found").
foreach(test greeter_test greeter_native_test greeter.check)
  if(NOT last_output MATCHES "${test} [.]+ +Passed")
    message(FATAL_ERROR "ctest of the sample did not pass ${test}:\n${last_output}")
  endif()
endforeach()
if(NOT EXISTS ${expected_tool})
  message(FATAL_ERROR "no wasmgate tool at ${expected_tool}")
endif()

set(wasm ${WORK_DIR}/build/plugins/greeter.wasm)
run("wasmgate check" ${expected_tool} check ${wasm} --config [=[{"greeting": "hi"}]=])
# A rejected configuration must fail the check, naming the field.
execute_process(COMMAND ${expected_tool} check ${wasm} --config "{}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0 OR NOT "${out}${err}" MATCHES "greeting")
  message(FATAL_ERROR "wasmgate check accepted a config without 'greeting' (${rc}):\n${out}${err}")
endif()

# Stripped and optimised: a plugin this small stays well under the SDK's 64 KB template budget.
file(SIZE ${wasm} wasm_size)
message(STATUS "greeter.wasm: ${wasm_size} bytes")
if(wasm_size GREATER 65536)
  message(FATAL_ERROR "greeter.wasm is ${wasm_size} bytes (> 64 KB): not stripped/optimised?")
endif()

# Step 5 of the walk: the doc's gateway.yaml served by wasmgate, checked with its curl commands.
run("authoring step 5" bash ${CMAKE_CURRENT_LIST_DIR}/run_gateway.sh ${expected_tool}
    ${CMAKE_CURRENT_LIST_DIR}/../../docs/authoring.md ${WORK_DIR} ${WORK_DIR}/step5)
