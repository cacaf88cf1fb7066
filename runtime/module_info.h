// What a .wasm file declares: imports and exports with their signatures, memory, start function,
// custom sections. A pure parser of the WebAssembly binary format (no engine, no I/O), used to
// detect the proxy-wasm ABI version, to check imports against the host before instantiating,
// and by `wasmgate inspect`.
//
// Public header. Thread-safe (no state).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <wasmgate/abi.h>

#include "common/result.h"

namespace wasmgate::runtime {

enum class ValType : uint8_t { I32, I64, F32, F64, V128, FuncRef, ExternRef };

const char* valTypeName(ValType t);

struct FuncSig {
  std::vector<ValType> params;
  std::vector<ValType> results;
  bool operator==(const FuncSig&) const = default;
};

// "(i32, i32) -> i32"
std::string toString(const FuncSig& sig);

enum class ExternKind : uint8_t { Function = 0, Table = 1, Memory = 2, Global = 3, Tag = 4 };

const char* externKindName(ExternKind k);

struct ImportInfo {
  std::string module;
  std::string name;
  ExternKind kind;
  FuncSig sig;  // for functions
};

struct ExportInfo {
  std::string name;
  ExternKind kind;
  FuncSig sig;  // for functions
};

struct MemoryInfo {
  uint64_t min_pages = 0;
  std::optional<uint64_t> max_pages;
  bool imported = false;
};

struct ModuleInfo {
  std::vector<ImportInfo> imports;
  std::vector<ExportInfo> exports;
  std::optional<MemoryInfo> memory;
  std::vector<std::string> custom_sections;  // names, in file order
  bool has_start_section = false;
  size_t size_bytes = 0;

  const ExportInfo* findExport(std::string_view name) const;
  const ImportInfo* findImport(std::string_view module, std::string_view name) const;

  // From the exported proxy_abi_version_* marker. If several are exported, the newest wins.
  abi::AbiVersion abiVersion() const;
  // "_initialize" (WASI reactor) or "_start" (WASI command), or "" if neither is exported.
  std::string_view startFunction() const;
  // "malloc" if exported, else "proxy_on_memory_allocate", else "".
  std::string_view allocator() const;
};

// Parses the binary. Errors name the byte offset and the problem ("not a wasm module: bad magic").
Result<ModuleInfo> parseModule(std::span<const uint8_t> bytes);

}  // namespace wasmgate::runtime
