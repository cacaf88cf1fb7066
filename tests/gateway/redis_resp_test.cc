// RespSplitter and the Higress cluster string parser: pure functions, checked on every split
// point of real reply streams.
#include <gtest/gtest.h>

#include "gateway/redis/cluster_spec.h"
#include "gateway/redis/resp_splitter.h"

namespace wasmgate::gateway::redis {
namespace {

const std::vector<std::string> kReplies = {
    "+OK\r\n",
    "-ERR unknown command 'FOO'\r\n",
    ":42\r\n",
    "$5\r\nhello\r\n",
    "$-1\r\n",
    "$0\r\n\r\n",
    "$12\r\nline\r\nbreaks\r\n",  // a bulk payload holding CRLF
    "*0\r\n",
    "*-1\r\n",
    "*3\r\n:1\r\n$3\r\nabc\r\n*2\r\n+x\r\n*1\r\n$-1\r\n",  // nested arrays
    "*2\r\n*2\r\n:1\r\n:2\r\n*0\r\n",
    "%1\r\n+key\r\n:7\r\n",  // RESP3 map
};

std::string joined() {
  std::string all;
  for (const auto& r : kReplies) all += r;
  return all;
}

TEST(RespSplitter, WholeStreamInOneRead) {
  RespSplitter splitter;
  std::vector<std::string> out;
  ASSERT_TRUE(splitter.feed(joined(), &out));
  EXPECT_EQ(out, kReplies);
  EXPECT_EQ(splitter.partialSize(), 0u);
}

TEST(RespSplitter, EverySplitPointGivesTheSameReplies) {
  std::string all = joined();
  for (size_t cut = 0; cut <= all.size(); ++cut) {
    RespSplitter splitter;
    std::vector<std::string> out;
    ASSERT_TRUE(splitter.feed(std::string_view(all).substr(0, cut), &out));
    ASSERT_TRUE(splitter.feed(std::string_view(all).substr(cut), &out));
    ASSERT_EQ(out, kReplies) << "cut at " << cut;
  }
}

TEST(RespSplitter, OneByteAtATime) {
  std::string all = joined();
  RespSplitter splitter;
  std::vector<std::string> out;
  for (char c : all) ASSERT_TRUE(splitter.feed(std::string_view(&c, 1), &out));
  EXPECT_EQ(out, kReplies);
}

TEST(RespSplitter, IncompleteReplyIsHeld) {
  RespSplitter splitter;
  std::vector<std::string> out;
  ASSERT_TRUE(splitter.feed("*2\r\n$3\r\nfoo\r\n$3\r\nba", &out));
  EXPECT_TRUE(out.empty());
  EXPECT_GT(splitter.partialSize(), 0u);
  ASSERT_TRUE(splitter.feed("r\r\n", &out));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], "*2\r\n$3\r\nfoo\r\n$3\r\nbar\r\n");
}

TEST(RespSplitter, GarbageIsAnErrorNamingTheCause) {
  RespSplitter splitter;
  std::vector<std::string> out;
  EXPECT_FALSE(splitter.feed("HTTP/1.1 200 OK\r\n", &out));
  EXPECT_NE(splitter.error().find("unknown RESP type"), std::string::npos) << splitter.error();
  EXPECT_FALSE(splitter.feed("+OK\r\n", &out));  // stays failed

  RespSplitter bad_length;
  EXPECT_FALSE(bad_length.feed("$abc\r\n", &out));
  EXPECT_NE(bad_length.error().find("bad length 'abc'"), std::string::npos) << bad_length.error();

  RespSplitter bad_end;
  EXPECT_FALSE(bad_end.feed("$3\r\nfooXY", &out));
  EXPECT_NE(bad_end.error().find("CRLF"), std::string::npos);
}

TEST(RedisClusterSpec, ParsesHigressQueryString) {
  auto spec = parseRedisClusterSpec(
      "outbound|6379||redis.static?db=1&buffer_flush_timeout=3&max_buffer_size_before_flush=1024");
  ASSERT_TRUE(spec.ok()) << spec.message();
  EXPECT_EQ(spec->name, "outbound|6379||redis.static");
  EXPECT_EQ(spec->db, 1u);
  EXPECT_EQ(spec->buffer_flush_timeout_ms, 3u);
  EXPECT_EQ(spec->max_buffer_size_before_flush, 1024u);
}

TEST(RedisClusterSpec, DefaultsAndUnknownParameters) {
  auto plain = parseRedisClusterSpec("redis");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain.value(), (RedisClusterSpec{"redis", 0, 0, 0}));
  auto unknown = parseRedisClusterSpec("redis?foo=bar&&db=2");
  ASSERT_TRUE(unknown.ok()) << unknown.message();
  EXPECT_EQ(unknown->db, 2u);
}

TEST(RedisClusterSpec, BadValuesNameTheParameter) {
  auto bad = parseRedisClusterSpec("redis?db=x");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("'db'"), std::string::npos) << bad.message();
  auto negative = parseRedisClusterSpec("redis?buffer_flush_timeout=-1");
  ASSERT_FALSE(negative.ok());
  EXPECT_NE(negative.message().find("buffer_flush_timeout"), std::string::npos);
  EXPECT_FALSE(parseRedisClusterSpec("?db=1").ok());
  EXPECT_FALSE(parseRedisClusterSpec("redis?max_buffer_size_before_flush=99999999999").ok());
}

}  // namespace
}  // namespace wasmgate::gateway::redis
