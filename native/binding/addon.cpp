// Module entry: registers every binding unit. Units not yet built are weak symbols (see registry).
#include <napi.h>

#include "napi_util.h"
#include "registry.h"

#if defined(RICCIFLOW_GLIBC_COMPAT) && defined(__linux__) && defined(__GLIBC__) && \
    (defined(__x86_64__) || defined(__aarch64__))
#include <omp.h>

#include <cstring>
#include <exception>
extern "C" int ricciflow_check_find_object(void* const* pcs, int count);
extern "C" int ricciflow_find_object_uses_fallback();

// Test hook for the older-glibc shim (native/compat/glibc_compat.cpp): whether the unwinder's
// _dl_find_object is emulated, and the emulation compared with glibc's on code addresses in this
// addon, static libstdc++, libc, libgomp and the host executable.
static Napi::Value GlibcCompat(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  void* const pcs[] = {
      reinterpret_cast<void*>(&GlibcCompat),
      reinterpret_cast<void*>(&ricciflow_check_find_object),
      reinterpret_cast<void*>(static_cast<void (*)()>(&std::terminate)),
      reinterpret_cast<void*>(&::strlen),
      reinterpret_cast<void*>(&omp_get_max_threads),
      reinterpret_cast<void*>(&napi_create_object),
      nullptr,
  };
  Napi::Object o = Napi::Object::New(env);
  o.Set("fallback", Napi::Boolean::New(env, ricciflow_find_object_uses_fallback() != 0));
  o.Set("findObjectCheck", Napi::Number::New(env, ricciflow_check_find_object(pcs, sizeof pcs / sizeof pcs[0])));
  return o;
}
#endif

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  rfb::ControlWrap::Init(env, exports);
  register_geometry(env, exports);
  if (register_ollivier) register_ollivier(env, exports);
  if (register_mlp) register_mlp(env, exports);
  exports.Set("abiVersion", Napi::Number::New(env, 1));
#if defined(RICCIFLOW_GLIBC_COMPAT) && defined(__linux__) && defined(__GLIBC__) && \
    (defined(__x86_64__) || defined(__aarch64__))
  exports.Set("glibcCompat", Napi::Function::New(env, GlibcCompat, "glibcCompat"));
#endif
  return exports;
}

NODE_API_MODULE(ricciflow, Init)
