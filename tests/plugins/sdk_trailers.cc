// sdk_trailers: a test plugin for the proxywasm trailer calls (tests/harness/
// harness_sdk_trailers_test.cc). The wrapper does not hook trailers (nor does Go's), so this
// plugin implements the SDK's context interfaces directly. In each trailer callback it runs the
// same sequence on that direction's trailers:
//   x-initial-count = the number of trailers it got (Get...Trailers),
//   x-seen = the value of t1 (Get...Trailer), t2 replaced by "replaced", t3 removed,
//   then the whole map read back, "x-whole: yes" appended, and written whole (Replace...Trailers).
// Any call that fails adds "x-failed: <call>".
#include <memory>
#include <string>

#include <wasmgate/wrapper.h>

namespace {

using types::Headers;
using types::Status;

// One direction's trailer calls.
struct TrailerCalls {
  types::Result<std::string> (*get)(std::string_view);
  types::Result<Headers> (*getAll)();
  Status (*replaceAll)(const Headers&);
  Status (*add)(std::string_view, std::string_view);
  Status (*replace)(std::string_view, std::string_view);
  Status (*remove)(std::string_view);
};

constexpr TrailerCalls kRequest{proxywasm::GetHttpRequestTrailer, proxywasm::GetHttpRequestTrailers,
                                proxywasm::ReplaceHttpRequestTrailers, proxywasm::AddHttpRequestTrailer,
                                proxywasm::ReplaceHttpRequestTrailer, proxywasm::RemoveHttpRequestTrailer};
constexpr TrailerCalls kResponse{proxywasm::GetHttpResponseTrailer, proxywasm::GetHttpResponseTrailers,
                                 proxywasm::ReplaceHttpResponseTrailers, proxywasm::AddHttpResponseTrailer,
                                 proxywasm::ReplaceHttpResponseTrailer, proxywasm::RemoveHttpResponseTrailer};

void exercise(const TrailerCalls& calls) {
  auto failed = [&](std::string_view call) { calls.add("x-failed", call); };
  auto initial = calls.getAll();
  if (!initial.ok()) failed("getAll");
  if (calls.add("x-initial-count", std::to_string(initial.value.size())) != Status::Ok) failed("add");
  auto seen = calls.get("t1");
  calls.add("x-seen", seen.ok() ? seen.value : "absent");
  if (calls.replace("t2", "replaced") != Status::Ok) failed("replace");
  if (calls.remove("t3") != Status::Ok) failed("remove");
  auto now = calls.getAll();
  if (!now.ok()) failed("getAll again");
  now.value.emplace_back("x-whole", "yes");
  if (calls.replaceAll(now.value) != Status::Ok) failed("replaceAll");
}

class TrailerStream : public types::HttpContext {
 public:
  types::Action OnHttpRequestTrailers(uint32_t) override {
    exercise(kRequest);
    return types::TrailerContinue;
  }
  types::Action OnHttpResponseTrailers(uint32_t) override {
    exercise(kResponse);
    return types::TrailerContinue;
  }
};

class TrailerPlugin : public types::PluginContext {
 public:
  std::unique_ptr<types::HttpContext> NewHttpContext(uint32_t) override { return std::make_unique<TrailerStream>(); }
};

class TrailerVm : public types::VMContext {
 public:
  std::unique_ptr<types::PluginContext> NewPluginContext(uint32_t) override {
    return std::make_unique<TrailerPlugin>();
  }
};

}  // namespace

WASMGATE_PLUGIN_INIT() { proxywasm::SetVMContext(std::make_unique<TrailerVm>()); }
