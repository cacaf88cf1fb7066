// The wasm binary parser on real modules (assembled from tests/wat/engine_*.wat by the build) and
// on malformed bytes: every error names the section, offset and cause; nothing crashes.
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "runtime/import_wrapper_module.h"
#include "runtime/module_info.h"
#include "runtime/sequence_module.h"
#include "tests/runtime/support/wat_modules.h"

namespace wasmgate::runtime {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A module header followed by raw section bytes.
std::vector<uint8_t> module(std::initializer_list<uint8_t> sections) {
  std::vector<uint8_t> bytes = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  for (uint8_t b : sections) bytes.push_back(b);
  return bytes;
}

std::string parseError(const std::vector<uint8_t>& bytes) {
  Result<ModuleInfo> r = parseModule(bytes);
  EXPECT_FALSE(r.ok());
  return r.ok() ? "" : r.message();
}

TEST(ModuleInfo, ReadsImportsExportsAndMemoryOfARealModule) {
  const std::vector<uint8_t> bytes = readWat("engine_basic");
  Result<ModuleInfo> r = parseModule(bytes);
  ASSERT_TRUE(r.ok()) << r.message();
  const ModuleInfo& info = r.value();
  EXPECT_EQ(info.size_bytes, bytes.size());

  ASSERT_EQ(info.imports.size(), 4u);
  EXPECT_EQ(info.imports[0].module, "env");
  EXPECT_EQ(info.imports[0].name, "host_add");
  EXPECT_EQ(info.imports[0].kind, ExternKind::Function);
  EXPECT_EQ(toString(info.imports[0].sig), "(i32, i64) -> i64");
  EXPECT_EQ(toString(info.imports[2].sig), "(i32) -> ()");
  ASSERT_NE(info.findImport("env", "host_reenter"), nullptr);
  EXPECT_EQ(info.findImport("env", "missing"), nullptr);

  const ExportInfo* pair = info.findExport("pair");
  ASSERT_NE(pair, nullptr);
  EXPECT_EQ(toString(pair->sig), "(i32) -> (i32, i64)");
  EXPECT_EQ(toString(info.findExport("add")->sig), "(i32, i32) -> i32");
  EXPECT_EQ(info.findExport("memory")->kind, ExternKind::Memory);

  ASSERT_TRUE(info.memory.has_value());
  EXPECT_EQ(info.memory->min_pages, 1u);
  EXPECT_EQ(info.memory->max_pages, 100u);
  EXPECT_FALSE(info.memory->imported);
  EXPECT_FALSE(info.has_start_section);
  EXPECT_EQ(info.abiVersion(), abi::AbiVersion::V0_2_1);
  EXPECT_EQ(info.startFunction(), "_initialize");
  EXPECT_EQ(info.allocator(), "malloc");
}

TEST(ModuleInfo, NewestAbiMarkerStartSectionAndImportedMemory) {
  Result<ModuleInfo> r = parseModule(readWat("engine_start"));
  ASSERT_TRUE(r.ok()) << r.message();
  const ModuleInfo& info = r.value();
  EXPECT_EQ(info.abiVersion(), abi::AbiVersion::V0_2_100);
  EXPECT_TRUE(info.has_start_section);
  EXPECT_EQ(info.startFunction(), "_start");
  EXPECT_EQ(info.allocator(), "proxy_on_memory_allocate");
  ASSERT_TRUE(info.memory.has_value());
  EXPECT_TRUE(info.memory->imported);
  EXPECT_EQ(info.memory->min_pages, 2u);
  EXPECT_EQ(info.memory->max_pages, 8u);

  ASSERT_EQ(info.imports.size(), 3u);
  EXPECT_EQ(info.imports[0].kind, ExternKind::Memory);
  EXPECT_EQ(toString(info.imports[1].sig), "(i32, i32, i32, i32) -> i32");
  EXPECT_EQ(info.imports[2].kind, ExternKind::Global);
  EXPECT_EQ(info.findExport("table")->kind, ExternKind::Table);
  EXPECT_EQ(info.findExport("answer")->kind, ExternKind::Global);
  EXPECT_EQ(toString(info.findExport("sum")->sig), "(i64, f32, f64) -> f64");
}

TEST(ModuleInfo, ModuleWithoutMarkersOrEntryPoints) {
  Result<ModuleInfo> r = parseModule(module({}));
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(r->abiVersion(), abi::AbiVersion::Unknown);
  EXPECT_EQ(r->startFunction(), "");
  EXPECT_EQ(r->allocator(), "");
  EXPECT_FALSE(r->memory.has_value());
}

TEST(ModuleInfo, CustomSectionNamesInFileOrder) {
  std::vector<uint8_t> bytes = readWat("engine_bench");
  for (std::string name : {"name", "producers"}) {
    bytes.push_back(0x00);  // custom section id
    bytes.push_back(static_cast<uint8_t>(1 + name.size() + 3));
    bytes.push_back(static_cast<uint8_t>(name.size()));
    bytes.insert(bytes.end(), name.begin(), name.end());
    bytes.insert(bytes.end(), {1, 2, 3});
  }
  Result<ModuleInfo> r = parseModule(bytes);
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_THAT(r->custom_sections, ElementsAre("name", "producers"));
}

TEST(ModuleInfo, RejectsWhatIsNotAWasmModule) {
  EXPECT_EQ(parseError({}), "not a wasm module: 0 bytes, too short");
  EXPECT_EQ(parseError({'#', '!', '/', 'b', 'i', 'n', '/', 's', 'h'}), "not a wasm module: bad magic");
  EXPECT_THAT(parseError({0x00, 0x61, 0x73, 0x6d, 0x01}), HasSubstr("truncated in its header"));
  // The component-model layer uses a different version word.
  EXPECT_THAT(parseError({0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00}),
              HasSubstr("unsupported wasm binary version 0x1000d"));
}

TEST(ModuleInfo, ErrorsNameSectionOffsetAndCause) {
  // Import section at offset 8 whose module name claims 5 bytes but has 1.
  EXPECT_EQ(parseError(module({0x02, 0x03, 0x01, 0x05, 'e'})), "import section at offset 0xb: truncated module name");
  EXPECT_THAT(parseError(module({0x01, 0x10, 0x01})), HasSubstr("section size 16 exceeds the 1 bytes left"));
  // A type count far beyond the section's bytes must not drive an allocation.
  EXPECT_THAT(parseError(module({0x01, 0x05, 0xff, 0xff, 0xff, 0xff, 0x0f})),
              HasSubstr("type count 4294967295 exceeds the bytes left"));
  EXPECT_THAT(parseError(module({0x01, 0x03, 0x01, 0x5f, 0x00})), HasSubstr("unsupported type form 0x5f"));
  EXPECT_THAT(parseError(module({0x01, 0x04, 0x01, 0x60, 0x01, 0x40})), HasSubstr("unknown value type 0x40"));
  EXPECT_THAT(parseError(module({0x0e, 0x00})), HasSubstr("unknown section id 14"));
  EXPECT_THAT(parseError(module({0x01, 0x01, 0x00, 0x01, 0x01, 0x00})), HasSubstr("duplicate type section"));
  EXPECT_THAT(parseError(module({0x01, 0x02, 0x00, 0x00})), HasSubstr("1 unexpected bytes at the end"));
  // Export of function 3 in a module with none.
  EXPECT_THAT(parseError(module({0x07, 0x05, 0x01, 0x01, 'f', 0x00, 0x03})),
              HasSubstr("export 'f': function index 3 out of range (0 functions)"));
  EXPECT_THAT(parseError(module({0x03, 0x02, 0x01, 0x00})), HasSubstr("type index 0 out of range (0 types)"));
  EXPECT_THAT(parseError(module({0x05, 0x04, 0x01, 0x01, 0x05, 0x02})),
              HasSubstr("limits maximum is below the minimum"));
}

TEST(ModuleInfo, Leb128OverflowAndOverlongEncodings) {
  // Section size with a fifth byte using more than the 4 bits left of a u32.
  EXPECT_THAT(parseError(module({0x01, 0x80, 0x80, 0x80, 0x80, 0x10})),
              HasSubstr("section size does not fit in 32 bits"));
  // Six bytes for a u32.
  EXPECT_THAT(parseError(module({0x01, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00})),
              HasSubstr("section size is longer than a 32-bit LEB128"));
  EXPECT_THAT(parseError(module({0x01, 0x80})), HasSubstr("truncated section size"));
  // A padded but valid encoding of 0 is accepted.
  EXPECT_TRUE(parseModule(module({0x01, 0x81, 0x80, 0x80, 0x80, 0x00, 0x00})).ok());
  // memory64 limits read 64-bit LEBs.
  Result<ModuleInfo> r = parseModule(module({0x05, 0x0c, 0x01, 0x04, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                             0xff, 0xff, 0x01}));
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(r->memory->min_pages, UINT64_MAX);
}

TEST(ModuleInfo, EveryTruncationOfARealModuleFailsCleanly) {
  for (const char* name : {"engine_basic", "engine_start"}) {
    const std::vector<uint8_t> bytes = readWat(name);
    ASSERT_GT(bytes.size(), 100u);
    size_t failures = 0;
    for (size_t len = 0; len < bytes.size(); ++len) {
      Result<ModuleInfo> r = parseModule(std::span(bytes.data(), len));
      // A cut at a section boundary is a smaller valid module; anywhere else it is an error.
      if (!r.ok()) {
        ++failures;
        EXPECT_FALSE(r.message().empty());
      }
    }
    EXPECT_GT(failures, bytes.size() * 9 / 10) << name;
  }
}

TEST(ModuleInfo, EveryCorruptedByteOfARealModuleIsHandled) {
  const std::vector<uint8_t> original = readWat("engine_basic");
  for (uint8_t value : {uint8_t{0x00}, uint8_t{0x7f}, uint8_t{0x80}, uint8_t{0xff}}) {
    for (size_t at = 0; at < original.size(); ++at) {
      std::vector<uint8_t> bytes = original;
      bytes[at] = value;
      Result<ModuleInfo> r = parseModule(bytes);
      if (!r.ok()) {
        EXPECT_FALSE(r.message().empty());
      }
    }
  }
}

TEST(ModuleInfo, SignatureText) {
  EXPECT_EQ(toString(FuncSig{}), "() -> ()");
  EXPECT_EQ(toString(FuncSig{{ValType::I32, ValType::I32}, {ValType::I32}}), "(i32, i32) -> i32");
  EXPECT_EQ(toString(FuncSig{{ValType::V128, ValType::ExternRef}, {ValType::F32, ValType::FuncRef}}),
            "(v128, externref) -> (f32, funcref)");
  EXPECT_STREQ(externKindName(ExternKind::Tag), "tag");
}


TEST(SequenceModuleTest, ImportsEachFunctionAndExportsRunWithTheirParametersInTurn) {
  using V = ValType;
  const FuncSig sigs[] = {{{V::I32}, {}}, {{V::I32}, {V::I32}}, {{V::I64, V::F64}, {V::F32}}};
  Result<ModuleInfo> info = parseModule(sequenceModule(sigs));
  ASSERT_TRUE(info.ok()) << info.message();
  ASSERT_EQ(info->imports.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(info->imports[i].module, "seq");
    EXPECT_EQ(info->imports[i].name, std::to_string(i));
    EXPECT_EQ(info->imports[i].sig, sigs[i]);
  }
  const ExportInfo* run = info->findExport("run");
  ASSERT_NE(run, nullptr);
  EXPECT_EQ(toString(run->sig), "(i32, i32, i64, f64) -> f32");
  EXPECT_EQ(run->sig, sequenceSignature(sigs));
  const ExportInfo* step = info->findExport("step");
  ASSERT_NE(step, nullptr);
  EXPECT_EQ(step->kind, ExternKind::Global);
}

// The chain modules' imports, in order, as "module name" (a global's name ends in " global").
std::vector<std::string> importNames(const ModuleInfo& info) {
  std::vector<std::string> out;
  for (const ImportInfo& i : info.imports) {
    out.push_back(i.module + " " + i.name + (i.kind == ExternKind::Global ? " global" : ""));
  }
  return out;
}

TEST(ChainModuleTest, AHeaderChainAsksTheFastPathFirstWhenOneIsGiven) {
  using V = ValType;
  const FuncSig callback{{V::I32, V::I32, V::I32}, {V::I32}};
  const FuncSig sigs[] = {callback, callback};
  Result<ModuleInfo> plain = parseModule(headerChainModule(sigs));
  ASSERT_TRUE(plain.ok()) << plain.message();
  EXPECT_THAT(importNames(*plain), ElementsAre("seq 0", "seq 1", "seq next"));

  Result<ModuleInfo> fast = parseModule(headerChainModule(sigs, /*fast_next=*/true));
  ASSERT_TRUE(fast.ok()) << fast.message();
  EXPECT_THAT(importNames(*fast), ElementsAre("seq 0", "seq 1", "seq next", "host fast", "host chain global"));
  EXPECT_EQ(fast->findImport("seq", "next")->sig, (FuncSig{{V::I32, V::I32}, {V::I32}}));
  EXPECT_EQ(fast->findImport("host", "fast")->sig, fastHostSignature());
  // "run" keeps its signature; "step" is still exported, whatever its index.
  ASSERT_NE(fast->findExport("run"), nullptr);
  EXPECT_EQ(fast->findExport("run")->sig, plain->findExport("run")->sig);
  ASSERT_NE(fast->findExport("step"), nullptr);
  EXPECT_EQ(fast->findExport("step")->kind, ExternKind::Global);
}

TEST(ChainModuleTest, AStartChainAsksTheFastPathFirstWhenOneIsGiven) {
  using V = ValType;
  const FuncSig create{{V::I32, V::I32}, {}};
  const FuncSig headers{{V::I32, V::I32, V::I32}, {V::I32}};
  const FuncSig sigs[] = {create, headers, create, headers};
  Result<ModuleInfo> fast = parseModule(startChainModule(sigs, /*fast_next=*/true));
  ASSERT_TRUE(fast.ok()) << fast.message();
  EXPECT_THAT(importNames(*fast),
              ElementsAre("seq 0", "seq 1", "seq 2", "seq 3", "seq next", "host fast", "host chain global"));
  EXPECT_EQ(fast->findImport("seq", "next")->sig, (FuncSig{{V::I32, V::I32}, {V::I64}}));
  ASSERT_NE(fast->findExport("run"), nullptr);
  EXPECT_EQ(toString(fast->findExport("run")->sig), "(i32, i32, i32, i32, i32) -> ()");
}

}  // namespace
}  // namespace wasmgate::runtime
