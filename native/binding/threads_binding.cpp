// Binding of the thread budget (core/threads.h) and cancellation: the Control class, default threads
// per call, the process-wide budget and its state.
#include "../core/threads.h"
#include "convert.h"
#include "registry.h"
#include "task.h"

namespace {

Napi::Value SetDefaultThreads(const Napi::CallbackInfo& info) {
  const int t = rfb::thread_count_arg(info.Env(), info[0], "threads", 0);  // 0 = the budget
  rfb::set_default_threads(t);
  return info.Env().Undefined();
}

Napi::Value SetThreadBudget(const Napi::CallbackInfo& info) {
  const int t = rfb::thread_count_arg(info.Env(), info[0], "budget", 1);
  ricci::ThreadBudget::global().set_capacity(t);
  return info.Env().Undefined();
}

Napi::Value ThreadInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("hardware", Napi::Number::New(env, ricci::hardware_threads()));
  o.Set("budget", Napi::Number::New(env, ricci::ThreadBudget::global().capacity()));
  o.Set("defaultThreads", Napi::Number::New(env, rfb::default_threads()));
  o.Set("inUse", Napi::Number::New(env, ricci::ThreadBudget::global().in_use()));
  o.Set("peak", Napi::Number::New(env, ricci::ThreadBudget::global().peak()));
  o.Set("max", Napi::Number::New(env, ricci::max_threads()));
  return o;
}

}  // namespace

void register_threads(Napi::Env env, Napi::Object exports) {
  rfb::ControlWrap::Init(env, exports);
  rfb::export_function<SetDefaultThreads>(env, exports, "setDefaultThreads");
  rfb::export_function<SetThreadBudget>(env, exports, "setThreadBudget");
  rfb::export_function<ThreadInfo>(env, exports, "threadInfo");
}
