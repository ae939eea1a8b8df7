// Binding of the exact Ollivier-Ricci solver (native/core/ollivier.h).
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "../core/ollivier.h"
#include "convert.h"
#include "registry.h"
#include "task.h"

namespace {

// ollivierCurvature(graph, { alpha = 0.5, edgeIds?: Int32Array, threads, control, onProgress })
//   -> Promise<Float64Array>: one κ_α per undirected edge, in edge order (with edgeIds: value p is
//   the curvature of edge edgeIds[p]); progress counts edges.
//   Testing hooks (not in the TypeScript API; test/analysis/ollivier.test.ts): distance2: 'auto' | 'bitsets'
//   | 'push' (the distance-2 tables; 'push' is the route of large graphs) and fastPath: false (every
//   edge through the general path). The values are the same whatever they say.
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
  static const int32_t kNoIds = 0;  // an empty edgeIds array still means "these edges" (none)
  if (!idv.IsUndefined() && !idv.IsNull()) {
    ids = rfb::int32_array_arg(env, idv, "edgeIds", -1, keep, &count);
    if (ids == nullptr) ids = &kNoIds;
    for (size_t p = 0; p < count; ++p)
      if (ids[p] < 0 || ids[p] >= g.m)
        rfb::throw_invalid(env, "edgeIds", "edge id " + std::to_string(ids[p]) + " is outside [0, " +
                                               std::to_string(g.m) + ")");
  }
  ricci::detail::Strategy strategy;
  const std::string d2 = rfb::string_option(opt, "distance2", "auto");
  if (d2 == "bitsets") strategy.distance2 = 1;
  else if (d2 == "push") strategy.distance2 = 2;
  else if (d2 != "auto") rfb::throw_invalid(env, "distance2", "must be 'auto', 'bitsets' or 'push' (got '" + d2 + "')");
  strategy.fast_path = rfb::bool_option(opt, "fastPath", true);
  auto out = std::make_shared<std::vector<double>>();
  return rfb::Task::Schedule(
      env, opt, std::move(keep),
      [g, alpha, ids, count, strategy, out](int threads, ricci::Control& c) {
        *out = ricci::detail::ollivier_curvature_with(g, alpha, threads, &c, strategy, ids,
                                                      static_cast<int64_t>(count));
      },
      [out](Napi::Env env) -> Napi::Value { return rfb::to_f64(env, std::move(*out)); });
}

}  // namespace

void register_ollivier(Napi::Env env, Napi::Object exports) {
  rfb::export_function<OllivierCurvature>(env, exports, "ollivierCurvature");
}
