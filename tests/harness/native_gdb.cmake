# ctest script: an author can step through a natively built plugin in gdb (docs/testing.md).
# Runs the hello-world harness test's native case under `gdb -batch`, breaks in the plugin's
# onHttpRequestHeaders (a pending breakpoint: the library is dlopen'ed later), and checks that gdb
# stopped there with the plugin's source line, a backtrace through the SDK's dispatch, and the
# plugin's own config readable.
# Inputs: -DGDB=<gdb> -DTEST_BINARY=<harness_hello_world_test>
execute_process(
  COMMAND ${GDB} -batch -nx
          -ex "set breakpoint pending on"
          -ex "break onHttpRequestHeaders"
          -ex run -ex bt -ex "print config"
          --args ${TEST_BINARY} --gtest_filter=Builds/HelloWorld.AddsTheHeaderWhenEnabled/Native
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc TIMEOUT 120)
set(expected
  "Breakpoint 1, onHttpRequestHeaders"   # stopped in the plugin
  "examples/hello-world/main.cc:"         # with its source
  "in proxy_on_request_headers"           # called through the SDK's export
  "{enabled = true}")                     # and its state readable
foreach(text ${expected})
  string(FIND "${out}" "${text}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "gdb did not show '${text}' (exit ${rc}):\n${out}\n${err}")
  endif()
endforeach()
message(STATUS "gdb stopped in the native plugin as expected")
