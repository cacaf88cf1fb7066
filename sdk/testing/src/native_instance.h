// One instance of a native plugin library (see native_engine.h): the library's own copy of its
// globals, its exports as function pointers, and the exchange arena that plays its linear memory
// for the runtime's host functions.
//
// Harness-internal header. Thread affinity: the thread of the worker that created it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/engine.h"

namespace wasmgate::testing::native {

// A loaded copy of a plugin library, dlclose'd (and its temporary copy removed) when destroyed;
// sanitizer builds keep it loaded (see kUnloadLibraries) and remove a copy's file at once.
class Library {
 public:
  static Result<std::unique_ptr<Library>> open(const std::string& path);
  ~Library();
  void* symbol(const char* name) const;
  const std::string& loadedFrom() const { return loaded_path_; }

 private:
  Library(void* handle, std::string path, std::string loaded_path);
  void* handle_;
  std::string path_;         // the plugin's library file
  std::string loaded_path_;  // the file dlopen'ed: path_, or a temporary copy of it
};

struct NativeExport {
  std::string name;
  runtime::FuncSig sig;
  void* fn = nullptr;  // nullptr: the arena allocator, exported as "malloc"
};

class NativeInstance final : public runtime::Instance {
 public:
  // `imports` is indexed by import id (importShapes()); nullptr where the runtime has none.
  NativeInstance(std::unique_ptr<Library> library, std::vector<NativeExport> exports,
                 std::vector<const runtime::HostFunction*> imports);
  ~NativeInstance() override;

  std::span<uint8_t> memory() override { return {arena_.data(), arena_.size()}; }
  std::optional<runtime::FunctionHandle> function(std::string_view name) override;
  const runtime::FuncSig& signature(runtime::FunctionHandle f) const override;
  Result<uint64_t> call(runtime::FunctionHandle f, std::span<const uint64_t> args) override;

  // An import the plugin called while this instance runs (see invokeImport).
  uint32_t runImport(size_t id, const uint64_t* words);
  // The instance whose plugin code runs on this thread, or nullptr.
  static NativeInstance* current();

 private:
  // Arena offset of `size` fresh bytes (8-aligned), or 0 if the arena cannot grow that far.
  uint32_t allocate(uint64_t size);

  std::unique_ptr<Library> library_;
  std::vector<NativeExport> exports_;
  std::vector<const runtime::HostFunction*> imports_;
  std::vector<uint8_t> arena_;
  uint64_t top_;
  std::string trap_;  // a host function's trap during the current export call
};

}  // namespace wasmgate::testing::native
