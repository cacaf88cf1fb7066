// copyOutModule(): types, imports, one wrapper per import, the table, the exports and the code,
// in the wasm binary format.
#include "runtime/copy_out_module.h"

#include <iterator>
#include <string>

#include "runtime/wasm_writer.h"

namespace wasmgate::runtime {
using namespace wasm_writer;

namespace {

constexpr uint32_t kAllocType = 0;  // (i32) -> i32: the allocator and "complete"
constexpr uint32_t kCompleteFunc = 0;

FuncSig i32Function(uint32_t params) { return FuncSig{std::vector<ValType>(params, ValType::I32), {ValType::I32}}; }

// Wrapper k: r = host_k(args...); if r < 0 return complete(alloc(r & 0x7fffffff)); return r.
std::vector<uint8_t> wrapperBody(uint32_t k, uint32_t params) {
  const uint32_t r = params;  // the one local after the parameters
  std::vector<uint8_t> body = {0x01, 0x01, 0x7f};  // one group of locals: 1 x i32
  for (uint32_t p = 0; p < params; ++p) {
    body.push_back(0x20);  // local.get
    putLeb(body, p);
  }
  body.push_back(0x10);  // call host_k
  putLeb(body, 1 + k);
  body.push_back(0x22);  // local.tee r
  putLeb(body, r);
  body.insert(body.end(), {0x41, 0x00, 0x48});  // i32.const 0, i32.lt_s
  body.insert(body.end(), {0x04, 0x40});        // if (no result)
  body.push_back(0x20);                         // local.get r
  putLeb(body, r);
  body.push_back(0x41);  // i32.const 0x7fffffff
  putSignedLeb(body, static_cast<int32_t>(~kCopyOutPending));
  body.push_back(0x71);                         // i32.and: the size
  body.insert(body.end(), {0x41, 0x00});        // i32.const 0: table slot
  body.push_back(0x11);                         // call_indirect
  putLeb(body, kAllocType);
  body.push_back(0x00);                         // table 0
  body.push_back(0x10);                         // call complete
  putLeb(body, kCompleteFunc);
  body.push_back(0x0f);                         // return
  body.push_back(0x0b);                         // end if
  body.push_back(0x20);                         // local.get r
  putLeb(body, r);
  body.push_back(0x0b);                         // end
  return body;
}

}  // namespace

std::vector<uint8_t> copyOutModule(std::span<const uint32_t> param_counts) {
  const auto count = static_cast<uint32_t>(param_counts.size());
  std::vector<uint8_t> out(std::begin(kMagicAndVersion), std::end(kMagicAndVersion));

  std::vector<uint8_t> types;  // 0: (i32) -> i32; 1 + k: wrapper k's
  putLeb(types, count + 1);
  putFuncType(types, i32Function(1));
  for (uint32_t n : param_counts) putFuncType(types, i32Function(n));
  putSection(out, kType, types);

  std::vector<uint8_t> imports;  // function 0: complete; 1 + k: host_k
  putLeb(imports, count + 1);
  putName(imports, "host");
  putName(imports, "complete");
  imports.push_back(0x00);
  putLeb(imports, kAllocType);
  for (uint32_t k = 0; k < count; ++k) {
    putName(imports, "host");
    putName(imports, std::to_string(k));
    imports.push_back(0x00);
    putLeb(imports, 1 + k);
  }
  putSection(out, kImport, imports);

  std::vector<uint8_t> functions;  // wrapper k is function 1 + count + k
  putLeb(functions, count);
  for (uint32_t k = 0; k < count; ++k) putLeb(functions, 1 + k);
  putSection(out, kFunction, functions);

  putSection(out, kTable, {0x01, 0x70, 0x00, 0x01});  // one table: funcref, min 1, no max

  std::vector<uint8_t> exports;
  putLeb(exports, count + 1);
  for (uint32_t k = 0; k < count; ++k) {
    putName(exports, std::to_string(k));
    exports.push_back(0x00);
    putLeb(exports, 1 + count + k);
  }
  putName(exports, "alloc");
  exports.push_back(0x01);  // a table
  putLeb(exports, 0);
  putSection(out, kExport, exports);

  std::vector<uint8_t> code;
  putLeb(code, count);
  for (uint32_t k = 0; k < count; ++k) putFunctionBody(code, wrapperBody(k, param_counts[k]));
  putSection(out, kCode, code);
  return out;
}

}  // namespace wasmgate::runtime
