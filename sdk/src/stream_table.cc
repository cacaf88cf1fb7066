#include "stream_table.h"

#include <utility>

namespace wasmgate::internal {

StreamTable::Entry* StreamTable::find(uint32_t id) {
  if (last_ != nullptr && last_->id == id) return last_;
  if (id == 0 || slots_.empty()) return nullptr;
  for (size_t slot = home(id);; slot = next(slot)) {
    Entry& entry = slots_[slot];
    if (entry.id == id) return last_ = &entry;
    if (entry.id == 0) return nullptr;
  }
}

void StreamTable::insert(uint32_t id, uint32_t plugin, std::unique_ptr<types::HttpContext> context) {
  if (id == 0) return;
  if ((size_ + 1) * 2 > slots_.size()) grow();
  size_t slot = home(id);
  while (slots_[slot].id != 0 && slots_[slot].id != id) slot = next(slot);
  Entry& entry = slots_[slot];
  if (entry.id == id) {
    delete entry.context;
  } else {
    ++size_;
  }
  entry = Entry{id, plugin, context.release()};
  last_ = &entry;
}

std::unique_ptr<types::HttpContext> StreamTable::remove(uint32_t id) {
  Entry* found = find(id);
  if (found == nullptr) return nullptr;
  std::unique_ptr<types::HttpContext> context(found->context);
  last_ = nullptr;
  --size_;
  // Backward-shift deletion: later entries of the same probe run move up into the hole, so that
  // lookups never need tombstones.
  size_t hole = static_cast<size_t>(found - slots_.data());
  for (size_t slot = next(hole);; slot = next(slot)) {
    Entry& entry = slots_[slot];
    if (entry.id == 0) break;
    size_t want = home(entry.id);
    // The entry may fill the hole if its home is not in the cyclic range (hole, slot].
    bool homeBetween = hole < slot ? (want > hole && want <= slot) : (want > hole || want <= slot);
    if (!homeBetween) {
      slots_[hole] = entry;
      hole = slot;
    }
  }
  slots_[hole] = Entry{};
  return context;
}

void StreamTable::clear() {
  for (Entry& entry : slots_) delete entry.context;
  slots_.clear();
  size_ = 0;
  shift_ = 32;
  last_ = nullptr;
}

// Rare (the table doubles), so out of line: insert() runs on every new stream.
[[gnu::noinline]] void StreamTable::grow() {
  std::vector<Entry> old = std::exchange(slots_, std::vector<Entry>(slots_.empty() ? 64 : slots_.size() * 2));
  shift_ = 32 - static_cast<unsigned>(__builtin_ctzll(slots_.size()));
  last_ = nullptr;
  for (const Entry& entry : old) {
    if (entry.id == 0) continue;
    size_t slot = home(entry.id);
    while (slots_[slot].id != 0) slot = next(slot);
    slots_[slot] = entry;
  }
}

}  // namespace wasmgate::internal
