// sequenceModule(): the module is written section by section in the wasm binary format (types,
// imports, one function, its export, its code).
#include "runtime/sequence_module.h"

#include <iterator>
#include <optional>
#include <string>

#include "common/function_ref.h"
#include "runtime/import_wrapper_module.h"
#include "runtime/wasm_writer.h"

namespace wasmgate::runtime {
using namespace wasm_writer;

namespace {

// The optional imports of a chain module, after "seq" "0" .. "seq" "count-1".
struct ChainImports {
  std::optional<uint32_t> next_type;  // "seq" "next", of this type
  // "host" "fast" (of this type) and the immutable i64 global "host" "chain" (global 0, so that
  // "step" is global 1); then "run" calls a second defined function, of type *next_type, that
  // asks the fast path first (putFastNext).
  std::optional<uint32_t> fast_type;
};

uint32_t importedFunctions(uint32_t count, const ChainImports& extra) {
  return count + (extra.next_type ? 1 : 0) + (extra.fast_type ? 1 : 0);
}
// The function "run" calls after each plugin: "seq" "next", or the fast path's wrapper of it.
uint32_t nextFunction(uint32_t count, const ChainImports& extra) {
  return extra.fast_type ? importedFunctions(count, extra) + 1 : count;
}
uint32_t stepGlobal(const ChainImports& extra) { return extra.fast_type ? 1 : 0; }

// What every chain module has after its types: imports "seq" "0" .. "seq" "count-1" (of the
// types `import_type` gives), then `extra`'s; the function "run" (of type `run_type`) after the
// imports, and the fast path's "next" after it; the mutable i32 global "step"; and the exports
// of "run" and "step".
void putChainSections(std::vector<uint8_t>& out, uint32_t count, FunctionRef<uint32_t(uint32_t)> import_type,
                      const ChainImports& extra, uint32_t run_type) {
  std::vector<uint8_t> imports;
  putLeb(imports, importedFunctions(count, extra) + (extra.fast_type ? 1 : 0));
  for (uint32_t i = 0; i < count; ++i) {
    putName(imports, "seq");
    putName(imports, std::to_string(i));
    imports.push_back(0x00);  // a function
    putLeb(imports, import_type(i));
  }
  if (extra.next_type) {
    putName(imports, "seq");
    putName(imports, "next");
    imports.push_back(0x00);
    putLeb(imports, *extra.next_type);
  }
  if (extra.fast_type) {
    putName(imports, "host");
    putName(imports, "fast");
    imports.push_back(0x00);
    putLeb(imports, *extra.fast_type);
    putName(imports, "host");
    putName(imports, "chain");
    imports.insert(imports.end(), {0x03, 0x7e, 0x00});  // an immutable i64 global
  }
  putSection(out, kImport, imports);

  std::vector<uint8_t> functions;
  putLeb(functions, extra.fast_type ? 2 : 1);
  putLeb(functions, run_type);
  if (extra.fast_type) putLeb(functions, *extra.next_type);
  putSection(out, kFunction, functions);

  // "step": the index of the function being called, so a trap can be named.
  std::vector<uint8_t> globals = {0x01, 0x7f, 0x01, 0x41, 0x00, 0x0b};  // (mut i32) (i32.const 0)
  putSection(out, kGlobal, globals);

  std::vector<uint8_t> exports;
  exports.reserve(16);
  putLeb(exports, 2);
  putName(exports, "run");
  putLeb(exports, 0x00);  // a function: run follows the imported functions
  putLeb(exports, importedFunctions(count, extra));
  putName(exports, "step");
  putLeb(exports, 0x03);  // a global
  putLeb(exports, stepGlobal(extra));
  putSection(out, kExport, exports);
}

// The two shapes of a header callback: (id, num_headers, end_of_stream) -> action, and ABI
// 0.1.0's, without end_of_stream.
const FuncSig& headersWithEnd() {
  static const FuncSig sig{{ValType::I32, ValType::I32, ValType::I32}, {ValType::I32}};
  return sig;
}
const FuncSig& headersWithoutEnd() {
  static const FuncSig sig{{ValType::I32, ValType::I32}, {ValType::I32}};
  return sig;
}
bool isHeaderCallback(const FuncSig& sig) { return sig == headersWithEnd() || sig == headersWithoutEnd(); }

// An instruction with one unsigned immediate: local.get, local.set, local.tee, call, global.set.
void putOp(std::vector<uint8_t>& body, uint8_t op, uint32_t immediate) {
  body.push_back(op);
  putLeb(body, immediate);
}
void putI32Const(std::vector<uint8_t>& body, uint32_t value) {
  body.push_back(0x41);
  putSignedLeb(body, static_cast<int32_t>(value));
}
// step = `step`, so a trap names the import that was running.
void putSetStep(std::vector<uint8_t>& body, const ChainImports& extra, uint32_t step) {
  putI32Const(body, step);
  putOp(body, kGlobalSet, stepGlobal(extra));
}

// The fast path's "next" (result, index) -> i32, or -> i64 when `wide`: "host" "fast" with the
// chain's handle and kFastChainNext; on kFastRetry, "seq" "next" with the same arguments. A wide
// answer takes its high half from a second fast call (kFastChainHigh).
std::vector<uint8_t> fastNextBody(uint32_t count, bool wide) {
  const uint32_t slow = count, fast = count + 1, answer = 2;
  auto putFastCall = [&](std::vector<uint8_t>& body, uint32_t index, bool with_args) {
    putOp(body, kGlobalGet, 0);  // the chain's handle
    putI32Const(body, index);
    for (uint32_t p = 0; p < kFastParams; ++p) {
      if (with_args && p < 2) {
        putOp(body, kLocalGet, 1 - p);  // the callback's index, then its result
      } else {
        putI32Const(body, 0);
      }
    }
    putOp(body, kCall, fast);
  };
  std::vector<uint8_t> body = {0x01, 0x01, 0x7f};  // one local: `answer` (i32)
  putFastCall(body, kFastChainNext, true);
  putOp(body, kLocalTee, answer);
  putI32Const(body, kFastRetry);
  body.insert(body.end(), {kI32Eq, kIf, wide ? kI64Block : kI32Block});
  putOp(body, kLocalGet, 0);
  putOp(body, kLocalGet, 1);
  putOp(body, kCall, slow);
  body.push_back(kElse);
  if (wide) {
    putFastCall(body, kFastChainHigh, false);
    body.push_back(kI64ExtendI32U);
    body.insert(body.end(), {kI64Const, 32, kI64Shl});
    putOp(body, kLocalGet, answer);
    body.insert(body.end(), {kI64ExtendI32U, kI64Or});
  } else {
    putOp(body, kLocalGet, answer);
  }
  body.push_back(kEnd);  // the if
  body.push_back(kEnd);  // the function
  return body;
}

// Ends "run"'s body and writes the code section holding it (and the fast path's "next").
void putCode(std::vector<uint8_t>& out, std::vector<uint8_t> run_body, const std::vector<uint8_t>* fast_next = nullptr) {
  run_body.push_back(kEnd);
  std::vector<uint8_t> code;
  putLeb(code, fast_next != nullptr ? 2 : 1);
  putFunctionBody(code, run_body);
  if (fast_next != nullptr) putFunctionBody(code, *fast_next);
  putSection(out, kCode, code);
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
  std::vector<uint8_t> out(std::begin(kMagicAndVersion), std::end(kMagicAndVersion));

  // Types: one per import (index i), then run's (index count).
  std::vector<uint8_t> types;
  putLeb(types, count + 1);
  for (const FuncSig& s : sigs) putFuncType(types, s);
  putFuncType(types, sequenceSignature(sigs));
  putSection(out, kType, types);

  const ChainImports none;
  putChainSections(out, count, [](uint32_t i) { return i; }, none, count);

  // run: local.get each import's arguments, call it, drop what it returns (except the last).
  std::vector<uint8_t> body;
  putLeb(body, 0);  // no locals besides the parameters
  uint32_t param = 0;
  for (uint32_t i = 0; i < count; ++i) {
    putSetStep(body, none, i);
    for (size_t p = 0; p < sigs[i].params.size(); ++p) putOp(body, kLocalGet, param++);
    putOp(body, kCall, i);
    if (i + 1 < count) {
      for (size_t r = 0; r < sigs[i].results.size(); ++r) body.push_back(0x1a);  // drop
    }
  }
  putCode(out, std::move(body));
  return out;
}

std::vector<uint8_t> headerChainModule(std::span<const FuncSig> sigs, bool fast_next) {
  const FuncSig next_sig{{ValType::I32, ValType::I32}, {ValType::I32}};
  const auto count = static_cast<uint32_t>(sigs.size());
  if (count == 0) return {};
  FuncSig run_sig{{ValType::I32, ValType::I32}, {}};
  for (const FuncSig& s : sigs) {
    if (!isHeaderCallback(s)) return {};
    run_sig.params.push_back(ValType::I32);
  }
  std::vector<uint8_t> out(std::begin(kMagicAndVersion), std::end(kMagicAndVersion));

  // Types: 0 and 1 the two callback shapes, 2 "next", 3 "run", 4 "host" "fast".
  std::vector<uint8_t> types;
  putLeb(types, fast_next ? 5 : 4);
  putFuncType(types, headersWithEnd());
  putFuncType(types, headersWithoutEnd());
  putFuncType(types, next_sig);
  putFuncType(types, run_sig);
  if (fast_next) putFuncType(types, fastHostSignature());
  putSection(out, kType, types);

  // Imports: the callbacks (functions 0 .. count-1), then "next" (function count).
  const ChainImports extra{2, fast_next ? std::optional<uint32_t>(4) : std::nullopt};
  putChainSections(out, count, [&](uint32_t i) -> uint32_t { return sigs[i] == headersWithEnd() ? 0 : 1; }, extra, 3);

  // Parameters: 0 num_headers, 1 end_of_stream, 2 + i the id of callback i; local `headers`
  // (index count + 2) holds the count the next callback gets.
  const uint32_t headers = count + 2;
  std::vector<uint8_t> body;
  putLeb(body, 1);  // one local declaration: one i32
  putLeb(body, 1);
  body.push_back(0x7f);
  putOp(body, kLocalGet, 0);
  putOp(body, kLocalSet, headers);
  for (uint32_t i = 0; i < count; ++i) {
    putSetStep(body, extra, i);
    putOp(body, kLocalGet, 2 + i);  // id_i
    putOp(body, kLocalGet, headers);
    if (sigs[i] == headersWithEnd()) putOp(body, kLocalGet, 1);  // end_of_stream
    putOp(body, kCall, i);  // callback i: its result stays on the stack for next
    putI32Const(body, i);
    putOp(body, kCall, nextFunction(count, extra));
    putOp(body, kLocalTee, headers);
    body.insert(body.end(), {0x45, 0x0d, 0x00});  // i32.eqz; br_if 0 (return)
    putOp(body, kLocalGet, headers);                // headers = headers - 1
    body.insert(body.end(), {0x41, 0x01, 0x6b});
    putOp(body, kLocalSet, headers);
  }
  const std::vector<uint8_t> fast_body = fastNextBody(count, false);
  putCode(out, std::move(body), fast_next ? &fast_body : nullptr);
  return out;
}

std::vector<uint8_t> startChainModule(std::span<const FuncSig> sigs, bool fast_next) {
  const FuncSig create{{ValType::I32, ValType::I32}, {}};
  const FuncSig next_sig{{ValType::I32, ValType::I32}, {ValType::I64}};
  if (sigs.empty() || sigs.size() % 2 != 0) return {};
  const auto plugins = static_cast<uint32_t>(sigs.size() / 2);
  FuncSig run_sig{{ValType::I32, ValType::I32, ValType::I32}, {}};
  for (uint32_t i = 0; i < plugins; ++i) {
    if (!(sigs[2 * i] == create) || !isHeaderCallback(sigs[2 * i + 1])) return {};
    run_sig.params.push_back(ValType::I32);
  }
  std::vector<uint8_t> out(std::begin(kMagicAndVersion), std::end(kMagicAndVersion));

  // Types: 0 create, 1 and 2 the header callback shapes, 3 "next", 4 "run", 5 "host" "fast".
  std::vector<uint8_t> types;
  putLeb(types, fast_next ? 6 : 5);
  putFuncType(types, create);
  putFuncType(types, headersWithEnd());
  putFuncType(types, headersWithoutEnd());
  putFuncType(types, next_sig);
  putFuncType(types, run_sig);
  if (fast_next) putFuncType(types, fastHostSignature());
  putSection(out, kType, types);

  const auto count = static_cast<uint32_t>(sigs.size());  // "next" is function `count`
  const ChainImports extra{3, fast_next ? std::optional<uint32_t>(5) : std::nullopt};
  putChainSections(
      out, count, [&](uint32_t i) -> uint32_t { return i % 2 == 0 ? 0 : sigs[i] == headersWithEnd() ? 1 : 2; }, extra,
      4);

  // Parameters: 0 num_headers, 1 end_of_stream, 2 id_0, 3 + i root_i. Locals: `id` and
  // `headers` (i32) for the plugin about to run, `answer` (i64) from "next".
  const uint32_t id = plugins + 3, headers = plugins + 4, answer = plugins + 5;
  std::vector<uint8_t> body;
  putLeb(body, 2);  // local declarations: two i32, one i64
  putLeb(body, 2);
  body.push_back(0x7f);
  putLeb(body, 1);
  body.push_back(0x7e);
  putOp(body, kLocalGet, 2);
  putOp(body, kLocalSet, id);
  putOp(body, kLocalGet, 0);
  putOp(body, kLocalSet, headers);
  for (uint32_t i = 0; i < plugins; ++i) {
    putSetStep(body, extra, 2 * i);
    putOp(body, kLocalGet, id);
    putOp(body, kLocalGet, 3 + i);  // root_i
    putOp(body, kCall, 2 * i);      // proxy_on_context_create
    putSetStep(body, extra, 2 * i + 1);
    putOp(body, kLocalGet, id);
    putOp(body, kLocalGet, headers);
    if (sigs[2 * i + 1] == headersWithEnd()) putOp(body, kLocalGet, 1);
    putOp(body, kCall, 2 * i + 1);  // proxy_on_request_headers: its result stays for next
    putI32Const(body, i);
    putOp(body, kCall, nextFunction(count, extra));
    putOp(body, kLocalTee, answer);
    body.insert(body.end(), {0x50, 0x0d, 0x00});  // i64.eqz; br_if 0 (return)
    putOp(body, kLocalGet, answer);
    body.insert(body.end(), {0xa7, 0x41, 0x01, 0x6b});  // i32.wrap_i64; i32.const 1; i32.sub
    putOp(body, kLocalSet, headers);
    putOp(body, kLocalGet, answer);
    body.insert(body.end(), {0x42, 0x20, 0x88, 0xa7});  // i64.const 32; i64.shr_u; i32.wrap_i64
    putOp(body, kLocalSet, id);
  }
  const std::vector<uint8_t> fast_body = fastNextBody(count, true);
  putCode(out, std::move(body), fast_next ? &fast_body : nullptr);
  return out;
}

}  // namespace wasmgate::runtime
