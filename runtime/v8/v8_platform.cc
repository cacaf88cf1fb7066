// Process-wide V8 state. V8 can be initialised once per process and never re-initialised after
// disposal, so the platform and the allocator live until the process exits.
#include "runtime/v8/v8_platform.h"

#include <cstdlib>
#include <memory>
#include <mutex>

#include <libplatform/libplatform.h>

#include "runtime/v8/v8_fast_call.h"

namespace wasmgate::runtime::v8backend {
namespace {

std::once_flag g_init_once;
v8::Platform* g_platform = nullptr;
v8::ArrayBuffer::Allocator* g_allocator = nullptr;

// Under AddressSanitizer the guard-region trap handler and ASan's own SIGSEGV handling collide;
// V8 then falls back to explicit bounds checks, which behave the same.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kUseTrapHandler = false;
#else
constexpr bool kUseTrapHandler = true;
#endif

void initializeOnce(const EngineOptions& options) {
  // Flags must be set before V8::Initialize().
  std::string flags = "--wasm-max-mem-pages=" + std::to_string(options.max_memory_pages);
  // Host functions marked fast are called from wasm without the JS-API machinery (v8_fast_call.h).
  flags += std::string(" ") + fastCallFlag();
  // Optimise every function of a module in the background as soon as it is compiled. With V8's
  // default dynamic tiering a function moves to TurboFan only after ~1.8 MB of its Liftoff code
  // has run, which for per-request plugin code takes tens of thousands of requests; until then
  // the plugin runs slower code and the background compiles cost CPU while traffic is served
  // (docs/performance.md, "Eager tier-up"). A plugin is compiled once and serves for long, so
  // its compile CPU is better spent up front (~0.3 s for five plugins on the benchmark VM).
  flags += " --no-wasm-dynamic-tiering";
  // For engine experiments only (docs/performance.md): extra V8 flags, e.g. "--no-liftoff".
  if (const char* extra = std::getenv("WASMGATE_V8_FLAGS")) flags += std::string(" ") + extra;
  v8::V8::SetFlagsFromString(flags.c_str(), flags.size());
  if (kUseTrapHandler) v8::V8::EnableWebAssemblyTrapHandler(/*use_v8_signal_handler=*/true);
  g_platform = v8::platform::NewDefaultPlatform().release();  // lives until exit, on purpose
  v8::V8::InitializePlatform(g_platform);
  v8::V8::Initialize();
  g_allocator = v8::ArrayBuffer::Allocator::NewDefaultAllocator();
}

}  // namespace

void initializeV8(const EngineOptions& options) {
  std::call_once(g_init_once, initializeOnce, options);
}

v8::Platform& platform() { return *g_platform; }

v8::Isolate* newIsolate() {
  v8::Isolate::CreateParams params;
  params.array_buffer_allocator = g_allocator;
  v8::Isolate* isolate = v8::Isolate::New(params);
  isolate->SetMicrotasksPolicy(v8::MicrotasksPolicy::kExplicit);
  return isolate;
}

std::string exceptionMessage(v8::Isolate* isolate, v8::Local<v8::Context> context, v8::Local<v8::Value> exception) {
  if (exception.IsEmpty()) return "unknown error";
  v8::Local<v8::Value> text = exception;
  if (exception->IsNativeError()) {
    v8::Local<v8::Value> message;
    if (exception.As<v8::Object>()->Get(context, v8String(isolate, "message")).ToLocal(&message)) text = message;
  }
  v8::Local<v8::String> str;
  if (!text->ToString(context).ToLocal(&str)) return "unknown error";
  v8::String::Utf8Value utf8(isolate, str);
  return *utf8 ? std::string(*utf8, utf8.length()) : "unknown error";
}

}  // namespace wasmgate::runtime::v8backend
