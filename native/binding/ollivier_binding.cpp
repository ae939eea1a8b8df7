// Binding of the exact Ollivier-Ricci solver (native/core/ollivier.h).
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "../core/ollivier.h"
#include "napi_util.h"
#include "registry.h"

namespace {

// ollivierCurvature(graph, { alpha = 0.5, edgeIds?: Int32Array, threads, control, onProgress })
//   -> Promise<Float64Array>: one κ_α per undirected edge, in edge order (with edgeIds: value p is
//   the curvature of edge edgeIds[p]); progress counts edges.
Napi::Value OllivierCurvature(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  rfb::KeepAlive keep;
  ricci::GraphView g = rfb::graph_arg(env, info[0], "graph", keep);
  Napi::Object opt = rfb::options_arg(info, 1);
  const double alpha = rfb::number_option(opt, "alpha", 0.5);
  if (!std::isfinite(alpha) || alpha < 0.0 || alpha >= 1.0)
    rfb::throw_invalid(env, "alpha", "must be a finite number in [0, 1) (got " + std::to_string(alpha) + ")");
  const int32_t* ids = nullptr;
  size_t count = 0;
  Napi::Value idv = opt.Get("edgeIds");
  if (!idv.IsUndefined() && !idv.IsNull()) {
    ids = rfb::int32_array_arg(env, idv, "edgeIds", -1, keep, &count);
    for (size_t p = 0; p < count; ++p)
      if (ids[p] < 0 || ids[p] >= g.m)
        rfb::throw_invalid(env, "edgeIds", "edge id " + std::to_string(ids[p]) + " is outside [0, " +
                                               std::to_string(g.m) + ")");
  }
  auto out = std::make_shared<std::vector<double>>();
  return rfb::Task::Schedule(
      env, opt, std::move(keep),
      [g, alpha, ids, count, out](int threads, ricci::Control& c) {
        *out = ids ? ricci::ollivier_curvature_edges(g, alpha, ids, static_cast<int64_t>(count), threads, &c)
                   : ricci::ollivier_curvature(g, alpha, threads, &c);
      },
      [out](Napi::Env env) -> Napi::Value { return rfb::to_f64(env, std::move(*out)); });
}

}  // namespace

void register_ollivier(Napi::Env env, Napi::Object exports) {
  exports.Set("ollivierCurvature", Napi::Function::New(env, OllivierCurvature, "ollivierCurvature"));
}
