// Memory shared with JS: inputs held for the whole call (KeepAlive, stable_bytes: zero-copy where
// JS cannot take the memory away, a pooled native copy otherwise) and results handed to JS without
// copying (to_buffer and friends).
#pragma once
#include <napi.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace rfb {

// Values that must outlive an async call (input TypedArrays, callbacks), and native copies of
// inputs whose memory JS could take away during the call.
class KeepAlive {
 public:
  void add(Napi::Value v);
  // Keeps `p` alive for the call (a native copy when `copy`, else a buffer the addon owns).
  void own(std::shared_ptr<const void> p, bool copy) {
    owned_.push_back(std::move(p));
    copied_ = copied_ || copy;
  }
  bool copied() const { return copied_; }
  std::vector<std::shared_ptr<const void>> take_owned() { return std::move(owned_); }
 private:
  std::vector<Napi::Reference<Napi::Value>> refs_;
  std::vector<std::shared_ptr<const void>> owned_;
  bool copied_ = false;
};

// The bytes of a TypedArray, valid for the whole call whatever JS does meanwhile (see
// README "Guarantees"). Zero-copy when the memory cannot go away: buffers this addon allocated
// (Node never detaches them: a transfer copies them) and SharedArrayBuffers (never detached,
// never shrunk). Any other ArrayBuffer can be detached by a transfer (postMessage,
// structuredClone) or shrunk when resizable, so its bytes are copied into native memory here,
// on the JS thread, before the call starts.
const void* stable_bytes(Napi::Env env, Napi::TypedArray ta, KeepAlive& keep);
// Live buffers this addon handed to JS (registered by to_buffer, removed by its finalizer). The
// registry holds a weak reference: a call reading such a buffer in place takes a strong one, so
// the memory outlives the call even when the environment finalizes the buffer meanwhile (a
// terminated Worker finalizes everything before its calls are joined).
void register_owned(const void* data, size_t bytes, const std::shared_ptr<const void>& holder);
void unregister_owned(const void* data);

// Zero-copy hand-over of an owned vector to JS: hands the vector's storage to JS without copying (its address stays valid: graph objects
// rely on that for the validation cache); the finalizer frees it.
template <typename T, typename A>
Napi::ArrayBuffer to_buffer(Napi::Env env, std::vector<T, A>&& data) {
  if (data.empty()) return Napi::ArrayBuffer::New(env, 0);
  auto sp = std::make_shared<std::vector<T, A>>(std::move(data));
  auto* hint = new std::shared_ptr<std::vector<T, A>>(sp);
  Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(env, sp->data(), sp->size() * sizeof(T),
                                                [](Napi::Env, void* p, std::shared_ptr<std::vector<T, A>>* h) {
                                                  unregister_owned(p);
                                                  delete h;
                                                },
                                                hint);
  register_owned(sp->data(), sp->size() * sizeof(T), sp);
  return ab;
}
// A typed array over the vector's storage (zero-copy, as to_buffer), any element type and allocator.
template <typename T, typename A>
Napi::TypedArrayOf<T> to_typed(Napi::Env env, std::vector<T, A>&& v) {
  const size_t n = v.size();
  return Napi::TypedArrayOf<T>::New(env, n, to_buffer(env, std::move(v)), 0);
}
template <typename A>
Napi::Float64Array to_f64(Napi::Env env, std::vector<double, A>&& v) { return to_typed(env, std::move(v)); }
template <typename A>
Napi::Float32Array to_f32(Napi::Env env, std::vector<float, A>&& v) { return to_typed(env, std::move(v)); }
template <typename A>
Napi::Int32Array to_i32(Napi::Env env, std::vector<int32_t, A>&& v) { return to_typed(env, std::move(v)); }
template <typename A>
Napi::Uint8Array to_u8(Napi::Env env, std::vector<uint8_t, A>&& v) { return to_typed(env, std::move(v)); }
template <typename A>
Napi::Uint16Array to_u16(Napi::Env env, std::vector<uint16_t, A>&& v) { return to_typed(env, std::move(v)); }
// A copy in a buffer V8 allocates: cheaper than an external buffer with a finalizer for small
// results (node statistics), whose address nothing remembers.
Napi::Float64Array copy_f64(Napi::Env env, const std::vector<double>& v);

}  // namespace rfb
