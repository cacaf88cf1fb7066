// Internal helpers of the configuration loader (config_loader.cc, config_schema.cc): a YAML
// mapping reader that reports errors with their path and catches unknown keys, and small parsers.
//
// Internal header (gateway/ only). Pure functions: callable from any thread.
#pragma once

#include <charconv>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "common/result.h"
#include "gateway/config.h"
#include "gateway/config_loader.h"

namespace wasmgate::gateway {

// Fills `config` from the document root; appends "path: problem" lines to `errors`.
// Listener and admin host names are turned into numeric addresses with `resolve`.
void readGatewayConfig(const YAML::Node& root, GatewayConfig& config, const HostResolver& resolve,
                       std::vector<std::string>& errors);

// A YAML subtree as JSON text (plain scalars typed as YAML 1.2 core: bool, null, numbers).
std::string yamlToJson(const YAML::Node& node);
Result<std::shared_ptr<const std::regex>> compileRegex(const std::string& pattern);
std::string toLowerAscii(std::string_view s);
bool isNumericAddress(const std::string& host);

// The parts of a Higress service name "outbound|PORT||HOST.static|.dns".
struct ServiceName {
  uint16_t port = 0;  // 0 when the name is not in that form
  std::string host;
  bool is_dns = false;
};
ServiceName parseServiceName(const std::string& name);

using Node = YAML::Node;

// Reads one mapping, remembering which keys were used so unknown ones (typos) are reported.
class MapReader {
 public:
  MapReader(const Node& node, std::string path, std::vector<std::string>& errors)
      : node_(node), path_(std::move(path)), errors_(errors) {
    if (!node_.IsMap()) error(path_, "expected a mapping");
  }
  ~MapReader() {
    if (!node_.IsMap()) return;
    for (const auto& kv : node_) {
      std::string key = kv.first.Scalar();
      if (!used_.count(key)) error(at(key), "unknown key");
    }
  }

  std::string at(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
  Node get(const std::string& key) {
    used_.insert(key);
    return node_.IsMap() ? node_[key] : Node();
  }
  bool has(const std::string& key) { return node_.IsMap() && node_[key] && !node_[key].IsNull(); }

  void string(const std::string& key, std::string& out) {
    Node n = get(key);
    if (!n || n.IsNull()) return;
    if (!n.IsScalar()) return error(at(key), "expected a string");
    out = n.Scalar();
  }
  template <typename Int>
  void integer(const std::string& key, Int& out) {
    Node n = get(key);
    if (!n || n.IsNull()) return;
    const std::string s = n.IsScalar() ? n.Scalar() : std::string();
    Int v{};
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size()) {
      return error(at(key), "expected a non-negative integer");
    }
    out = v;
  }
  void duration(const std::string& key, uint64_t& out_ms) {
    Node n = get(key);
    if (!n || n.IsNull()) return;
    auto d = n.IsScalar() ? parseDuration(n.Scalar()) : Result<uint64_t>(makeError(""));
    if (!d) return error(at(key), "expected a duration such as 500ms, 10s or 2m");
    out_ms = *d;
  }
  void stringList(const std::string& key, std::vector<std::string>& out) {
    Node n = get(key);
    if (!n || n.IsNull()) return;
    if (n.IsScalar()) {
      out = {n.Scalar()};
      return;
    }
    if (!n.IsSequence()) return error(at(key), "expected a list of strings");
    out.clear();
    for (size_t i = 0; i < n.size(); ++i) {
      if (!n[i].IsScalar()) return error(at(key) + "[" + std::to_string(i) + "]", "expected a string");
      out.push_back(n[i].Scalar());
    }
  }

  void error(const std::string& path, const std::string& what) { errors_.push_back(path + ": " + what); }

 private:
  Node node_;
  std::string path_;
  std::vector<std::string>& errors_;
  std::set<std::string> used_;
};


}  // namespace wasmgate::gateway
