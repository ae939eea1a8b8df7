// Typed JS errors. src/core/native.ts registers the package's error classes once per environment
// (registerErrors, at load); every error the addon throws is then an instance of the class of its
// kind, built by the class's own constructor (message, arg), so it carries that class's `.code`
// (src/core/errors.ts) and `.arg`. Its `.cause` is an Error with the native layer's own text and
// `kind` ('invalid-argument' | 'cancelled' | 'out-of-memory' | 'native'): the message a caller
// sees is the native one except for a cancellation ("the computation was cancelled").
#pragma once
#include <napi.h>

#include <string>

#include "../core/common.h"

namespace rfb {

enum class Kind { InvalidArgument, Cancelled, OutOfMemory, Native };

// A failure as the native side saw it: captured on any thread, made a JS error on the JS thread.
struct Failure {
  Kind kind = Kind::Native;
  std::string arg;
  std::string message;
};

// The exception being handled (call inside a catch block): ricci::Error by its code,
// std::bad_alloc as out of memory, anything else as a native failure.
Failure current_failure();
// The kind of a core error code.
Kind kind_of(ricci::ErrorCode code);

Napi::Error make_error(Napi::Env env, const Failure& f);
[[noreturn]] void throw_invalid(Napi::Env env, const std::string& arg, const std::string& message);
// Rethrows the exception being handled as its typed JS error (a Napi::Error passes unchanged).
[[noreturn]] void throw_current(Napi::Env env);

// Exports `name` calling F, whose exceptions of any type become typed JS errors.
template <Napi::Value (*F)(const Napi::CallbackInfo&)>
Napi::Value guarded(const Napi::CallbackInfo& info) {
  try {
    return F(info);
  } catch (...) {
    throw_current(info.Env());
  }
}
template <Napi::Value (*F)(const Napi::CallbackInfo&)>
void export_function(Napi::Env env, Napi::Object exports, const char* name) {
  exports.Set(name, Napi::Function::New(env, guarded<F>, name));
}

// registerErrors({ invalidArgument, cancelled, outOfMemory, native }): the classes of this
// environment (each (message, arg?) => Error); called by src/core/native.ts at load.
void register_errors(Napi::Env env, Napi::Object exports);

}  // namespace rfb
