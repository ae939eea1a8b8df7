// Module entry: registers every binding unit. Units not yet built are weak symbols (see registry).
#include <napi.h>

#include "napi_util.h"
#include "registry.h"

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  rfb::ControlWrap::Init(env, exports);
  register_geometry(env, exports);
  if (register_ollivier) register_ollivier(env, exports);
  if (register_mlp) register_mlp(env, exports);
  exports.Set("abiVersion", Napi::Number::New(env, 1));
  return exports;
}

NODE_API_MODULE(ricciflow, Init)
