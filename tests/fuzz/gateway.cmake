# Gateway fuzz targets (included by tests/fuzz/CMakeLists.txt). The sources are compiled into
# each target so the fuzzer's coverage instrumentation reaches them.
set(gateway_llhttp /usr/share/llhttp/llhttp.c /usr/share/llhttp/api.c /usr/share/llhttp/http.c)
set_source_files_properties(${gateway_llhttp} PROPERTIES COMPILE_DEFINITIONS LLHTTP_STRICT_MODE=1 COMPILE_OPTIONS -w)

# Seeds: a pipelined request pair and a chunked response, written into the build tree.
set(http_seeds ${CMAKE_CURRENT_BINARY_DIR}/http_parser_fuzz_seeds)
file(MAKE_DIRECTORY ${http_seeds})
string(ASCII 13 cr)
set(nl "${cr}\n")
file(WRITE ${http_seeds}/pipelined
  "GET /a?b=1 HTTP/1.1${nl}Host: x${nl}Content-Length: 3${nl}${nl}abcPOST / HTTP/1.1${nl}"
  "Transfer-Encoding: chunked${nl}${nl}5${nl}hello${nl}0${nl}${nl}")
file(WRITE ${http_seeds}/response "HTTP/1.1 200 OK${nl}transfer-encoding: chunked${nl}${nl}3${nl}abc${nl}0${nl}${nl}")

wasmgate_add_fuzzer(http_parser_fuzz
  SOURCES http_parser_fuzz.cc ${CMAKE_SOURCE_DIR}/gateway/http/parser.cc
          ${CMAKE_SOURCE_DIR}/gateway/http/message.cc ${gateway_llhttp}
  SEEDS ${http_seeds})
target_include_directories(http_parser_fuzz PRIVATE /usr/share/include/llhttp)

find_package(yaml-cpp REQUIRED)
find_package(nlohmann_json REQUIRED)
wasmgate_add_fuzzer(config_fuzz
  SOURCES config_fuzz.cc ${CMAKE_SOURCE_DIR}/gateway/config_loader.cc ${CMAKE_SOURCE_DIR}/gateway/config_schema.cc
          ${CMAKE_SOURCE_DIR}/gateway/http/message.cc
  SEEDS ${CMAKE_SOURCE_DIR}/config
  LIBS yaml-cpp nlohmann_json::nlohmann_json)
# config_loader.cc embeds config/demo.yaml through the gateway's generated include.
target_include_directories(config_fuzz PRIVATE ${CMAKE_BINARY_DIR}/gateway/generated)
