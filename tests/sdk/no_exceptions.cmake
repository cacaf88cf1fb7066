# ctest script: plugins are built without exceptions and without iostream (docs/sdk.md, "Sizes":
# either would pull libc++abi's unwinder or musl's stdio, with WASI imports, into every module).
# Checked on what was really built:
#  1. the SDK archive's symbols (llvm-nm reads its LTO bitcode): no reference to the exception ABI
#     or to iostream objects;
#  2. the link map of hello-world.wasm (the module itself is stripped): none linked in either;
#  3. the module's imports: only env.proxy_*, so no WASI stdio.
# Each input is first checked to hold what it should (a known SDK symbol, a known import), so an
# empty or unreadable file cannot pass.
# Inputs: -DNM=<llvm-nm> -DWASM_OBJDUMP=<wasm-objdump> -DSDK_ARCHIVE=<libwasmgate_sdk.a>
#         -DMODULE=<hello-world.wasm> -DLINK_MAP=<hello-world.wasm.map>
set(forbidden "__cxa_throw" "__cxa_allocate_exception" "__cxa_begin_catch" "__gxx_personality"
              "_Unwind_RaiseException" "ios_base" "basic_ostream" "basic_istream" "4coutE"
              "4cerrE")

function(check_clean what text must_contain)
  string(FIND "${text}" "${must_contain}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${what} does not mention ${must_contain}: not the file expected?\n${text}")
  endif()
  foreach(symbol ${forbidden})
    string(FIND "${text}" "${symbol}" at)
    if(NOT at EQUAL -1)
      string(SUBSTRING "${text}" ${at} 200 context)
      message(FATAL_ERROR "${what} contains ${symbol}: exceptions or iostream reached the build\n...${context}")
    endif()
  endforeach()
  message(STATUS "${what}: clean")
endfunction()

foreach(file ${SDK_ARCHIVE} ${MODULE} ${LINK_MAP})
  if(NOT EXISTS ${file})
    message(FATAL_ERROR "${file} does not exist: build the target plugins first")
  endif()
endforeach()

execute_process(COMMAND ${NM} ${SDK_ARCHIVE} OUTPUT_VARIABLE symbols ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${NM} ${SDK_ARCHIVE} failed (${rc}): ${err}")
endif()
check_clean("the SDK archive's symbols" "${symbols}" "proxy_on_request_headers")

file(READ ${LINK_MAP} map)
check_clean("hello-world's link map" "${map}" "proxy_on_request_headers")

execute_process(COMMAND ${WASM_OBJDUMP} -x -j Import ${MODULE} OUTPUT_VARIABLE imports RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${WASM_OBJDUMP} ${MODULE} failed (${rc})")
endif()
check_clean("hello-world's imports" "${imports}" "env.proxy_log")
string(REGEX MATCHALL "<- [A-Za-z0-9_]+\\.[A-Za-z0-9_]+" modules "${imports}")
foreach(import ${modules})
  if(NOT import MATCHES "^<- env\\.proxy_")
    message(FATAL_ERROR "${MODULE} imports ${import}: only env.proxy_* expected (no WASI stdio)")
  endif()
endforeach()
