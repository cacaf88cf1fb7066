// A pure parser of the WebAssembly binary format (core spec 2.0 plus the memory64, threads and
// exception-handling encodings of the sections it reads). It reads only what ModuleInfo reports
// and skips every other section by its declared size. Every read is bounds-checked, so any byte
// string yields a ModuleInfo or an Error naming the section, the file offset and the problem.
#include "runtime/module_info.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <string_view>

namespace wasmgate::runtime {
namespace {

constexpr std::array<uint8_t, 4> kMagic = {0x00, 0x61, 0x73, 0x6d};  // "\0asm"
constexpr uint32_t kVersion = 1;

enum SectionId : uint8_t {
  kCustom = 0, kType = 1, kImport = 2, kFunction = 3, kTable = 4, kMemory = 5, kGlobal = 6,
  kExport = 7, kStart = 8, kElement = 9, kCode = 10, kData = 11, kDataCount = 12, kTag = 13,
};

const char* sectionName(uint8_t id) {
  static constexpr const char* kNames[] = {"custom", "type",   "import", "function", "table",
                                           "memory", "global", "export", "start",    "element",
                                           "code",   "data",   "data count", "tag"};
  return id < std::size(kNames) ? kNames[id] : "unknown";
}

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// A cursor over one byte range with a sticky error: after the first failure every read returns
// zero, so parsing code checks ok() at loop boundaries instead of after every read.
class Reader {
 public:
  Reader(std::span<const uint8_t> bytes, size_t file_offset) : bytes_(bytes), base_(file_offset) {}

  bool ok() const { return error_.empty(); }
  bool atEnd() const { return pos_ == bytes_.size(); }
  size_t remaining() const { return bytes_.size() - pos_; }
  size_t fileOffset() const { return base_ + pos_; }
  const std::string& error() const { return error_; }
  size_t errorOffset() const { return error_offset_; }

  void fail(std::string what) { failAt(pos_, std::move(what)); }

  // Fails pointing at `start`, where the item that could not be read begins. Returns 0 for reads.
  uint64_t failAt(size_t start, std::string what) {
    if (ok()) {
      pos_ = start;
      error_ = std::move(what);
      error_offset_ = fileOffset();
    }
    return 0;
  }

  uint8_t byte(const char* what) {
    if (!ok()) return 0;
    if (atEnd()) return failAt(pos_, std::string("truncated ") + what);
    return bytes_[pos_++];
  }

  // Unsigned LEB128 of at most `bits` bits; rejects overlong encodings and unused high bits.
  uint64_t leb(unsigned bits, const char* what) {
    if (!ok()) return 0;
    const size_t start = pos_;
    uint64_t value = 0;
    for (unsigned shift = 0;; shift += 7) {
      if (atEnd()) return failAt(start, std::string("truncated ") + what);
      const uint8_t b = bytes_[pos_++];
      const uint64_t payload = b & 0x7f;
      if (shift + 7 > bits && (payload >> (bits - shift)) != 0) {
        return failAt(start, std::string(what) + " does not fit in " + std::to_string(bits) + " bits");
      }
      value |= payload << shift;
      if ((b & 0x80) == 0) return value;
      if (shift + 7 >= bits) {
        return failAt(start, std::string(what) + " is longer than a " + std::to_string(bits) + "-bit LEB128");
      }
    }
  }
  uint32_t u32(const char* what) { return static_cast<uint32_t>(leb(32, what)); }

  // A vector length; each element takes at least one byte, so a count beyond the bytes left is
  // malformed (and must not drive an allocation).
  uint32_t count(const char* what) {
    const uint32_t n = u32(what);
    if (ok() && n > remaining()) fail(std::string(what) + " " + std::to_string(n) + " exceeds the bytes left");
    return ok() ? n : 0;
  }

  std::string_view bytes(size_t n, const char* what) {
    if (!ok()) return {};
    if (n > remaining()) {
      failAt(pos_, std::string("truncated ") + what);
      return {};
    }
    pos_ += n;
    return {reinterpret_cast<const char*>(bytes_.data()) + pos_ - n, n};
  }

  // A length-prefixed name; a failure points at its length prefix.
  std::string_view name(const char* what) {
    const size_t start = pos_;
    const uint32_t n = u32(what);
    if (ok() && n > remaining()) failAt(start, std::string("truncated ") + what);
    return bytes(n, what);
  }

 private:
  std::span<const uint8_t> bytes_;
  size_t base_;
  size_t pos_ = 0;
  std::string error_;
  size_t error_offset_ = 0;
};

ValType readValType(Reader& r) {
  const size_t at = r.fileOffset();
  const uint8_t b = r.byte("value type");
  switch (b) {
    case 0x7f: return ValType::I32;
    case 0x7e: return ValType::I64;
    case 0x7d: return ValType::F32;
    case 0x7c: return ValType::F64;
    case 0x7b: return ValType::V128;
    case 0x70: return ValType::FuncRef;
    case 0x6f: return ValType::ExternRef;
  }
  if (r.ok()) r.fail("unknown value type " + hex(b) + " at " + hex(at));
  return ValType::I32;
}

// Limits of a memory or table. Flags bit 0: has maximum, bit 1: shared, bit 2: 64-bit.
MemoryInfo readLimits(Reader& r) {
  MemoryInfo limits;
  const uint8_t flags = r.byte("limits flags");
  if (flags > 0x07) r.fail("unknown limits flags " + hex(flags));
  const unsigned bits = (flags & 0x04) ? 64 : 32;
  limits.min_pages = r.leb(bits, "limits minimum");
  if (flags & 0x01) limits.max_pages = r.leb(bits, "limits maximum");
  if (r.ok() && limits.max_pages && *limits.max_pages < limits.min_pages) {
    r.fail("limits maximum is below the minimum");
  }
  return limits;
}

// The parse state shared by the section readers.
struct Parser {
  ModuleInfo info;
  std::vector<FuncSig> types;
  std::vector<uint32_t> func_types;  // type index of each function, imported ones first
  // Function exports to resolve once all sections are read: (index in info.exports, function).
  std::vector<std::pair<size_t, uint32_t>> func_exports;

  const FuncSig* typeAt(Reader& r, uint32_t index) {
    if (index < types.size()) return &types[index];
    r.fail("type index " + std::to_string(index) + " out of range (" + std::to_string(types.size()) + " types)");
    return nullptr;
  }

  void typeSection(Reader& r) {
    const uint32_t n = r.count("type count");
    for (uint32_t i = 0; i < n && r.ok(); ++i) {
      const uint8_t form = r.byte("type form");
      if (r.ok() && form != 0x60) {
        r.fail("unsupported type form " + hex(form) + " (only function types)");
        break;
      }
      FuncSig sig;
      for (uint32_t p = r.count("parameter count"); p > 0 && r.ok(); --p) sig.params.push_back(readValType(r));
      for (uint32_t q = r.count("result count"); q > 0 && r.ok(); --q) sig.results.push_back(readValType(r));
      types.push_back(std::move(sig));
    }
  }

  void importSection(Reader& r) {
    const uint32_t n = r.count("import count");
    for (uint32_t i = 0; i < n && r.ok(); ++i) {
      ImportInfo imp;
      imp.module = r.name("module name");
      imp.name = r.name("name");
      const uint8_t kind = r.byte("import kind");
      if (!r.ok()) break;
      switch (kind) {
        case 0x00: {  // function
          const uint32_t type = r.u32("type index");
          if (const FuncSig* sig = typeAt(r, type)) imp.sig = *sig;
          func_types.push_back(type);
          break;
        }
        case 0x01:  // table
          readValType(r);
          readLimits(r);
          break;
        case 0x02: {  // memory
          MemoryInfo mem = readLimits(r);
          mem.imported = true;
          if (!info.memory) info.memory = mem;
          break;
        }
        case 0x03:  // global
          readValType(r);
          r.byte("global mutability");
          break;
        case 0x04:  // tag
          r.byte("tag attribute");
          typeAt(r, r.u32("tag type index"));
          break;
        default:
          r.fail("unknown import kind " + hex(kind) + " for " + imp.module + "." + imp.name);
      }
      imp.kind = static_cast<ExternKind>(kind);
      if (r.ok()) info.imports.push_back(std::move(imp));
    }
  }

  void functionSection(Reader& r) {
    const uint32_t n = r.count("function count");
    for (uint32_t i = 0; i < n && r.ok(); ++i) {
      const uint32_t type = r.u32("type index");
      if (typeAt(r, type)) func_types.push_back(type);
    }
  }

  void memorySection(Reader& r) {
    const uint32_t n = r.count("memory count");
    for (uint32_t i = 0; i < n && r.ok(); ++i) {
      MemoryInfo mem = readLimits(r);
      if (r.ok() && !info.memory) info.memory = mem;
    }
  }

  void exportSection(Reader& r) {
    const uint32_t n = r.count("export count");
    for (uint32_t i = 0; i < n && r.ok(); ++i) {
      ExportInfo exp;
      exp.name = r.name("export name");
      const uint8_t kind = r.byte("export kind");
      const uint32_t index = r.u32("export index");
      if (!r.ok()) break;
      if (kind > 0x04) {
        r.fail("unknown export kind " + hex(kind) + " for " + exp.name);
        break;
      }
      exp.kind = static_cast<ExternKind>(kind);
      if (exp.kind == ExternKind::Function) func_exports.emplace_back(info.exports.size(), index);
      info.exports.push_back(std::move(exp));
    }
  }

  // Called once every section has been read.
  std::optional<std::string> resolveExports() {
    for (const auto& [export_index, func_index] : func_exports) {
      ExportInfo& exp = info.exports[export_index];
      if (func_index >= func_types.size()) {
        return "export '" + exp.name + "': function index " + std::to_string(func_index) + " out of range (" +
               std::to_string(func_types.size()) + " functions)";
      }
      exp.sig = types[func_types[func_index]];
    }
    return std::nullopt;
  }
};

bool exportsFunction(const ModuleInfo& info, std::string_view name) {
  const ExportInfo* e = info.findExport(name);
  return e && e->kind == ExternKind::Function;
}

}  // namespace

const char* valTypeName(ValType t) {
  static constexpr const char* kNames[] = {"i32", "i64", "f32", "f64", "v128", "funcref", "externref"};
  const auto i = static_cast<size_t>(t);
  return i < std::size(kNames) ? kNames[i] : "unknown";
}

const char* externKindName(ExternKind k) {
  static constexpr const char* kNames[] = {"function", "table", "memory", "global", "tag"};
  const auto i = static_cast<size_t>(k);
  return i < std::size(kNames) ? kNames[i] : "unknown";
}

std::string toString(const FuncSig& sig) {
  auto append_list = [](std::string& out, const std::vector<ValType>& types) {
    for (size_t i = 0; i < types.size(); ++i) {
      if (i) out += ", ";
      out += valTypeName(types[i]);
    }
  };
  std::string out = "(";
  append_list(out, sig.params);
  out += ") -> ";
  const bool bare = sig.results.size() == 1;  // "-> i32", but "-> ()" and "-> (i32, i32)"
  if (!bare) out += '(';
  append_list(out, sig.results);
  if (!bare) out += ')';
  return out;
}

const ExportInfo* ModuleInfo::findExport(std::string_view name) const {
  for (const ExportInfo& e : exports) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

const ImportInfo* ModuleInfo::findImport(std::string_view module, std::string_view name) const {
  for (const ImportInfo& i : imports) {
    if (i.module == module && i.name == name) return &i;
  }
  return nullptr;
}

abi::AbiVersion ModuleInfo::abiVersion() const {
  // Oldest first: the last match is the newest version the module declares.
  static constexpr std::pair<std::string_view, abi::AbiVersion> kMarkers[] = {
      {"proxy_abi_version_0_1_0", abi::AbiVersion::V0_1_0},
      {"proxy_abi_version_0_2_0", abi::AbiVersion::V0_2_0},
      {"proxy_abi_version_0_2_1", abi::AbiVersion::V0_2_1},
      {"proxy_abi_version_0_2_100", abi::AbiVersion::V0_2_100},
  };
  abi::AbiVersion found = abi::AbiVersion::Unknown;
  for (const auto& [name, version] : kMarkers) {
    if (exportsFunction(*this, name)) found = version;
  }
  return found;
}

std::string_view ModuleInfo::startFunction() const {
  if (exportsFunction(*this, "_initialize")) return "_initialize";
  if (exportsFunction(*this, "_start")) return "_start";
  return "";
}

std::string_view ModuleInfo::allocator() const {
  if (exportsFunction(*this, "malloc")) return "malloc";
  if (exportsFunction(*this, "proxy_on_memory_allocate")) return "proxy_on_memory_allocate";
  return "";
}

Result<ModuleInfo> parseModule(std::span<const uint8_t> bytes) {
  if (bytes.size() < 8) {
    if (bytes.size() >= 4 && std::equal(kMagic.begin(), kMagic.end(), bytes.begin())) {
      return makeError("wasm module truncated in its header (" + std::to_string(bytes.size()) + " bytes)");
    }
    return makeError("not a wasm module: " + std::to_string(bytes.size()) + " bytes, too short");
  }
  if (!std::equal(kMagic.begin(), kMagic.end(), bytes.begin())) return makeError("not a wasm module: bad magic");
  const uint32_t version = bytes[4] | bytes[5] << 8 | bytes[6] << 16 | static_cast<uint32_t>(bytes[7]) << 24;
  if (version != kVersion) {
    return makeError("unsupported wasm binary version " + hex(version) + " (only version 1; a component?)");
  }

  Parser p;
  p.info.size_bytes = bytes.size();
  Reader file(bytes.subspan(8), 8);
  uint32_t seen_sections = 0;  // bit per non-custom section id, to reject duplicates
  while (!file.atEnd()) {
    const size_t header_at = file.fileOffset();
    const uint8_t id = file.byte("section id");
    const uint32_t size = file.u32("section size");
    if (file.ok() && size > file.remaining()) {
      file.fail("section size " + std::to_string(size) + " exceeds the " + std::to_string(file.remaining()) +
                " bytes left");
    }
    if (!file.ok()) {
      return makeError(std::string(sectionName(id)) + " section header at offset " + hex(header_at) + ": " +
                       file.error());
    }
    if (id > kTag) return makeError("unknown section id " + std::to_string(id) + " at offset " + hex(header_at));
    if (id != kCustom) {
      if (seen_sections & (1u << id)) {
        return makeError("duplicate " + std::string(sectionName(id)) + " section at offset " + hex(header_at));
      }
      seen_sections |= 1u << id;
    }

    const size_t body_at = file.fileOffset();
    Reader r(bytes.subspan(body_at, size), body_at);
    file.bytes(size, "section body");
    switch (id) {
      case kCustom: p.info.custom_sections.emplace_back(r.name("custom section name")); break;
      case kType: p.typeSection(r); break;
      case kImport: p.importSection(r); break;
      case kFunction: p.functionSection(r); break;
      case kMemory: p.memorySection(r); break;
      case kExport: p.exportSection(r); break;
      case kStart:
        r.u32("start function index");
        p.info.has_start_section = true;
        break;
      default: continue;  // not needed for ModuleInfo: skipped by its size
    }
    if (r.ok() && id != kCustom && !r.atEnd()) {
      r.fail(std::to_string(r.remaining()) + " unexpected bytes at the end of the section");
    }
    if (!r.ok()) {
      return makeError(std::string(sectionName(id)) + " section at offset " + hex(r.errorOffset()) + ": " +
                       r.error());
    }
  }
  if (auto problem = p.resolveExports()) return makeError("export section: " + *problem);
  return std::move(p.info);
}

}  // namespace wasmgate::runtime
