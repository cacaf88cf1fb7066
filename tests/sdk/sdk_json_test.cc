// wrapper::Json: validation errors, gjson-style paths, typed getters and the JSON text helpers.
#include <gtest/gtest.h>

#include <wasmgate/json.h>

using wasmgate::wrapper::Json;

namespace {

TEST(SdkJson, ReadsNestedPathsAndArrayIndexes) {
  Json j = Json::Parse(R"({"a": {"b": [ {"c": 1}, {"c": "two", "d.e": true} ]}, "n": null})");
  ASSERT_TRUE(j.exists());
  EXPECT_EQ(j.get("a.b.0.c").asInt(), 1);
  EXPECT_EQ(j.get("a.b.1.c").asString(), "two");
  EXPECT_TRUE(j.get("a.b.1.d\\.e").asBool());
  EXPECT_EQ(j.get("a.b.#").asInt(), 2);
  EXPECT_FALSE(j.get("a.b.2").exists());
  EXPECT_FALSE(j.get("a.x.y").exists());
  EXPECT_TRUE(j.get("n").isNull());
  EXPECT_EQ(j.get("a.b").size(), 2u);
  EXPECT_EQ(j["a"].get("b.0").raw(), R"({"c": 1})");
}

TEST(SdkJson, GettersConvertLikeGjsonAndFallBackToDefaults) {
  Json j = Json::Parse(R"({"i": -42, "f": 2.5, "s": "17", "t": "TRUE", "b": false, "big": 1e3, "o": {}})");
  EXPECT_EQ(j.get("i").asInt(), -42);
  EXPECT_EQ(j.get("f").asInt(), 2);
  EXPECT_DOUBLE_EQ(j.get("f").asDouble(), 2.5);
  EXPECT_EQ(j.get("s").asInt(), 17);
  EXPECT_EQ(j.get("big").asInt(), 1000);
  EXPECT_TRUE(j.get("t").asBool());
  EXPECT_FALSE(j.get("b").asBool(true));
  EXPECT_EQ(j.get("missing").asInt(7), 7);
  EXPECT_EQ(j.get("missing").asString("def"), "def");
  EXPECT_TRUE(j.get("missing").asBool(true));
  EXPECT_EQ(j.get("o").asInt(5), 5);
  EXPECT_EQ(j.get("i").asString(), "-42");
  EXPECT_EQ(j.get("o").asString(), "{}");
  EXPECT_EQ(j.get("i").asUint(9), 0u);
}

TEST(SdkJson, UnescapesStringsIncludingSurrogatePairs) {
  Json j = Json::Parse(R"({"s": "a\"b\\c\n\u00e9\ud83d\ude00", "k\u0041": 1})");
  EXPECT_EQ(j.get("s").asString(), "a\"b\\c\n\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_EQ(j.get("kA").asInt(), 1);  // escaped key matches its unescaped path
}

TEST(SdkJson, ArraysAndForEach) {
  Json j = Json::Parse(R"({"list": [1, "x", [2]], "one": "y", "obj": {"a": 1, "b": 2}})");
  auto list = j.get("list").asArray();
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[1].asString(), "x");
  EXPECT_TRUE(list[2].isArray());
  ASSERT_EQ(j.get("one").asArray().size(), 1u);
  EXPECT_TRUE(j.get("none").asArray().empty());
  std::string seen;
  j.get("obj").forEach([&](const Json& k, const Json& v) {
    seen += k.asString() + "=" + v.asString() + ";";
    return true;
  });
  EXPECT_EQ(seen, "a=1;b=2;");
  int visits = 0;
  j.get("list").forEach([&](const Json& k, const Json&) {
    EXPECT_FALSE(k.exists());
    return ++visits < 2;  // stop early
  });
  EXPECT_EQ(visits, 2);
}

TEST(SdkJson, ParseErrorsNameOffsetAndCause) {
  struct Case {
    const char* text;
    size_t offset;
    const char* cause;
  } cases[] = {
      {"", 0, "empty document"},
      {"{\"a\" 1}", 5, "expected ':' after an object key"},
      {"[1, 2", 5, "unexpected end of input inside an array"},
      {"{\"a\": tru}", 6, "invalid literal"},
      {"\"x\\q\"", 3, "invalid escape in a string"},
      {"01", 1, "unexpected data after the top-level value"},
      {"{\"a\":1,}", 7, "expected a string object key"},
      {"[1] x", 4, "unexpected data after the top-level value"},
      {"-", 1, "expected a digit in a number"},
  };
  for (const auto& c : cases) {
    Json::ParseError err;
    EXPECT_FALSE(Json::Parse(c.text, &err).exists()) << c.text;
    EXPECT_EQ(err.offset, c.offset) << c.text;
    EXPECT_NE(err.cause.find(c.cause), std::string::npos) << c.text << " -> " << err.cause;
    EXPECT_NE(err.message().find("invalid JSON at offset"), std::string::npos);
  }
}

TEST(SdkJson, RefusesVeryDeepNestingWithoutCrashing) {
  std::string deep(100000, '[');
  Json::ParseError err;
  EXPECT_FALSE(Json::Valid(deep, &err));
  EXPECT_NE(err.cause.find("nesting"), std::string::npos);
}

TEST(SdkJson, RemovesTopLevelKeys) {
  std::string a = R"({"_plugin_id_": "p1", "x": 1})";
  EXPECT_TRUE(wasmgate::internal::RemoveTopLevelKey(a, "_plugin_id_"));
  EXPECT_EQ(Json::Parse(a).size(), 1u);
  std::string b = R"({"x": {"_plugin_id_": 2}, "y": 3, "_plugin_id_": "z"})";
  EXPECT_TRUE(wasmgate::internal::RemoveTopLevelKey(b, "_plugin_id_"));
  EXPECT_TRUE(Json::Valid(b));
  EXPECT_EQ(Json::Parse(b).get("x._plugin_id_").asInt(), 2);
  EXPECT_FALSE(Json::Parse(b).get("_plugin_id_").exists());
  std::string c = R"({"only": 1})";
  EXPECT_TRUE(wasmgate::internal::RemoveTopLevelKey(c, "only"));
  EXPECT_EQ(c, "{}");
  EXPECT_FALSE(wasmgate::internal::RemoveTopLevelKey(c, "absent"));
}

TEST(SdkJson, MarshalStrRoundTrips) {
  std::string raw = "{\"a\":\"line\nbreak \\\"q\\\"\"}";
  std::string escaped = wasmgate::wrapper::MarshalStr(raw);
  EXPECT_EQ(escaped.find('\n'), std::string::npos);
  EXPECT_EQ(wasmgate::wrapper::UnmarshalStr(escaped), raw);
}

}  // namespace
