// The live HTTP streams of one VM by context id: an open-addressing table with linear probing.
// A std::map cost each stream a node allocation, rebalancing and a walk over cold nodes per
// lookup; here a stream is one slot in an array, found in a probe or two (the host numbers its
// contexts one after another, which the multiplicative hash spreads evenly). Private to sdk/src.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include <wasmgate/contexts.h>

namespace wasmgate::internal {

class StreamTable {
 public:
  struct Entry {
    uint32_t id = 0;  // 0: an empty slot (the host never gives a stream id 0)
    uint32_t plugin = 0;
    types::HttpContext* context = nullptr;  // owned
  };

  StreamTable() = default;
  StreamTable(const StreamTable&) = delete;
  StreamTable& operator=(const StreamTable&) = delete;
  ~StreamTable() { clear(); }

  // The stream `id`, or nullptr. The pointer is valid until the next insert or remove.
  Entry* find(uint32_t id);
  // Adds stream `id` (a nonzero id not in the table) owned by root context `plugin`.
  void insert(uint32_t id, uint32_t plugin, std::unique_ptr<types::HttpContext> context);
  // Takes stream `id` out of the table; empty if it was not there.
  std::unique_ptr<types::HttpContext> remove(uint32_t id);
  void clear();
  size_t size() const { return size_; }

 private:
  // Fibonacci hashing: the product's top bits, which every bit of the id reaches (ids may come in
  // strides when several plugins share the host's counter).
  size_t home(uint32_t id) const { return (id * 0x9E3779B1u) >> shift_; }
  size_t next(size_t slot) const { return (slot + 1) & (slots_.size() - 1); }
  void grow();

  std::vector<Entry> slots_;  // size 0 or a power of two, at most half full
  size_t size_ = 0;
  unsigned shift_ = 32;  // 32 - log2(slots_.size())
  // The slot found last: the host calls one stream several times in a row (create and request
  // headers; response headers; log, done and delete).
  Entry* last_ = nullptr;
};

}  // namespace wasmgate::internal
