// Module entry: registers every binding unit (registry.h), plus the module-wide diagnostics.
#include <napi.h>

#include <string>

#include "../core/curvature.h"
#include "../core/gram.h"
#include "../core/mlp.h"
#include "../core/threads.h"
#include "convert.h"
#include "errors.h"
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
#else
// Built without the shim (sanitizer builds, other platforms): nothing to report.
static Napi::Value GlibcCompat(const Napi::CallbackInfo& info) { return info.Env().Null(); }
#endif

// Full graph validations so far, compute threads created and the kernels chosen for this CPU.
static Napi::Value Diagnostics(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("graphValidations", Napi::Number::New(env, static_cast<double>(rfb::graph_validation_count())));
  o.Set("computeThreads", Napi::Number::New(env, ricci::compute_thread_count()));
  Napi::Object kernel = Napi::Object::New(env);
  const char* tri = ricci::triangle_kernel_name();
  kernel.Set("avx2", Napi::Boolean::New(env, ricci::built_with_avx2()));
  kernel.Set("avx512", Napi::Boolean::New(env, std::string(tri) != "portable"));
  kernel.Set("triangles", Napi::String::New(env, tri));
  kernel.Set("training", Napi::String::New(env, ricci::mlp::training_kernel()));
  kernel.Set("knn", Napi::String::New(env, ricci::gram::kernel_name()));
  o.Set("kernel", kernel);
  return o;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  rfb::register_errors(env, exports);
  register_threads(env, exports);
  register_knn(env, exports);
  register_distances(env, exports);
  register_geodesics(env, exports);
  register_curvature(env, exports);
  register_ollivier(env, exports);
  register_mlp(env, exports);
  rfb::export_function<Diagnostics>(env, exports, "diagnostics");
  rfb::export_function<GlibcCompat>(env, exports, "glibcCompat");
  exports.Set("abiVersion", Napi::Number::New(env, 1));
  return exports;
}

NODE_API_MODULE(ricciflow, Init)
