// Binding of kNN search and kNN graphs (core/knn.h, core/graph.h): neighbour lists, graphs built
// from points or from given lists.
#include <memory>
#include <string>
#include <vector>

#include "../core/graph.h"
#include "../core/knn.h"
#include "convert.h"
#include "registry.h"
#include "task.h"

namespace {

using rfb::KeepAlive;
using rfb::Task;

int32_t k_option(Napi::Env env, const Napi::Object& o, size_t n) {
  Napi::Value v = o.Get("k");
  if (v.IsUndefined() || v.IsNull()) rfb::throw_invalid(env, "k", "is required");
  if (!v.IsNumber()) rfb::throw_invalid(env, "k", "must be a number");
  const double k = v.As<Napi::Number>().DoubleValue();
  if (!(k >= 1) || k != static_cast<double>(static_cast<int64_t>(k)) || k > static_cast<double>(n) - 1)
    rfb::throw_invalid(env, "k", "must be an integer with 1 <= k <= n-1 (n = " + std::to_string(n) + ")");
  return static_cast<int32_t>(k);
}

ricci::Mode mode_option(Napi::Env env, const Napi::Object& o) {
  try {
    return ricci::parse_mode(rfb::string_option(o, "mode", "union"));
  } catch (const ricci::Error& e) {
    throw rfb::make_error(env, rfb::Failure{rfb::kind_of(e.code()), "mode", e.what()});
  }
}

// Built graphs are valid by construction: their fingerprint (computed on the worker) lets later
// calls skip the full validation.
struct BuiltGraph {
  std::vector<int32_t> knn;
  ricci::Graph g;
  uint64_t fingerprint = 0;
  void finish() {
    ricci::GraphView v = g.view();
    if (g.mode == ricci::Mode::Directed) v.knn = knn.data();
    fingerprint = ricci::graph_fingerprint(v);
    g.knn.clear();
  }
};

Napi::Object graph_object(Napi::Env env, BuiltGraph& b) {
  ricci::Graph& g = b.g;
  ricci::GraphView view = g.view();
  view.knn = g.mode == ricci::Mode::Directed ? b.knn.data() : nullptr;
  view.k = g.k;
  std::vector<int32_t>&& knn = std::move(b.knn);
  Napi::Object o = Napi::Object::New(env);
  o.Set("n", Napi::Number::New(env, g.n));
  o.Set("k", Napi::Number::New(env, g.k));
  o.Set("mode", Napi::String::New(env, ricci::mode_name(g.mode)));
  o.Set("edgeCount", Napi::Number::New(env, static_cast<double>(g.edges.size() / 2)));
  o.Set("knn", rfb::to_i32(env, std::move(knn)));
  o.Set("offsets", rfb::to_i32(env, std::move(g.offsets)));
  o.Set("neighbors", rfb::to_i32(env, std::move(g.nbrs)));
  o.Set("edges", rfb::to_i32(env, std::move(g.edges)));
  // Vectors moved into the ArrayBuffers keep their storage, so the view's addresses still hold.
  rfb::remember_validated(view, b.fingerprint);
  return o;
}

// knn(points, { k, threads }) -> Promise<Int32Array n*k>
Napi::Value Knn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  KeepAlive keep;
  ricci::PointsView p = rfb::points_arg(env, info[0], "points", keep, /*finite_checked_by_core=*/true);
  Napi::Object opt = rfb::options_arg(info, 1);
  const int32_t k = k_option(env, opt, p.n);
  auto out = std::make_shared<std::vector<int32_t>>();
  return Task::Schedule(
      env, opt, std::move(keep),
      [p, k, out](int threads, ricci::Control& c) { *out = ricci::knn(p, k, threads, &c); },
      [out](Napi::Env env) -> Napi::Value { return rfb::to_i32(env, std::move(*out)); });
}

// knnGraph(points, { k, mode, threads }) -> Promise<graph object>
Napi::Value KnnGraph(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  KeepAlive keep;
  ricci::PointsView p = rfb::points_arg(env, info[0], "points", keep, /*finite_checked_by_core=*/true);
  Napi::Object opt = rfb::options_arg(info, 1);
  const int32_t k = k_option(env, opt, p.n);
  const ricci::Mode mode = mode_option(env, opt);
  auto st = std::make_shared<BuiltGraph>();
  return Task::Schedule(
      env, opt, std::move(keep),
      [p, k, mode, st](int threads, ricci::Control& c) {
        st->knn = ricci::knn(p, k, threads, &c);
        st->g = ricci::build_graph(st->knn.data(), static_cast<int32_t>(p.n), k, mode, threads);
        st->finish();
      },
      [st](Napi::Env env) -> Napi::Value { return graph_object(env, *st); });
}

// graphFromKnn(knn: Int32Array, { n, k, mode }) -> Promise<graph object>
Napi::Value GraphFromKnn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  KeepAlive keep;
  Napi::Object opt = rfb::options_arg(info, 1);
  const int n = rfb::int_option(opt, "n", -1);
  if (n < 2) rfb::throw_invalid(env, "n", "need at least 2 points");
  const int32_t k = k_option(env, opt, static_cast<size_t>(n));
  const ricci::Mode mode = mode_option(env, opt);
  const int32_t* knn = rfb::int32_array_arg(env, info[0], "knn", static_cast<int64_t>(n) * k, keep);
  auto st = std::make_shared<BuiltGraph>();
  return Task::Schedule(
      env, opt, std::move(keep),
      [knn, n, k, mode, st](int threads, ricci::Control&) {
        st->knn.assign(knn, knn + static_cast<size_t>(n) * k);
        st->g = ricci::build_graph(knn, n, k, mode, threads);
        st->finish();
      },
      [st](Napi::Env env) -> Napi::Value { return graph_object(env, *st); });
}

}  // namespace

void register_knn(Napi::Env env, Napi::Object exports) {
  rfb::export_function<Knn>(env, exports, "knn");
  rfb::export_function<KnnGraph>(env, exports, "knnGraph");
  rfb::export_function<GraphFromKnn>(env, exports, "graphFromKnn");
}
