// Typed JS errors thrown by the binding: every error carries `.code` and, when known, `.arg`
// (see src/core/errors.ts for the classes the TypeScript layer maps them to).
#pragma once
#include <napi.h>

#include <string>

#include "../core/common.h"

namespace rfb {

// Creates a JS Error carrying `.code` ('ERR_INVALID_ARGUMENT' | 'ERR_CANCELLED' | 'ERR_NATIVE')
// and `.arg`; the TypeScript layer turns it into the matching error class.
Napi::Error make_error(Napi::Env env, const std::string& code, const std::string& arg,
                       const std::string& message);
[[noreturn]] void throw_invalid(Napi::Env env, const std::string& arg, const std::string& message);
// The `.code` of a core error kind.
const char* code_name(ricci::ErrorCode c);

}  // namespace rfb
