// Asynchronous calls: a Promise-returning Task run on a compute thread with a lease from the thread
// budget, and the cancellation handle (Control) a call can be given.
#pragma once
#include <napi.h>

#include <functional>
#include <memory>

#include "../core/common.h"
#include "memory.h"

namespace rfb {

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

}  // namespace rfb
