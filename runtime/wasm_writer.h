// Pieces of the wasm binary format for the small modules the runtime generates itself
// (sequence_module.cc, import_wrapper_module.cc): LEB128 numbers, names, function types, sections.
//
// Internal to runtime/.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "runtime/module_info.h"

namespace wasmgate::runtime::wasm_writer {

inline constexpr uint8_t kMagicAndVersion[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};

enum Section : uint8_t { kType = 1, kImport = 2, kFunction = 3, kTable = 4, kGlobal = 6, kExport = 7, kCode = 10 };

// The opcodes (and block types) the generated modules use.
inline constexpr uint8_t kUnreachable = 0x00, kIf = 0x04, kElse = 0x05, kEnd = 0x0b, kReturn = 0x0f, kCall = 0x10,
                         kCallIndirect = 0x11, kLocalGet = 0x20, kLocalSet = 0x21, kLocalTee = 0x22, kGlobalGet = 0x23,
                         kGlobalSet = 0x24, kI32Const = 0x41, kI64Const = 0x42, kI32Eq = 0x46, kI32LtS = 0x48,
                         kI32And = 0x71, kI64Or = 0x84, kI64Shl = 0x86, kI64ExtendI32U = 0xad;
inline constexpr uint8_t kVoidBlock = 0x40, kI32Block = 0x7f, kI64Block = 0x7e;

inline void putLeb(std::vector<uint8_t>& out, uint32_t value) {
  do {
    uint8_t byte = value & 0x7f;
    value >>= 7;
    if (value != 0) byte |= 0x80;
    out.push_back(byte);
  } while (value != 0);
}

inline void putSignedLeb(std::vector<uint8_t>& out, int32_t value) {
  while (true) {
    uint8_t byte = value & 0x7f;
    value >>= 7;
    const bool done = (value == 0 && !(byte & 0x40)) || (value == -1 && (byte & 0x40));
    out.push_back(done ? byte : byte | 0x80);
    if (done) return;
  }
}

inline uint8_t typeCode(ValType t) {
  switch (t) {
    case ValType::I64: return 0x7e;
    case ValType::F32: return 0x7d;
    case ValType::F64: return 0x7c;
    default: return 0x7f;  // i32 (callers pass word types only)
  }
}

inline void putName(std::vector<uint8_t>& out, std::string_view name) {
  putLeb(out, static_cast<uint32_t>(name.size()));
  out.insert(out.end(), name.begin(), name.end());
}

inline void putFuncType(std::vector<uint8_t>& out, const FuncSig& sig) {
  out.push_back(0x60);
  putLeb(out, static_cast<uint32_t>(sig.params.size()));
  for (ValType t : sig.params) out.push_back(typeCode(t));
  putLeb(out, static_cast<uint32_t>(sig.results.size()));
  for (ValType t : sig.results) out.push_back(typeCode(t));
}

inline void putSection(std::vector<uint8_t>& out, Section id, const std::vector<uint8_t>& body) {
  out.push_back(id);
  putLeb(out, static_cast<uint32_t>(body.size()));
  out.insert(out.end(), body.begin(), body.end());
}

// A code-section entry: the body's size, then the body (locals declaration, instructions, end).
inline void putFunctionBody(std::vector<uint8_t>& code, const std::vector<uint8_t>& body) {
  putLeb(code, static_cast<uint32_t>(body.size()));
  code.insert(code.end(), body.begin(), body.end());
}

}  // namespace wasmgate::runtime::wasm_writer
