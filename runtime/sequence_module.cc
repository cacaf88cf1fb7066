// sequenceModule(): the module is written section by section in the wasm binary format (types,
// imports, one function, its export, its code).
#include "runtime/sequence_module.h"

#include <string>
#include <string_view>

namespace wasmgate::runtime {
namespace {

void putLeb(std::vector<uint8_t>& out, uint32_t value) {
  do {
    uint8_t byte = value & 0x7f;
    value >>= 7;
    if (value != 0) byte |= 0x80;
    out.push_back(byte);
  } while (value != 0);
}

void putSignedLeb(std::vector<uint8_t>& out, int32_t value) {
  while (true) {
    uint8_t byte = value & 0x7f;
    value >>= 7;
    const bool done = (value == 0 && !(byte & 0x40)) || (value == -1 && (byte & 0x40));
    out.push_back(done ? byte : byte | 0x80);
    if (done) return;
  }
}

uint8_t typeCode(ValType t) {
  switch (t) {
    case ValType::I64: return 0x7e;
    case ValType::F32: return 0x7d;
    case ValType::F64: return 0x7c;
    default: return 0x7f;  // i32 (the caller passes word types only)
  }
}

void putName(std::vector<uint8_t>& out, std::string_view name) {
  putLeb(out, static_cast<uint32_t>(name.size()));
  out.insert(out.end(), name.begin(), name.end());
}

void putFuncType(std::vector<uint8_t>& out, const FuncSig& sig) {
  out.push_back(0x60);
  putLeb(out, static_cast<uint32_t>(sig.params.size()));
  for (ValType t : sig.params) out.push_back(typeCode(t));
  putLeb(out, static_cast<uint32_t>(sig.results.size()));
  for (ValType t : sig.results) out.push_back(typeCode(t));
}

void putSection(std::vector<uint8_t>& out, uint8_t id, const std::vector<uint8_t>& body) {
  out.push_back(id);
  putLeb(out, static_cast<uint32_t>(body.size()));
  out.insert(out.end(), body.begin(), body.end());
}

}  // namespace

FuncSig sequenceSignature(std::span<const FuncSig> sigs) {
  FuncSig run;
  for (const FuncSig& s : sigs) run.params.insert(run.params.end(), s.params.begin(), s.params.end());
  if (!sigs.empty()) run.results = sigs.back().results;
  return run;
}

std::vector<uint8_t> sequenceModule(std::span<const FuncSig> sigs) {
  const auto count = static_cast<uint32_t>(sigs.size());
  std::vector<uint8_t> out = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};

  // Types: one per import (index i), then run's (index count).
  std::vector<uint8_t> types;
  putLeb(types, count + 1);
  for (const FuncSig& s : sigs) putFuncType(types, s);
  putFuncType(types, sequenceSignature(sigs));
  putSection(out, 1, types);

  std::vector<uint8_t> imports;
  putLeb(imports, count);
  for (uint32_t i = 0; i < count; ++i) {
    putName(imports, "seq");
    putName(imports, std::to_string(i));
    imports.push_back(0x00);  // a function
    putLeb(imports, i);
  }
  putSection(out, 2, imports);

  std::vector<uint8_t> functions;
  putLeb(functions, 1);
  putLeb(functions, count);
  putSection(out, 3, functions);

  // global 0 "step": the index of the function being called, so a trap can be named.
  std::vector<uint8_t> globals = {0x01, 0x7f, 0x01, 0x41, 0x00, 0x0b};  // (mut i32) (i32.const 0)
  putSection(out, 6, globals);

  std::vector<uint8_t> exports;
  putLeb(exports, 2);
  putName(exports, "run");
  exports.push_back(0x00);
  putLeb(exports, count);  // run follows the imported functions
  putName(exports, "step");
  exports.push_back(0x03);  // a global
  putLeb(exports, 0);
  putSection(out, 7, exports);

  // run: local.get each import's arguments, call it, drop what it returns (except the last).
  std::vector<uint8_t> body;
  putLeb(body, 0);  // no locals besides the parameters
  uint32_t param = 0;
  for (uint32_t i = 0; i < count; ++i) {
    body.push_back(0x41);  // i32.const i
    putSignedLeb(body, static_cast<int32_t>(i));
    body.push_back(0x24);  // global.set step
    putLeb(body, 0);
    for (size_t p = 0; p < sigs[i].params.size(); ++p) {
      body.push_back(0x20);  // local.get
      putLeb(body, param++);
    }
    body.push_back(0x10);  // call
    putLeb(body, i);
    if (i + 1 < count) {
      for (size_t r = 0; r < sigs[i].results.size(); ++r) body.push_back(0x1a);  // drop
    }
  }
  body.push_back(0x0b);  // end
  std::vector<uint8_t> code;
  putLeb(code, 1);
  putLeb(code, static_cast<uint32_t>(body.size()));
  code.insert(code.end(), body.begin(), body.end());
  putSection(out, 10, code);
  return out;
}

}  // namespace wasmgate::runtime
