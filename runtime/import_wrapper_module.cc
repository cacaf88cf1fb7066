// importWrapperModule(): types, imports, one wrapper per import, the table, the exports and the
// code, in the wasm binary format.
#include "runtime/import_wrapper_module.h"

#include <initializer_list>
#include <iterator>
#include <string>

#include "runtime/wasm_writer.h"

namespace wasmgate::runtime {
using namespace wasm_writer;

namespace {

constexpr uint32_t kAllocType = 0;  // (i32) -> i32: the allocator and "complete"
constexpr uint32_t kCompleteFunc = 0;
constexpr uint32_t kInstanceGlobal = 0;

FuncSig importSig(const WrappedImport& w) {
  FuncSig sig{std::vector<ValType>(w.params, ValType::I32), {}};
  if (w.has_result) sig.results.push_back(ValType::I32);
  return sig;
}

FuncSig fastSig(uint32_t params) {
  FuncSig sig{std::vector<ValType>(params + 2, ValType::I32), {ValType::I32}};
  sig.params[0] = ValType::I64;
  return sig;
}

// The function indices the wrappers call.
struct Layout {
  bool any_fast = false;  // then function 1 is "host" "fast"
  uint32_t count = 0;     // wrappers

  uint32_t fastFunction() const { return 1; }
  uint32_t hostFunction(uint32_t k) const { return 1 + (any_fast ? 1 : 0) + k; }
  uint32_t wrapper(uint32_t k) const { return hostFunction(count) + k; }
};

// push_back rather than insert(): GCC 12 warns (wrongly) about insert() of a short list here.
void putBytes(std::vector<uint8_t>& body, std::initializer_list<uint8_t> bytes) {
  for (uint8_t b : bytes) body.push_back(b);
}

void putConst(std::vector<uint8_t>& body, int32_t value) {
  body.push_back(kI32Const);
  putSignedLeb(body, value);
}

void putLocal(std::vector<uint8_t>& body, uint8_t op, uint32_t local) {
  body.push_back(op);
  putLeb(body, local);
}

void putArgs(std::vector<uint8_t>& body, uint32_t params) {
  for (uint32_t p = 0; p < params; ++p) putLocal(body, kLocalGet, p);
}

// if (r == answer) { ... }: opens the block; the caller closes it.
void putIfAnswer(std::vector<uint8_t>& body, uint32_t r, uint32_t answer) {
  putLocal(body, kLocalGet, r);
  putConst(body, static_cast<int32_t>(answer));
  putBytes(body, {kI32Eq, kIf, kVoidBlock});
}

// Wrapper k. Fast: r = fast(instance, index, args..., 0...); r == kFastTrap traps; r == kFastRetry calls
// host_k(args...) instead. Otherwise r = host_k(args...). Copying: r < 0 returns
// complete(alloc(r & 0x7fffffff)). Then returns r (if the import has a result).
std::vector<uint8_t> wrapperBody(const Layout& layout, uint32_t k, const WrappedImport& w) {
  const uint32_t r = w.params;  // the one local after the parameters
  std::vector<uint8_t> body = {0x01, 0x01, 0x7f};  // one group of locals: 1 x i32
  if (w.fast) {
    putBytes(body, {kGlobalGet, kInstanceGlobal});
    putConst(body, static_cast<int32_t>(w.index));
    putArgs(body, w.params);
    for (uint32_t p = w.params; p < kFastParams; ++p) putConst(body, 0);
    putLocal(body, kCall, layout.fastFunction());
    putLocal(body, kLocalSet, r);
    putIfAnswer(body, r, kFastTrap);
    putBytes(body, {kUnreachable, kEnd});
    putIfAnswer(body, r, kFastRetry);
  }
  putArgs(body, w.params);
  putLocal(body, kCall, layout.hostFunction(k));
  if (w.has_result) {
    putLocal(body, kLocalSet, r);
  } else if (w.fast) {
    putConst(body, 0);
    putLocal(body, kLocalSet, r);
  }
  if (w.fast) body.push_back(kEnd);
  if (w.copying) {
    putLocal(body, kLocalGet, r);
    putConst(body, 0);
    putBytes(body, {kI32LtS, kIf, kVoidBlock});
    putLocal(body, kLocalGet, r);
    putConst(body, static_cast<int32_t>(~kCopyOutPending));
    body.push_back(kI32And);  // the size
    putConst(body, 0);        // table slot
    body.push_back(kCallIndirect);
    putLeb(body, kAllocType);
    body.push_back(0x00);  // table 0
    if (w.fast) {  // fast(instance, kFastComplete, address, 0, ...)
      putLocal(body, kLocalSet, r);
      putBytes(body, {kGlobalGet, kInstanceGlobal});
      putConst(body, static_cast<int32_t>(kFastComplete));
      putLocal(body, kLocalGet, r);
      for (uint32_t p = 1; p < kFastParams; ++p) putConst(body, 0);
      putLocal(body, kCall, layout.fastFunction());
    } else {
      putLocal(body, kCall, kCompleteFunc);
    }
    putBytes(body, {kReturn, kEnd});
  }
  if (w.has_result) putLocal(body, kLocalGet, r);
  body.push_back(kEnd);
  return body;
}

}  // namespace

std::vector<uint8_t> importWrapperModule(std::span<const WrappedImport> imports) {
  Layout layout;
  layout.count = static_cast<uint32_t>(imports.size());
  for (const WrappedImport& w : imports) layout.any_fast = layout.any_fast || w.fast;
  const uint32_t fast_count = layout.any_fast ? 1 : 0;
  std::vector<uint8_t> out(std::begin(kMagicAndVersion), std::end(kMagicAndVersion));

  // Types: 0 is (i32) -> i32; 1 "fast"'s if any; 1 + fast_count + k wrapper k's.
  std::vector<uint8_t> types;
  putLeb(types, 1 + fast_count + layout.count);
  putFuncType(types, FuncSig{{ValType::I32}, {ValType::I32}});
  if (layout.any_fast) putFuncType(types, fastSig(kFastParams));
  for (const WrappedImport& w : imports) putFuncType(types, importSig(w));
  putSection(out, kType, types);

  std::vector<uint8_t> section;
  putLeb(section, (fast_count > 0 ? 1 : 0) + 1 + fast_count + layout.count);
  if (layout.any_fast) {
    putName(section, "host");
    putName(section, "instance");
    putBytes(section, {0x03, 0x7e, 0x00});  // an immutable i64 global
  }
  putName(section, "host");
  putName(section, "complete");
  section.push_back(0x00);
  putLeb(section, kAllocType);
  if (layout.any_fast) {
    putName(section, "host");
    putName(section, "fast");
    section.push_back(0x00);
    putLeb(section, 1);
  }
  for (uint32_t k = 0; k < layout.count; ++k) {
    putName(section, "host");
    putName(section, std::to_string(k));
    section.push_back(0x00);
    putLeb(section, 1 + fast_count + k);
  }
  putSection(out, kImport, section);

  section.clear();  // wrapper k is function layout.wrapper(k), of type 1 + fast_count + k
  putLeb(section, layout.count);
  for (uint32_t k = 0; k < layout.count; ++k) putLeb(section, 1 + fast_count + k);
  putSection(out, kFunction, section);

  putSection(out, kTable, {0x01, 0x70, 0x00, 0x01});  // one table: funcref, min 1, no max

  section.clear();
  putLeb(section, layout.count + 1);
  for (uint32_t k = 0; k < layout.count; ++k) {
    putName(section, std::to_string(k));
    section.push_back(0x00);
    putLeb(section, layout.wrapper(k));
  }
  putName(section, "alloc");
  section.push_back(0x01);  // a table
  putLeb(section, 0);
  putSection(out, kExport, section);

  section.clear();
  putLeb(section, layout.count);
  for (uint32_t k = 0; k < layout.count; ++k) putFunctionBody(section, wrapperBody(layout, k, imports[k]));
  putSection(out, kCode, section);
  return out;
}

FuncSig fastHostSignature() { return fastSig(kFastParams); }

std::vector<uint8_t> fastTrampolineModule() {
  std::vector<uint8_t> out(std::begin(kMagicAndVersion), std::end(kMagicAndVersion));
  std::vector<uint8_t> section = {0x01};  // one type
  putFuncType(section, fastSig(kFastParams));
  putSection(out, kType, section);

  section = {0x01};  // one import: function 0
  putName(section, "host");
  putName(section, "fast");
  putBytes(section, {0x00, 0x00});
  putSection(out, kImport, section);

  putSection(out, kFunction, {0x01, 0x00});  // function 1, of type 0

  section = {0x01};
  putName(section, "fast");
  putBytes(section, {0x00, 0x01});
  putSection(out, kExport, section);

  std::vector<uint8_t> body = {0x00};  // no locals
  putArgs(body, kFastParams + 2);
  putLocal(body, kCall, 0);
  body.push_back(kEnd);
  section = {0x01};
  putFunctionBody(section, body);
  putSection(out, kCode, section);
  return out;
}

}  // namespace wasmgate::runtime
