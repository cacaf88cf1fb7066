// Process-wide V8 set-up and small helpers shared by the V8 backend's files.
//
// Internal to runtime/v8/ (the only folder that includes V8 headers). Thread-safe.
#pragma once

#include <string>

#include <v8.h>

#include "runtime/engine.h"

namespace wasmgate::runtime::v8backend {

// Initialises V8 once per process (flags, wasm trap handler, platform); later calls do nothing.
void initializeV8(const EngineOptions& options);

v8::Platform& platform();

// A new isolate for the calling thread, with the process's array-buffer allocator and explicit
// microtasks (no JS promise machinery runs behind a wasm call). The caller disposes it.
v8::Isolate* newIsolate();

// The text of a caught exception: an Error's `message` ("unreachable", "memory access out of
// bounds"), else the value converted to a string.
std::string exceptionMessage(v8::Isolate* isolate, v8::Local<v8::Context> context, v8::Local<v8::Value> exception);

inline v8::Local<v8::String> v8String(v8::Isolate* isolate, std::string_view text) {
  return v8::String::NewFromUtf8(isolate, text.data(), v8::NewStringType::kNormal, static_cast<int>(text.size()))
      .ToLocalChecked();
}

}  // namespace wasmgate::runtime::v8backend
