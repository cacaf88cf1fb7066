// V8's fast API call types (v8-fast-api-calls.h), which Debian's libnode-dev does not ship.
//
// A FunctionTemplate given a CFunction lets V8 call that C function directly from the wasm import
// wrapper it compiles, instead of going through the JS-API callback machinery (~400 instructions
// a call in V8 10.2). Where the header exists it is used. Otherwise, for V8 10.2 only, the three
// types are declared here as that release lays them out: CTypeInfo is three bytes (type, sequence
// type, flags; the Type values are V8 10.2's, kV8Value = 8 as in libnode's own instance of the
// API), and CFunctionInfo and CFunction are built by the constructors libnode exports. A wrong
// declaration shows in tests/runtime/v8_fast_call_test.cc: V8 turns the signature down (the calls
// go through the JS-API callback) or the arguments arrive wrong. Any other V8 without the header
// gets no fast path (WASMGATE_V8_FAST_API 0).
//
// Internal to runtime/v8/.
#pragma once

#include <cstdint>

#include <v8-version.h>
#include <v8config.h>

#if __has_include(<v8-fast-api-calls.h>)
#include <v8-fast-api-calls.h>
#define WASMGATE_V8_FAST_API 1
#elif V8_MAJOR_VERSION == 10 && V8_MINOR_VERSION == 2
namespace v8 {

class CTypeInfo {
 public:
  enum class Type : uint8_t { kVoid, kBool, kInt32, kUint32, kInt64, kUint64, kFloat32, kFloat64, kV8Value };
  enum class SequenceType : uint8_t { kScalar };
  enum class Flags : uint8_t { kNone = 0 };
  explicit constexpr CTypeInfo(Type type) : type_(type), sequence_type_(SequenceType::kScalar), flags_(Flags::kNone) {}
  constexpr Type GetType() const { return type_; }

 private:
  Type type_;
  SequenceType sequence_type_;
  Flags flags_;
};

class V8_EXPORT CFunctionInfo {
 public:
  CFunctionInfo(const CTypeInfo& return_info, unsigned int arg_count, const CTypeInfo* arg_info);

 private:
  const CTypeInfo return_info_;
  const unsigned int arg_count_;
  const CTypeInfo* arg_info_;
};

class V8_EXPORT CFunction {
 public:
  CFunction(const void* address, const CFunctionInfo* type_info);

 private:
  const void* address_;
  const CFunctionInfo* type_info_;
};

}  // namespace v8
#define WASMGATE_V8_FAST_API 1
#else
#define WASMGATE_V8_FAST_API 0
#endif
