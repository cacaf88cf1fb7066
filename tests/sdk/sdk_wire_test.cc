// Wire formats and names: header-map pairs, property paths, RESP encode/parse, cluster names.
#include <gtest/gtest.h>

#include <wasmgate/cluster.h>
#include <wasmgate/internal/pairs.h>
#include <wasmgate/resp.h>

#include "support/fake_host.h"

using namespace wasmgate;

namespace {

TEST(SdkPairs, RoundTripAndExactLayout) {
  types::Headers h{{":path", "/a"}, {"x", ""}};
  std::string wire = internal::SerializePairs(h);
  std::string expected("\x02\0\0\0\x05\0\0\0\x02\0\0\0\x01\0\0\0\0\0\0\0:path\0/a\0x\0\0", 32);
  EXPECT_EQ(wire, expected);
  types::Headers back;
  ASSERT_TRUE(internal::DeserializePairs(wire, &back));
  EXPECT_EQ(back, h);
  EXPECT_TRUE(internal::DeserializePairs("", &back));
  EXPECT_TRUE(back.empty());
  EXPECT_EQ(internal::SerializePairs({}), std::string("\0\0\0\0", 4));
}

TEST(SdkPairs, MalformedInputIsRefusedNotRead) {
  types::Headers out;
  std::string err;
  EXPECT_FALSE(internal::DeserializePairs(std::string("\x01\0", 2), &out, &err));
  EXPECT_NE(err.find("shorter"), std::string::npos);
  EXPECT_FALSE(internal::DeserializePairs(std::string("\xff\xff\xff\x7f\0\0\0\0", 8), &out, &err));
  EXPECT_NE(err.find("count"), std::string::npos);
  // One pair whose key claims 100 bytes.
  EXPECT_FALSE(internal::DeserializePairs(std::string("\x01\0\0\0\x64\0\0\0\0\0\0\0ab\0\0", 16), &out, &err));
  EXPECT_TRUE(out.empty());
}

TEST(SdkPairs, PropertyPaths) {
  EXPECT_EQ(internal::SerializePropertyPath({"request", "path"}), std::string("request\0path", 12));
  EXPECT_EQ(internal::SerializePropertyPath({"route_name"}), "route_name");
  EXPECT_EQ(internal::SerializePropertyPath(std::vector<std::string>{"a", "", "b"}), std::string("a\0\0b", 4));
}

TEST(SdkResp, EncodesCommandsAsBulkStringArrays) {
  EXPECT_EQ(resp::EncodeCommand({"set", "k", "v 1"}), "*3\r\n$3\r\nset\r\n$1\r\nk\r\n$3\r\nv 1\r\n");
  EXPECT_EQ(resp::MultiBulkValue({"get", "k"}).MarshalRESP(), "*2\r\n$3\r\nget\r\n$1\r\nk\r\n");
  EXPECT_EQ(resp::NullValue().MarshalRESP(), "$-1\r\n");
  EXPECT_EQ(resp::IntegerValue(-3).MarshalRESP(), ":-3\r\n");
}

TEST(SdkResp, ParsesEveryReplyType) {
  resp::Value v;
  size_t used = 0;
  ASSERT_EQ(resp::Parse("+OK\r\n", &v, &used), "");
  EXPECT_EQ(v.Type(), resp::Type::SimpleString);
  EXPECT_EQ(v.String(), "OK");
  EXPECT_EQ(used, 5u);
  ASSERT_EQ(resp::Parse("-NOAUTH Authentication required.\r\n", &v), "");
  EXPECT_TRUE(v.IsError());
  EXPECT_EQ(v.Error(), "NOAUTH Authentication required.");
  ASSERT_EQ(resp::Parse(":42\r\n", &v), "");
  EXPECT_EQ(v.Integer(), 42);
  EXPECT_TRUE(v.Bool());
  ASSERT_EQ(resp::Parse("$5\r\nhe\r\no\r\n", &v), "");
  EXPECT_EQ(v.String(), "he\r\no");
  ASSERT_EQ(resp::Parse("$-1\r\n", &v), "");
  EXPECT_TRUE(v.IsNull());
  ASSERT_EQ(resp::Parse("*3\r\n$1\r\na\r\n:2\r\n*1\r\n$3\r\n1.5\r\n", &v), "");
  ASSERT_EQ(v.Array().size(), 3u);
  EXPECT_EQ(v.Array()[1].Integer(), 2);
  EXPECT_DOUBLE_EQ(v.Array()[2].Array()[0].Float(), 1.5);
  EXPECT_TRUE(v.Equals(resp::ArrayValue({resp::StringValue("a"), resp::IntegerValue(2),
                                         resp::ArrayValue({resp::StringValue("1.5")})})));
  ASSERT_EQ(resp::Parse("*-1\r\n", &v), "");
  EXPECT_TRUE(v.IsNull());
  EXPECT_TRUE(v.Array().empty());
}

// Go's resp.Value.Bytes(): a string reply's raw bytes (NUL and CRLF included), other types as
// their String() text, a null reply empty.
TEST(SdkResp, BytesAreTheRawPayload) {
  resp::Value v;
  ASSERT_EQ(resp::Parse(std::string_view("$5\r\na\0b\r\n\r\n", 11), &v), "");
  EXPECT_EQ(v.Bytes(), std::string("a\0b\r\n", 5));
  EXPECT_EQ(v.Bytes().size(), 5u);
  ASSERT_EQ(resp::Parse("-ERR wrong type\r\n", &v), "");
  EXPECT_EQ(v.Bytes(), "ERR wrong type");
  EXPECT_EQ(resp::IntegerValue(-12).Bytes(), "-12");
  EXPECT_EQ(resp::NullValue().Bytes(), "");
  EXPECT_EQ(resp::BytesValue(std::string_view("\xff\0", 2)).Bytes(), std::string("\xff\0", 2));
  EXPECT_EQ(resp::ArrayValue({resp::StringValue("a"), resp::IntegerValue(2)}).Bytes(), "a 2");
}

TEST(SdkResp, BadRepliesGiveErrorsWithOffsets) {
  resp::Value v;
  EXPECT_EQ(resp::Parse("", &v), "incomplete reply");
  EXPECT_EQ(resp::Parse("$5\r\nab\r\n", &v), "incomplete reply");
  EXPECT_EQ(resp::Parse("*2\r\n:1\r\n", &v), "incomplete reply");
  EXPECT_NE(resp::Parse(":x\r\n", &v).find("bad integer"), std::string::npos);
  EXPECT_NE(resp::Parse("?\r\n", &v).find("unknown reply type at offset 0"), std::string::npos);
  EXPECT_NE(resp::Parse("$2\r\nabcd\r\n", &v).find("not terminated"), std::string::npos);
  EXPECT_NE(resp::Parse("*999999999\r\n", &v), "");
}

TEST(SdkCluster, NamesFollowIstioAndHigressConventions) {
  using namespace wasmgate::wrapper;
  EXPECT_EQ((K8sCluster{.ServiceName = "foo", .Port = 8080}).ClusterName(),
            "outbound|8080||foo.default.svc.cluster.local");
  EXPECT_EQ((K8sCluster{.ServiceName = "foo", .Namespace = "ns", .Port = 80, .Version = "v1"}).ClusterName(),
            "outbound|80|v1|foo.ns.svc.cluster.local");
  EXPECT_EQ((K8sCluster{.ServiceName = "foo", .Namespace = "ns"}).HostName(), "foo.ns.svc.cluster.local");
  EXPECT_EQ((NacosCluster{.ServiceName = "s", .Group = "my_group", .NamespaceID = "id", .Port = 80}).ClusterName(),
            "outbound|80||s.my-group.id.nacos");
  EXPECT_EQ((NacosCluster{.ServiceName = "s", .NamespaceID = "id", .Port = 1, .IsExtRegistry = true}).ClusterName(),
            "outbound|1||s.DEFAULT-GROUP.id.nacos-ext");
  EXPECT_EQ((StaticIpCluster{.ServiceName = "s", .Port = 80}).ClusterName(), "outbound|80||s.static");
  EXPECT_EQ((DnsCluster{.ServiceName = "d", .Domain = "d.com", .Port = 443}).ClusterName(), "outbound|443||d.dns");
  EXPECT_EQ((DnsCluster{.ServiceName = "d", .Domain = "d.com", .Port = 443}).HostName(), "d.com");
  EXPECT_EQ((ConsulCluster{.ServiceName = "c", .Datacenter = "dc1", .Port = 8500}).ClusterName(),
            "outbound|8500||c.dc1.consul");
  EXPECT_EQ((FQDNCluster{.FQDN = "a.b", .Port = 80}).ClusterName(), "outbound|80||a.b");
  EXPECT_EQ((FQDNCluster{.FQDN = "a.b", .Host = "h", .Port = 80}).HostName(), "h");
  EXPECT_EQ((TargetCluster{.Host = "h", .Cluster = "raw"}).ClusterName(), "raw");
  wasmgate::testing::host().reset();
  wasmgate::testing::host().setProperty("cluster_name", "outbound|80||route.svc");
  wasmgate::testing::host().maps[0] = {{":authority", "req.example.com"}};
  EXPECT_EQ(RouteCluster{}.ClusterName(), "outbound|80||route.svc");
  EXPECT_EQ(RouteCluster{}.HostName(), "req.example.com");
  EXPECT_EQ(RouteCluster{.Host = "x"}.HostName(), "x");
}

}  // namespace
