// sdk_options: a test plugin for the wrapper's registration options (tests/harness/
// harness_sdk_options_test.cc): SetCtxWithOptions with its own logger (WithLogger), EnableSafeLog,
// ParseOverrideRawConfig and a PrePluginStartOrReload that can refuse the start.
//  - every log line goes through TaggingLog, so it reads "<tagged> <message>": proof that
//    SetCtxWithOptions installed no default "[sdk-options] ..." logger besides it;
//  - the start is refused when the plugin configuration contains "refuse-start";
//  - request headers get x-global-raw / x-rule-raw (the raw texts the parsers saw) and x-tag
//    (from the global config, inherited by rules); the handler logs the request's x-token with
//    log::UnsafeInfof, which safe logging demotes to Debug.
#include <string>

#include <wasmgate/wrapper.h>

namespace {

struct OptionsConfig {
  std::string tag;
  std::string globalRaw;
  std::string ruleRaw;  // empty for the global config
};

// A logger of the plugin's own: same host level filter as DefaultLog, its own prefix.
class TaggingLog : public log::Log {
 public:
  bool Enabled(log::Level level) override { return level >= log::HostLogLevel(); }
  void Write(log::Level level, std::string_view message) override {
    std::string line = "<tagged> " + std::string(message);
    switch (level) {
      case log::Level::Trace: proxywasm::LogTrace(line); break;
      case log::Level::Debug: proxywasm::LogDebug(line); break;
      case log::Level::Info: proxywasm::LogInfo(line); break;
      case log::Level::Warn: proxywasm::LogWarn(line); break;
      case log::Level::Error: proxywasm::LogError(line); break;
      case log::Level::Critical: proxywasm::LogCritical(line); break;
    }
  }
};

wrapper::Error refuseWhenAsked(wrapper::PluginContext&) {
  auto config = proxywasm::GetPluginConfiguration();
  if (config.value.find("refuse-start") != std::string::npos) {
    return wrapper::Error("pre-start refused: the configuration asks for it");
  }
  return {};
}

wrapper::Error parseGlobal(std::string_view raw, OptionsConfig& config) {
  config.globalRaw = std::string(raw);
  config.tag = wrapper::Json::Parse(raw).get("tag").asString();
  return {};
}

wrapper::Error parseRule(std::string_view raw, const OptionsConfig& global, OptionsConfig& config) {
  config = global;
  config.ruleRaw = std::string(raw);
  if (raw.find("bad-rule") != std::string_view::npos) return wrapper::Error("field 'bad-rule': refused");
  return {};
}

types::Action onRequestHeaders(wrapper::HttpContext&, const OptionsConfig& config) {
  proxywasm::AddHttpRequestHeader("x-global-raw", config.globalRaw);
  proxywasm::AddHttpRequestHeader("x-rule-raw", config.ruleRaw);
  proxywasm::AddHttpRequestHeader("x-tag", config.tag);
  log::Infof("request with tag %s", config.tag);
  log::UnsafeInfof("token %s", proxywasm::GetHttpRequestHeader("x-token").value);
  return types::HeaderContinue;
}

}  // namespace

WASMGATE_PLUGIN_INIT() {
  wrapper::SetCtxWithOptions<OptionsConfig>("sdk-options",
      wrapper::WithLogger(std::make_shared<TaggingLog>()),
      wrapper::EnableSafeLog(),
      wrapper::PrePluginStartOrReload(refuseWhenAsked),
      wrapper::ParseOverrideRawConfig(parseGlobal, parseRule),
      wrapper::ProcessRequestHeaders(onRequestHeaders));
}
