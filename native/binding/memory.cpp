#include "memory.h"

#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>

#include "errors.h"

namespace rfb {

void KeepAlive::add(Napi::Value v) { refs_.push_back(Napi::Persistent(v)); }

namespace {
// Buffers handed to JS by to_buffer and not yet finalized: start address -> byte length. Shared by
// every environment (a worker's buffers are its own, but the map is keyed by address).
std::mutex g_owned_mu;
struct OwnedEntry {
  size_t bytes;
  std::weak_ptr<const void> holder;
};
std::map<uintptr_t, OwnedEntry>* g_owned = new std::map<uintptr_t, OwnedEntry>();  // never destroyed

// A strong reference to the addon-owned buffer holding [data, data + bytes), or null.
std::shared_ptr<const void> owned_by_addon(const void* data, size_t bytes) {
  const uintptr_t a = reinterpret_cast<uintptr_t>(data);
  std::lock_guard<std::mutex> lock(g_owned_mu);
  auto it = g_owned->upper_bound(a);
  if (it == g_owned->begin()) return nullptr;
  --it;
  if (a >= it->first && a - it->first <= it->second.bytes && bytes <= it->second.bytes - (a - it->first))
    return it->second.holder.lock();
  return nullptr;
}
}  // namespace

void register_owned(const void* data, size_t bytes, const std::shared_ptr<const void>& holder) {
  std::lock_guard<std::mutex> lock(g_owned_mu);
  (*g_owned)[reinterpret_cast<uintptr_t>(data)] = OwnedEntry{bytes, holder};
}

void unregister_owned(const void* data) {
  std::lock_guard<std::mutex> lock(g_owned_mu);
  g_owned->erase(reinterpret_cast<uintptr_t>(data));
}

namespace {
// Memory for input copies, reused: on the VMs we run on, first-touching fresh pages costs far
// more than the copy itself (a 6.3 MB copy into fresh memory took 2-70 ms under load, into
// reused memory 0.3 ms). Keeps at most 4 blocks and 256 MiB; blocks are 64-byte aligned (the
// core's kernels read rows with wide loads).
class CopyPool {
 public:
  void* get(size_t bytes, size_t* cap) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      size_t best = free_.size();
      for (size_t i = 0; i < free_.size(); ++i)
        if (free_[i].second >= bytes && free_[i].second <= 2 * bytes + (1u << 20) &&
            (best == free_.size() || free_[i].second < free_[best].second))
          best = i;
      if (best != free_.size()) {
        void* p = free_[best].first;
        *cap = free_[best].second;
        cached_ -= *cap;
        free_.erase(free_.begin() + static_cast<long>(best));
        return p;
      }
    }
    *cap = (bytes + 63) / 64 * 64;
    return std::aligned_alloc(64, *cap);
  }
  void put(void* p, size_t cap) {
    std::vector<void*> drop;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (cap > kMaxCached) {
        drop.push_back(p);
      } else {
        free_.emplace_back(p, cap);
        cached_ += cap;
        while (free_.size() > 4 || cached_ > kMaxCached) {
          drop.push_back(free_.front().first);
          cached_ -= free_.front().second;
          free_.erase(free_.begin());
        }
      }
    }
    for (void* q : drop) std::free(q);
  }

 private:
  static constexpr size_t kMaxCached = size_t(256) << 20;
  std::mutex mu_;
  std::vector<std::pair<void*, size_t>> free_;
  size_t cached_ = 0;
};

CopyPool& copy_pool() {
  static CopyPool* pool = new CopyPool();  // never destroyed: copies may be freed at exit
  return *pool;
}
}  // namespace

const void* stable_bytes(Napi::Env env, Napi::TypedArray ta, KeepAlive& keep) {
  napi_typedarray_type type;
  size_t length = 0, offset = 0;
  void* data = nullptr;
  napi_value buffer = nullptr;
  if (napi_get_typedarray_info(env, ta, &type, &length, &data, &buffer, &offset) != napi_ok)
    throw make_error(env, Failure{Kind::Native, "", "cannot read a typed array"});
  keep.add(ta);
  const size_t bytes = ta.ByteLength();
  if (bytes == 0) return data;
  if (std::shared_ptr<const void> holder = owned_by_addon(data, bytes)) {
    keep.own(std::move(holder), false);  // in place, and alive until the call ends
    return data;
  }
  bool plain = true;
  if (napi_is_arraybuffer(env, buffer, &plain) == napi_ok && !plain) return data;  // SharedArrayBuffer
  size_t cap = 0;
  void* copy = copy_pool().get(bytes, &cap);
  if (copy == nullptr) throw make_error(env, Failure{Kind::OutOfMemory, "", "out of memory copying an input array"});
  std::memcpy(copy, data, bytes);
  keep.own(std::shared_ptr<const void>(copy, [cap](const void* q) { copy_pool().put(const_cast<void*>(q), cap); }), true);
  return copy;
}

Napi::Float64Array copy_f64(Napi::Env env, const std::vector<double>& v) {
  Napi::Float64Array a = Napi::Float64Array::New(env, v.size());
  if (!v.empty()) std::memcpy(a.Data(), v.data(), v.size() * sizeof(double));
  return a;
}

}  // namespace rfb
