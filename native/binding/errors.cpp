#include "errors.h"

#include <new>
#include <stdexcept>

#include "env_data.h"

namespace rfb {

namespace {

constexpr int kKinds = 4;
// Keys of registerErrors' argument and `kind` of a cause, by Kind.
const char* const kKindKeys[kKinds] = {"invalidArgument", "cancelled", "outOfMemory", "native"};
const char* const kKindNames[kKinds] = {"invalid-argument", "cancelled", "out-of-memory", "native"};
// `.code` of an error made before any class is registered (the addon loaded on its own).
const char* const kKindCodes[kKinds] = {"ERR_INVALID_ARGUMENT", "ERR_CANCELLED", "ERR_OUT_OF_MEMORY", "ERR_NATIVE"};

Napi::Value RegisterErrors(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject())
    throw_invalid(env, "classes", "must be { invalidArgument, cancelled, outOfMemory, native }");
  Napi::Object o = info[0].As<Napi::Object>();
  Napi::Function classes[kKinds];
  for (int k = 0; k < kKinds; ++k) {
    Napi::Value c = o.Get(kKindKeys[k]);
    if (!c.IsFunction()) throw_invalid(env, std::string("classes.") + kKindKeys[k], "must be an error class");
    classes[k] = c.As<Napi::Function>();
  }
  EnvData& d = env_data(env);
  for (int k = 0; k < kKinds; ++k) d.errors[k] = Napi::Persistent(classes[k]);
  return env.Undefined();
}

}  // namespace

Kind kind_of(ricci::ErrorCode code) {
  switch (code) {
    case ricci::ErrorCode::InvalidArgument: return Kind::InvalidArgument;
    case ricci::ErrorCode::Cancelled: return Kind::Cancelled;
    default: return Kind::Native;
  }
}

Failure current_failure() {
  try {
    throw;
  } catch (const ricci::Error& e) {
    return Failure{kind_of(e.code()), e.arg(), e.what()};
  } catch (const std::bad_alloc&) {
    return Failure{Kind::OutOfMemory, "", "out of memory"};
  } catch (const std::exception& e) {
    return Failure{Kind::Native, "", e.what()};
  } catch (...) {
    return Failure{Kind::Native, "", "unknown native error"};
  }
}

Napi::Error make_error(Napi::Env env, const Failure& f) {
  const int k = static_cast<int>(f.kind);
  const std::string message = f.kind == Kind::Cancelled ? "the computation was cancelled" : f.message;
  Napi::Error cause = Napi::Error::New(env, f.message);
  cause.Set("kind", Napi::String::New(env, kKindNames[k]));
  Napi::Value arg = f.arg.empty() ? env.Undefined() : Napi::String::New(env, f.arg).As<Napi::Value>();
  const Napi::FunctionReference& cls = env_data(env).errors[k];
  Napi::Error e;
  if (!cls.IsEmpty()) {
    e = Napi::Error(env, cls.New({Napi::String::New(env, message), arg}));
  } else {
    e = Napi::Error::New(env, message);
    e.Set("code", Napi::String::New(env, kKindCodes[k]));
    if (!f.arg.empty()) e.Set("arg", arg);
  }
  e.Set("cause", cause.Value());
  return e;
}

void throw_invalid(Napi::Env env, const std::string& arg, const std::string& message) {
  throw make_error(env, Failure{Kind::InvalidArgument, arg, arg + ": " + message});
}

void throw_current(Napi::Env env) {
  try {
    throw;
  } catch (const Napi::Error&) {
    throw;
  } catch (...) {
    throw make_error(env, current_failure());
  }
}

void register_errors(Napi::Env env, Napi::Object exports) {
  export_function<RegisterErrors>(env, exports, "registerErrors");
}

}  // namespace rfb
