// Thin N-API layer shared by every binding unit: argument extraction (TypedArrays read without
// copying, kept alive for the life of a worker), typed errors, zero-copy results, and one
// Promise-returning AsyncWorker. Knows nothing of the science.
#pragma once
#include <napi.h>

#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "../core/buffer.h"
#include "../core/common.h"
#include "../core/graph.h"

namespace rfb {

// Creates a JS Error carrying `.code` ('ERR_INVALID_ARGUMENT' | 'ERR_CANCELLED' | 'ERR_NATIVE')
// and `.arg`; the TypeScript layer turns it into the matching error class.
Napi::Error make_error(Napi::Env env, const std::string& code, const std::string& arg,
                       const std::string& message);
[[noreturn]] void throw_invalid(Napi::Env env, const std::string& arg, const std::string& message);

// Options object helpers (undefined/null -> fallback).
Napi::Object options_arg(const Napi::CallbackInfo& info, size_t index);
int int_option(const Napi::Object& o, const char* key, int fallback);
double number_option(const Napi::Object& o, const char* key, double fallback);
bool bool_option(const Napi::Object& o, const char* key, bool fallback);
std::string string_option(const Napi::Object& o, const char* key, const std::string& fallback);

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

// Points from { data: Float32Array|Float64Array, n, d } (validated: shape, finiteness).
ricci::PointsView points_arg(Napi::Env env, Napi::Value v, const std::string& name, KeepAlive& keep);
// Int32Array of an exact length (or any length when expected < 0).
const int32_t* int32_array_arg(Napi::Env env, Napi::Value v, const std::string& name,
                               int64_t expected, KeepAlive& keep, size_t* length = nullptr);
// Graph from the plain object the TS layer holds:
// { n, mode, offsets: Int32Array, neighbors: Int32Array, edges: Int32Array (2m, interleaved u,v), k, knn? }
// Validated (ricci::validate_graph) before any worker runs.
ricci::GraphView graph_arg(Napi::Env env, Napi::Value v, const std::string& name, KeepAlive& keep);
// Full graph validations run so far (diagnostics: natively built graphs must not need one).
uint64_t graph_validation_count();
// Records a graph built by the core (valid by construction) so graph_arg skips re-validating it
// while its arrays keep these addresses and contents. Main JS thread only.
void remember_validated(const ricci::GraphView& g, uint64_t fingerprint);

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

// Cancellation handle exposed to JS as `new addon.Control()` with `.cancel()`.
class ControlWrap : public Napi::ObjectWrap<ControlWrap> {
 public:
  static void Init(Napi::Env env, Napi::Object exports);
  explicit ControlWrap(const Napi::CallbackInfo& info);
  std::shared_ptr<ricci::Control> control() const { return control_; }
 private:
  Napi::Value Cancel(const Napi::CallbackInfo& info);
  std::shared_ptr<ricci::Control> control_;
};
// options.control (a ControlWrap) or a fresh Control.
std::shared_ptr<ricci::Control> control_option(const Napi::Object& o, KeepAlive& keep);

// Runs `run(threads, control)` on a compute thread with a lease of `threads` from the global
// budget (<= 0: the default; see ricci::submit_compute), then settles the Promise with
// `done(env)` on the JS thread. Errors from the core become typed JS errors; nothing escapes a
// thread. Completion and options.onProgress(done, total) reach the JS thread through one
// thread-safe function, whose finalizer is the environment's cleanup hook for the call: when a
// worker_threads Worker is terminated (or calls process.exit()) mid-call, it cancels the work and
// waits for it to stop before the environment goes away; the Promise is then never settled.
class Task {
 public:
  using Run = std::function<void(int threads, ricci::Control& control)>;
  using Done = std::function<Napi::Value(Napi::Env env)>;

  static Napi::Value Schedule(Napi::Env env, const Napi::Object& options, KeepAlive&& keep,
                              Run run, Done done);
  struct Shared;

 private:
  Task(Napi::Env env, KeepAlive&& keep, Done done);
  static void CallJs(napi_env env, napi_value, void* context, void* data);
  static void Finalize(napi_env env, void* data, void* hint);
  void Settle(Napi::Env env);
  void Progress(Napi::Env env, uint64_t done, uint64_t total);

  Napi::Promise::Deferred deferred_;
  KeepAlive keep_;
  Done done_;
  Napi::FunctionReference progress_fn_;
  bool has_progress_ = false;
  bool settled_ = false;
  std::shared_ptr<Shared> sh_;
};

// Default thread count for calls that pass none (settable from JS).
int default_threads();
void set_default_threads(int t);
// A thread count from JS: a finite integer in [lo, ricci::max_threads()], else InvalidArgument.
int thread_count_arg(Napi::Env env, Napi::Value v, const std::string& name, int lo);

}  // namespace rfb
