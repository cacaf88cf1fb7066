# Gateway fuzz targets (included by tests/fuzz/CMakeLists.txt). The sources are compiled into
# each target so the fuzzer's coverage instrumentation reaches them.
set(gateway_llhttp /usr/share/llhttp/llhttp.c /usr/share/llhttp/api.c /usr/share/llhttp/http.c)
set_source_files_properties(${gateway_llhttp} PROPERTIES COMPILE_DEFINITIONS LLHTTP_STRICT_MODE=1 COMPILE_OPTIONS -w)

wasmgate_add_fuzzer(http_parser_fuzz
  SOURCES http_parser_fuzz.cc ${CMAKE_SOURCE_DIR}/gateway/http/parser.cc
          ${CMAKE_SOURCE_DIR}/gateway/http/message.cc ${gateway_llhttp}
  SEEDS ${WASMGATE_FUZZ_CORPUS}/http_parser_fuzz)
target_include_directories(http_parser_fuzz PRIVATE /usr/share/include/llhttp)

find_package(yaml-cpp REQUIRED)
find_package(nlohmann_json REQUIRED)
wasmgate_add_fuzzer(config_fuzz
  SOURCES config_fuzz.cc ${CMAKE_SOURCE_DIR}/gateway/config_loader.cc ${CMAKE_SOURCE_DIR}/gateway/config_schema.cc
          ${CMAKE_SOURCE_DIR}/gateway/http/message.cc
  SEEDS ${WASMGATE_FUZZ_CORPUS}/config_fuzz ${CMAKE_SOURCE_DIR}/config
  LIBS yaml-cpp nlohmann_json::nlohmann_json)
# config_loader.cc embeds config/demo.yaml through the gateway's generated include.
target_include_directories(config_fuzz PRIVATE ${CMAKE_BINARY_DIR}/gateway/generated)
