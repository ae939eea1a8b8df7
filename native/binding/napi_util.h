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

// Values that must outlive an async call (input TypedArrays, callbacks).
class KeepAlive {
 public:
  void add(Napi::Value v);
 private:
  std::vector<Napi::Reference<Napi::Value>> refs_;
};

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
  auto* holder = new std::vector<T, A>(std::move(data));
  if (holder->empty()) {
    delete holder;
    return Napi::ArrayBuffer::New(env, 0);
  }
  return Napi::ArrayBuffer::New(env, holder->data(), holder->size() * sizeof(T),
                                [](Napi::Env, void*, std::vector<T, A>* h) { delete h; }, holder);
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
  static Napi::FunctionReference* ctor_;
  friend std::shared_ptr<ricci::Control> control_option(const Napi::Object&, KeepAlive&);
};
// options.control (a ControlWrap) or a fresh Control.
std::shared_ptr<ricci::Control> control_option(const Napi::Object& o, KeepAlive& keep);

// Runs `run(threads, control)` on the libuv pool with a lease of `threads` from the global budget
// (<= 0: the default), then resolves the Promise with `done(env)`. Errors from the core become
// typed JS errors; nothing escapes. options.onProgress(done, total) is called on the JS thread.
class Task : public Napi::AsyncWorker {
 public:
  using Run = std::function<void(int threads, ricci::Control& control)>;
  using Done = std::function<Napi::Value(Napi::Env env)>;

  static Napi::Value Schedule(Napi::Env env, const Napi::Object& options, KeepAlive&& keep,
                              Run run, Done done);
  ~Task() override;

 protected:
  void Execute() override;
  void OnOK() override;
  void OnError(const Napi::Error& e) override;

 private:
  Task(Napi::Env env, int threads, std::shared_ptr<ricci::Control> control, KeepAlive&& keep,
       Run run, Done done);
  Napi::Promise::Deferred deferred_;
  int threads_;
  std::shared_ptr<ricci::Control> control_;
  KeepAlive keep_;
  Run run_;
  Done done_;
  Napi::ThreadSafeFunction progress_;
  Napi::FunctionReference progress_fn_;  // the same callback, for the last report on the JS thread
  bool has_progress_ = false;
  std::string err_code_, err_arg_, err_msg_;
};

// Default thread count for calls that pass none (settable from JS).
int default_threads();
void set_default_threads(int t);

}  // namespace rfb
