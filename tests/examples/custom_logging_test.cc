// The custom-logging example through the harness: the attributes collected over the request land
// JSON-string-escaped in the access-log filter state (custom_log or ai_log), merged with what
// another plugin already wrote there, and as trace span tags when asked.
#include <gtest/gtest.h>

#include <wasmgate/testing/plugin_test.h>

namespace {

using namespace wasmgate::testing;

TestHost load(std::string config) {
  auto host = TestHost::load(WASMGATE_PLUGIN_DIR "/custom-logging.wasm", std::move(config));
  EXPECT_TRUE(host.ok()) << host.message();
  return std::move(host).value();
}

TEST(CustomLogging, AttributesGoToCustomLogEscaped) {
  auto host = load("{}");
  auto http = host.newHttp();
  http.requestHeaders({{":method", "GET"}, {":path", "/orders?page=2"}, {"x-mse-consumer", "alice"}}, true);
  EXPECT_FALSE(http.property("custom_log").has_value()) << "written once the status is known";
  http.responseHeaders({{":status", "201"}});
  EXPECT_EQ(http.property("custom_log"),
            R"({\"api\":\"/orders\",\"consumer\":\"alice\",\"method\":\"GET\",\"status\":201})");
  EXPECT_TRUE(http.traceSpanTags().empty());
}

TEST(CustomLogging, TheBufferedRequestSizeIsRecorded) {
  auto host = load("{}");
  auto http = host.newHttp();
  http.requestHeaders({{":method", "POST"}, {":path", "/upload"}});
  http.requestBody("12345", false);
  http.requestBody("678", true);
  EXPECT_EQ(http.request().body, "12345678");
  http.responseHeaders({{":status", "200"}});
  EXPECT_EQ(http.property("custom_log"),
            R"({\"api\":\"/upload\",\"consumer\":\"anonymous\",\"method\":\"POST\",\"request_bytes\":8,\"status\":200})");
}

TEST(CustomLogging, AiLogMergesWithWhatIsThereAndTracesGetTags) {
  auto host = load(R"({"log_key": "ai_log", "trace": true})");
  auto http = host.newHttp();
  http.setProperty("ai_log", R"({\"model\":\"qwen\",\"method\":\"old\"})");  // from another plugin
  http.requestHeaders({{":method", "GET"}, {":path", "/v1/models"}, {"x-mse-consumer", "bob"}}, true);
  http.responseHeaders({{":status", "200"}});
  EXPECT_EQ(http.property("ai_log"),
            R"({\"api\":\"/v1/models\",\"consumer\":\"bob\",\"method\":\"GET\",\"model\":\"qwen\",\"status\":200})");
  EXPECT_FALSE(http.property("custom_log").has_value());
  EXPECT_EQ(http.traceSpanTags().at("consumer"), "bob");
  EXPECT_EQ(http.traceSpanTags().at("status"), "200");
}

TEST(CustomLogging, AnUnknownLogKeyIsAConfigError) {
  auto host = TestHost::load(WASMGATE_PLUGIN_DIR "/custom-logging.wasm", R"({"log_key": "my_log"})");
  ASSERT_FALSE(host.ok());
  EXPECT_NE(host.message().find("field 'log_key'"), std::string::npos) << host.message();
}

}  // namespace
