// V8's own floor for a call from wasm into the host, next to BM_GuestToHostCall in engine_bench:
// the same WAT loop, in a plain isolate, calling an import that is the thinnest callback V8 10.2's
// public API allows (read the argument, set the result). No binding lookup, no HostCall, no
// host-function dispatch: whatever wasmgate's trampoline adds is the difference between the two
// rows of one run. This file is a reference measurement, so it uses V8 directly; product code
// reaches V8 only through runtime/v8/.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <v8.h>

#include "runtime/engine.h"

namespace {

void thinnestImport(const v8::FunctionCallbackInfo<v8::Value>& info) {
  // The loop passes small positive counters, which V8 hands over as small integers.
  const int32_t n = info[0].As<v8::Int32>()->Value();
  info.GetReturnValue().Set(n & 1);
}

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "v8_floor: %s\n", what);
  std::abort();
}

v8::Local<v8::Value> global(v8::Local<v8::Context> context, v8::Local<v8::Object> from, const char* name) {
  v8::Isolate* isolate = context->GetIsolate();
  return from->Get(context, v8::String::NewFromUtf8(isolate, name).ToLocalChecked()).ToLocalChecked();
}

void BM_GuestToHostFloor(benchmark::State& state) {
  constexpr int kCalls = 1000;
  (void)wasmgate::runtime::v8Engine();  // initialises V8 (flags, platform) once per process
  std::unique_ptr<v8::ArrayBuffer::Allocator> allocator(v8::ArrayBuffer::Allocator::NewDefaultAllocator());
  v8::Isolate::CreateParams params;
  params.array_buffer_allocator = allocator.get();
  v8::Isolate* isolate = v8::Isolate::New(params);
  {
    v8::Isolate::Scope isolate_scope(isolate);
    v8::HandleScope handles(isolate);
    v8::Local<v8::Context> context = v8::Context::New(isolate);
    v8::Context::Scope context_scope(context);

    std::ifstream in(std::string(WASMGATE_WAT_DIR) + "/engine_bench.wasm", std::ios::binary);
    const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), {}};
    v8::Local<v8::WasmModuleObject> module;
    if (!v8::WasmModuleObject::Compile(isolate, {bytes.data(), bytes.size()}).ToLocal(&module)) die("compile");

    v8::Local<v8::Object> env = v8::Object::New(isolate);
    v8::Local<v8::Function> import = v8::Function::New(context, thinnestImport).ToLocalChecked();
    env->Set(context, v8::String::NewFromUtf8Literal(isolate, "host_noop"), import).Check();
    v8::Local<v8::Object> imports = v8::Object::New(isolate);
    imports->Set(context, v8::String::NewFromUtf8Literal(isolate, "env"), env).Check();

    v8::Local<v8::Object> wasm = global(context, context->Global(), "WebAssembly").As<v8::Object>();
    v8::Local<v8::Function> ctor = global(context, wasm, "Instance").As<v8::Function>();
    v8::Local<v8::Value> argv[] = {module, imports};
    v8::Local<v8::Object> instance;
    if (!ctor->NewInstance(context, 2, argv).ToLocal(&instance)) die("instantiate");
    v8::Local<v8::Object> exports = global(context, instance, "exports").As<v8::Object>();
    v8::Local<v8::Function> loop = global(context, exports, "call_host").As<v8::Function>();

    for (auto _ : state) {
      v8::HandleScope per_call(isolate);
      v8::Local<v8::Value> n = v8::Integer::New(isolate, kCalls);
      v8::Local<v8::Value> result;
      if (!loop->Call(context, v8::Undefined(isolate), 1, &n).ToLocal(&result)) die("call");
      benchmark::DoNotOptimize(result);
    }
    state.counters["per_call"] =
        benchmark::Counter(kCalls, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
  }
  isolate->Dispose();
}
BENCHMARK(BM_GuestToHostFloor);

}  // namespace
