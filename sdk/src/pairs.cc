// Pairs and property-path (de)serialisation; see internal/pairs.h.
#include <wasmgate/internal/pairs.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace wasmgate::internal {
namespace {

void appendU32(std::string& out, uint32_t v) {
  char b[4] = {char(v & 0xff), char((v >> 8) & 0xff), char((v >> 16) & 0xff), char((v >> 24) & 0xff)};
  out.append(b, 4);
}

uint32_t readU32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return uint32_t(u[0]) | uint32_t(u[1]) << 8 | uint32_t(u[2]) << 16 | uint32_t(u[3]) << 24;
}

bool fail(types::Headers* out, std::string* error, const char* why) {
  out->clear();
  if (error) *error = why;
  return false;
}

}  // namespace

std::string SerializePairs(const types::Headers& pairs) {
  size_t total = 4 + pairs.size() * 8;
  for (const auto& [k, v] : pairs) total += k.size() + v.size() + 2;
  std::string out;
  out.reserve(total);
  appendU32(out, uint32_t(pairs.size()));
  for (const auto& [k, v] : pairs) {
    appendU32(out, uint32_t(k.size()));
    appendU32(out, uint32_t(v.size()));
  }
  for (const auto& [k, v] : pairs) {
    out.append(k).push_back('\0');
    out.append(v).push_back('\0');
  }
  return out;
}

bool DeserializePairs(std::string_view data, types::Headers* out, std::string* error) {
  out->clear();
  if (data.empty() || (data.size() == 1 && data[0] == '\0')) return true;
  if (data.size() < 4) return fail(out, error, "pairs: shorter than the 4-byte count");
  uint64_t count = readU32(data.data());
  if (count > (data.size() - 4) / 8) return fail(out, error, "pairs: count exceeds the data");
  size_t sizes = 4, pos = 4 + size_t(count) * 8;
  out->reserve(size_t(count));
  for (uint64_t i = 0; i < count; ++i, sizes += 8) {
    uint64_t klen = readU32(data.data() + sizes), vlen = readU32(data.data() + sizes + 4);
    if (klen + vlen + 2 > data.size() - pos) return fail(out, error, "pairs: entry exceeds the data");
    std::string key(data.substr(pos, klen));
    pos += klen + 1;
    std::string value(data.substr(pos, vlen));
    pos += vlen + 1;
    out->emplace_back(std::move(key), std::move(value));
  }
  return true;
}

std::string SerializePropertyPath(std::initializer_list<std::string_view> path) {
  std::string out;
  bool first = true;
  for (auto segment : path) {
    if (!first) out.push_back('\0');
    out.append(segment);
    first = false;
  }
  return out;
}

std::string SerializePropertyPath(const std::vector<std::string>& path) {
  std::string out;
  for (size_t i = 0; i < path.size(); ++i) {
    if (i) out.push_back('\0');
    out.append(path[i]);
  }
  return out;
}

std::string TakeHostBytes(char* data, size_t size) {
  if (!data) return {};
  std::string out(data, size);
  FreeHostBytes(data);
  return out;
}

}  // namespace wasmgate::internal
