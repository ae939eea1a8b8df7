#include "errors.h"

namespace rfb {

const char* code_name(ricci::ErrorCode c) {
  switch (c) {
    case ricci::ErrorCode::InvalidArgument: return "ERR_INVALID_ARGUMENT";
    case ricci::ErrorCode::Cancelled: return "ERR_CANCELLED";
    default: return "ERR_NATIVE";
  }
}

Napi::Error make_error(Napi::Env env, const std::string& code, const std::string& arg,
                       const std::string& message) {
  Napi::Error e = Napi::Error::New(env, message);
  e.Set("code", Napi::String::New(env, code));
  if (!arg.empty()) e.Set("arg", Napi::String::New(env, arg));
  return e;
}

void throw_invalid(Napi::Env env, const std::string& arg, const std::string& message) {
  throw make_error(env, "ERR_INVALID_ARGUMENT", arg, arg + ": " + message);
}

}  // namespace rfb
