// Result buffers whose elements start uninitialised: resize() does not zero what the caller
// overwrites anyway. (Transparent huge pages were tried for large results and dropped: on this
// kind of VM a fresh 2 MiB page is often not yet backed by the host and costs milliseconds.)
#pragma once
#include <cstddef>
#include <cstdlib>
#include <new>
#include <utility>
#include <vector>

namespace ricci {

template <typename T>
struct BigAlloc {
  using value_type = T;
  BigAlloc() noexcept = default;
  template <typename U>
  BigAlloc(const BigAlloc<U>&) noexcept {}
  T* allocate(size_t n) {
    if (n > static_cast<size_t>(-1) / sizeof(T)) throw std::bad_alloc();
    void* p = std::malloc(n == 0 ? 1 : n * sizeof(T));
    if (p == nullptr) throw std::bad_alloc();
    return static_cast<T*>(p);
  }
  void deallocate(T* p, size_t) noexcept { std::free(p); }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    if constexpr (sizeof...(Args) == 0) ::new (static_cast<void*>(p)) U;
    else ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
  template <typename U>
  bool operator==(const BigAlloc<U>&) const noexcept { return true; }
  template <typename U>
  bool operator!=(const BigAlloc<U>&) const noexcept { return false; }
};

// A vector for large results; its elements start uninitialised after resize(n).
template <typename T>
using Buffer = std::vector<T, BigAlloc<T>>;

}  // namespace ricci
