// format::Sprintf and the number helpers behind logs, JSON and Redis arguments.
#include <gtest/gtest.h>

#include <wasmgate/error.h>
#include <wasmgate/format.h>

using namespace wasmgate;

namespace {

TEST(SdkFormat, GoVerbsTakeArgumentsByType) {
  EXPECT_EQ(format::Sprintf("%s has %d items (%v)", "cart", 3, true), "cart has 3 items (true)");
  EXPECT_EQ(format::Sprintf("%q", "a\"b"), "\"a\\\"b\"");
  EXPECT_EQ(format::Sprintf("%x %x", 255, "AB"), "ff 4142");
  EXPECT_EQ(format::Sprintf("%.2f|%f", 3.14159, 2.0), "3.14|2.000000");
  EXPECT_EQ(format::Sprintf("100%% %d", -7), "100% -7");
  EXPECT_EQ(format::Sprintf("%s %s", "one"), "one %!s(MISSING)");
  EXPECT_EQ(format::Sprintf("%-10s|%5d", "x", 42), "x|42");
  EXPECT_EQ(format::Sprintf("err: %v", wrapper::Error("boom")), "err: boom");
  EXPECT_EQ(format::Sprintf("status %v", wasmgate::abi::Status::CasMismatch), "status CasMismatch");
  EXPECT_EQ(format::Sprintf("%d", static_cast<unsigned long long>(18446744073709551615ull)), "18446744073709551615");
  EXPECT_EQ(format::Sprintf("%d", static_cast<long long>(INT64_MIN)), "-9223372036854775808");
}

TEST(SdkFormat, DoublesPrintLikeGoForCommonValues) {
  auto s = [](double d) { return format::ToString(d); };
  EXPECT_EQ(s(0), "0");
  EXPECT_EQ(s(3), "3");
  EXPECT_EQ(s(0.1), "0.1");
  EXPECT_EQ(s(2.5), "2.5");
  EXPECT_EQ(s(-1.25), "-1.25");
  EXPECT_EQ(s(123456.789), "123456.789");
  EXPECT_EQ(s(1e-7), "1e-07");
  EXPECT_EQ(s(6.02e23), "6.02e+23");
  EXPECT_EQ(s(1.0 / 3), "0.333333333333333");
}

TEST(SdkFormat, ParsersRejectJunkAndOverflow) {
  long long i;
  unsigned long long u;
  double d;
  EXPECT_TRUE(format::ParseInt("-9223372036854775808", &i));
  EXPECT_EQ(i, INT64_MIN);
  EXPECT_FALSE(format::ParseInt("9223372036854775808", &i));
  EXPECT_FALSE(format::ParseInt("12a", &i));
  EXPECT_FALSE(format::ParseInt("", &i));
  EXPECT_FALSE(format::ParseUint("-1", &u));
  EXPECT_TRUE(format::ParseDouble("1.5e3", &d));
  EXPECT_DOUBLE_EQ(d, 1500);
  EXPECT_TRUE(format::ParseDouble("0.1", &d));
  EXPECT_EQ(d, 0.1);
  EXPECT_TRUE(format::ParseDouble("-0.000123", &d));
  EXPECT_EQ(d, -0.000123);
  EXPECT_FALSE(format::ParseDouble("1e", &d));
  EXPECT_FALSE(format::ParseDouble(".", &d));
  EXPECT_FALSE(format::ParseDouble("1.2.3", &d));
}

}  // namespace
