// Binding of the pairwise Euclidean distances (core/distances.h).
#include <memory>
#include <vector>

#include "../core/distances.h"
#include "convert.h"
#include "registry.h"
#include "task.h"

namespace {

using rfb::KeepAlive;
using rfb::Task;

// pairwiseDistances(points, { threads }) -> Promise<Float64Array n*n>
Napi::Value PairwiseDistances(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  KeepAlive keep;
  ricci::PointsView p = rfb::points_arg(env, info[0], "points", keep);
  Napi::Object opt = rfb::options_arg(info, 1);
  if (p.n > 46340) rfb::throw_invalid(env, "points", "n x n distance matrix too large");
  auto out = std::make_shared<std::vector<double>>();
  return Task::Schedule(
      env, opt, std::move(keep),
      [p, out](int threads, ricci::Control&) { *out = ricci::pairwise_distances(p, threads); },
      [out](Napi::Env env) -> Napi::Value { return rfb::to_f64(env, std::move(*out)); });
}

}  // namespace

void register_distances(Napi::Env env, Napi::Object exports) {
  rfb::export_function<PairwiseDistances>(env, exports, "pairwiseDistances");
}
