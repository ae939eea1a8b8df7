#include "task.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "../core/threads.h"
#include "convert.h"
#include "env_data.h"
#include "errors.h"

namespace rfb {

namespace {
std::atomic<int> g_default_threads{0};
}  // namespace

int default_threads() { return g_default_threads.load(); }
void set_default_threads(int t) { g_default_threads.store(std::max(0, std::min(t, ricci::max_threads()))); }

// ---- Control ---------------------------------------------------------------------------------

// Per environment (main thread and each worker_threads Worker load the addon separately): the
// Control constructor of that environment, as instance data.
void ControlWrap::Init(Napi::Env env, Napi::Object exports) {
  Napi::Function f = DefineClass(env, "Control", {InstanceMethod("cancel", &ControlWrap::Cancel)});
  env_data(env).control = Napi::Persistent(f);
  exports.Set("Control", f);
}

ControlWrap::ControlWrap(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<ControlWrap>(info), control_(std::make_shared<ricci::Control>()) {}

Napi::Value ControlWrap::Cancel(const Napi::CallbackInfo& info) {
  control_->cancel.store(true);
  return info.Env().Undefined();
}

std::shared_ptr<ricci::Control> control_option(const Napi::Object& o, KeepAlive& keep) {
  Napi::Value v = o.Get("control");
  if (v.IsUndefined() || v.IsNull()) return std::make_shared<ricci::Control>();
  const Napi::FunctionReference& ctor = env_data(o.Env()).control;
  if (!v.IsObject() || ctor.IsEmpty() || !v.As<Napi::Object>().InstanceOf(ctor.Value()))
    throw_invalid(o.Env(), "control", "must be a Control object");
  keep.add(v);
  return ControlWrap::Unwrap(v.As<Napi::Object>())->control();
}

// ---- Task ------------------------------------------------------------------------------------

// State shared by the JS side of a call and its compute thread.
struct Task::Shared {
  Run run;
  std::vector<std::shared_ptr<const void>> inputs;  // native copies of inputs, freed when run ends
  std::shared_ptr<ricci::Control> control;
  int threads = 0;
  napi_threadsafe_function tsfn = nullptr;
  bool failed = false;
  Failure failure;  // when failed
  std::mutex mu;
  std::condition_variable cv;
  bool work_done = false;  // run returned (or never will)
  bool finished = false;   // the compute side touches nothing of the call any more
};

namespace {
struct Message {
  bool done;  // completion (else a progress report)
  uint64_t count, total;
};
}  // namespace

Task::Task(Napi::Env env, KeepAlive&& keep, Done done)
    : deferred_(Napi::Promise::Deferred::New(env)), keep_(std::move(keep)), done_(std::move(done)) {}

Napi::Value Task::Schedule(Napi::Env env, const Napi::Object& options, KeepAlive&& keep, Run run,
                           Done done) {
  int threads = int_option(options, "threads", default_threads());
  if (threads < 0) throw_invalid(env, "threads", "must be >= 0 (0 = default)");
  std::shared_ptr<ricci::Control> control = control_option(options, keep);
  Napi::Value cb = options.Get("onProgress");
  if (!cb.IsUndefined() && !cb.IsNull() && !cb.IsFunction())
    throw_invalid(env, "onProgress", "must be a function");
  auto sh = std::make_shared<Shared>();
  sh->run = std::move(run);
  sh->inputs = keep.take_owned();
  sh->control = control;
  sh->threads = threads;
  auto* task = new Task(env, std::move(keep), std::move(done));
  task->sh_ = sh;
  if (cb.IsFunction()) {
    task->has_progress_ = true;
    task->progress_fn_ = Napi::Persistent(cb.As<Napi::Function>());
  }
  if (napi_create_threadsafe_function(env, nullptr, nullptr, Napi::String::New(env, "ricciflow"), 0, 1, task,
                                      &Task::Finalize, task, &Task::CallJs, &sh->tsfn) != napi_ok) {
    delete task;
    throw make_error(env, Failure{Kind::Native, "", "cannot create the completion channel of a native call"});
  }
  Napi::Promise promise = task->deferred_.Promise();
  if (task->has_progress_) {
    napi_threadsafe_function tsfn = sh->tsfn;
    control->on_progress = [tsfn](uint64_t d, uint64_t t) {
      auto* m = new Message{false, d, t};
      if (napi_call_threadsafe_function(tsfn, m, napi_tsfn_nonblocking) != napi_ok) delete m;
    };
  }
  try {
    ricci::submit_compute(
        threads, [sh] { return sh->control->cancelled(); },
        [sh](int granted) {
          try {
            if (granted <= 0) throw ricci::Error(ricci::ErrorCode::Cancelled, "", "cancelled");
            sh->control->throw_if_cancelled();
            sh->run(granted, *sh->control);
          } catch (...) {
            sh->failure = current_failure();
            sh->failed = true;
          }
          sh->control->on_progress = nullptr;  // no progress calls after the work is done
          sh->run = nullptr;  // drop what the work captured before JS sees the settlement
          sh->inputs.clear();  // input copies go back to the pool before the next call can start
                               // (and addon-owned inputs may be freed)
          std::lock_guard<std::mutex> lock(sh->mu);
          sh->work_done = true;
        },
        [sh] {
          auto* m = new Message{true, 0, 0};
          if (napi_call_threadsafe_function(sh->tsfn, m, napi_tsfn_nonblocking) != napi_ok) delete m;
          napi_release_threadsafe_function(sh->tsfn, napi_tsfn_release);
          std::lock_guard<std::mutex> lock(sh->mu);
          sh->finished = true;
          sh->cv.notify_all();
        });
  } catch (const std::exception& e) {
    // No dispatcher thread: nothing will run. Closing the channel finalizes (deletes) the task.
    control->on_progress = nullptr;
    {
      std::lock_guard<std::mutex> lock(sh->mu);
      sh->work_done = sh->finished = true;
    }
    napi_release_threadsafe_function(sh->tsfn, napi_tsfn_abort);
    throw make_error(env, Failure{Kind::Native, "", std::string("cannot start a native call: ") + e.what()});
  }
  return promise;
}

void Task::CallJs(napi_env env, napi_value, void* context, void* data) {
  std::unique_ptr<Message> m(static_cast<Message*>(data));
  // env is null when the environment is going away and the queue is emptied: nothing to deliver.
  if (env == nullptr || context == nullptr || !m) return;
  Task* task = static_cast<Task*>(context);
  try {
    Napi::Env e(env);
    Napi::HandleScope scope(e);
    if (m->done) task->Settle(e);
    else task->Progress(e, m->count, m->total);
  } catch (...) {
    // Nothing may escape to the caller of this callback; a failing JS call here means the
    // environment is stopping.
  }
}

void Task::Progress(Napi::Env env, uint64_t done, uint64_t total) {
  if (settled_ || !has_progress_) return;
  try {
    progress_fn_.Call({Napi::Number::New(env, static_cast<double>(done)), Napi::Number::New(env, static_cast<double>(total))});
  } catch (const Napi::Error&) {
    // The callback threw: its exception was taken off the environment; progress is advisory.
  }
}

void Task::Settle(Napi::Env env) {
  if (settled_) return;
  settled_ = true;
  Shared& sh = *sh_;
  try {
    if (sh.failed) {
      deferred_.Reject(make_error(env, sh.failure).Value());
      return;
    }
    // Reports queued from compute threads may still be in flight; deliver the final one here,
    // before the Promise settles, so that progress always ends with (total, total).
    const uint64_t total = sh.control->total.load();
    if (has_progress_ && total > 0) {
      try {
        progress_fn_.Call({Napi::Number::New(env, static_cast<double>(sh.control->done.load())),
                           Napi::Number::New(env, static_cast<double>(total))});
      } catch (const Napi::Error&) {
      }
    }
    deferred_.Resolve(done_(env));
  } catch (const Napi::Error& e) {
    deferred_.Reject(e.Value());
  } catch (const std::exception& e) {
    deferred_.Reject(make_error(env, Failure{Kind::Native, "", e.what()}).Value());
  }
}

void Task::Finalize(napi_env, void* data, void*) {
  Task* task = static_cast<Task*>(data);
  std::shared_ptr<Shared> sh = task->sh_;
  {
    // Normally the work finished long ago. When the environment is torn down mid-call (a Worker
    // terminated, process.exit() in a Worker), cancel the work and wait for the compute side to
    // let go of the call before anything it uses goes away.
    std::unique_lock<std::mutex> lock(sh->mu);
    if (!sh->work_done) sh->control->cancel.store(true);
    sh->cv.wait(lock, [&] { return sh->finished; });
  }
  try {
    delete task;
  } catch (...) {
  }
}

}  // namespace rfb