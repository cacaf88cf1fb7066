// sequenceModule(): the module is written section by section in the wasm binary format (types,
// imports, one function, its export, its code).
#include "runtime/sequence_module.h"

#include <iterator>
#include <string>

#include "runtime/wasm_writer.h"

namespace wasmgate::runtime {
using namespace wasm_writer;

FuncSig sequenceSignature(std::span<const FuncSig> sigs) {
  FuncSig run;
  for (const FuncSig& s : sigs) run.params.insert(run.params.end(), s.params.begin(), s.params.end());
  if (!sigs.empty()) run.results = sigs.back().results;
  return run;
}

std::vector<uint8_t> sequenceModule(std::span<const FuncSig> sigs) {
  const auto count = static_cast<uint32_t>(sigs.size());
  std::vector<uint8_t> out(std::begin(kMagicAndVersion), std::end(kMagicAndVersion));

  // Types: one per import (index i), then run's (index count).
  std::vector<uint8_t> types;
  putLeb(types, count + 1);
  for (const FuncSig& s : sigs) putFuncType(types, s);
  putFuncType(types, sequenceSignature(sigs));
  putSection(out, kType, types);

  std::vector<uint8_t> imports;
  putLeb(imports, count);
  for (uint32_t i = 0; i < count; ++i) {
    putName(imports, "seq");
    putName(imports, std::to_string(i));
    imports.push_back(0x00);  // a function
    putLeb(imports, i);
  }
  putSection(out, kImport, imports);

  std::vector<uint8_t> functions;
  putLeb(functions, 1);
  putLeb(functions, count);
  putSection(out, kFunction, functions);

  // global 0 "step": the index of the function being called, so a trap can be named.
  std::vector<uint8_t> globals = {0x01, 0x7f, 0x01, 0x41, 0x00, 0x0b};  // (mut i32) (i32.const 0)
  putSection(out, kGlobal, globals);

  std::vector<uint8_t> exports;
  putLeb(exports, 2);
  putName(exports, "run");
  exports.push_back(0x00);
  putLeb(exports, count);  // run follows the imported functions
  putName(exports, "step");
  exports.push_back(0x03);  // a global
  putLeb(exports, 0);
  putSection(out, kExport, exports);

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
  putFunctionBody(code, body);
  putSection(out, kCode, code);
  return out;
}

}  // namespace wasmgate::runtime
