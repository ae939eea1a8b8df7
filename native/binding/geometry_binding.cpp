// Binding of the geometry engine: kNN, graphs, geodesics, combinatorial curvatures, distances.
#include <algorithm>
#include <memory>
#include <string>

#include "../core/curvature.h"
#include "../core/distances.h"
#include "../core/geodesics.h"
#include "../core/graph.h"
#include "../core/knn.h"
#include "../core/mlp.h"
#include "../core/threads.h"
#include "napi_util.h"
#include "registry.h"

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
    throw rfb::make_error(env, "ERR_INVALID_ARGUMENT", "mode", e.what());
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

// { total, nodeMean, nodeSum } set on o (shared by curvature() and nodeCurvature()).
void set_node_stats(Napi::Env env, Napi::Object& o, ricci::NodeStats&& r) {
  o.Set("total", Napi::Number::New(env, r.total));
  o.Set("nodeMean", rfb::copy_f64(env, r.mean));
  o.Set("nodeSum", rfb::copy_f64(env, r.sum));
}

// knn(points, { k, threads }) -> Promise<Int32Array n*k>
Napi::Value Knn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  KeepAlive keep;
  ricci::PointsView p = rfb::points_arg(env, info[0], "points", keep);
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
  ricci::PointsView p = rfb::points_arg(env, info[0], "points", keep);
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

// geodesics(graph, { pairs?: Int32Array, hopMatrix?: 'uint8'|'uint16', threads }) -> Promise<object>
Napi::Value Geodesics(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  KeepAlive keep;
  ricci::GraphView g = rfb::graph_arg(env, info[0], "graph", keep);
  Napi::Object opt = rfb::options_arg(info, 1);
  const int32_t* pairs = nullptr;
  int64_t npairs = 0;
  Napi::Value pv = opt.Get("pairs");
  if (!pv.IsUndefined() && !pv.IsNull()) {
    size_t len = 0;
    pairs = rfb::int32_array_arg(env, pv, "pairs", -1, keep, &len);
    if (len % 2 != 0) rfb::throw_invalid(env, "pairs", "length must be even (interleaved pairs)");
    npairs = static_cast<int64_t>(len / 2);
  }
  const std::string hm = rfb::string_option(opt, "hopMatrix", "none");
  ricci::HopMatrix matrix = ricci::HopMatrix::None;
  if (hm == "uint8") matrix = ricci::HopMatrix::U8;
  else if (hm == "uint16") matrix = ricci::HopMatrix::U16;
  else if (hm != "none") rfb::throw_invalid(env, "hopMatrix", "must be 'none', 'uint8' or 'uint16'");
  auto res = std::make_shared<ricci::GeodesicResult>();
  return Task::Schedule(
      env, opt, std::move(keep),
      [g, pairs, npairs, matrix, res](int threads, ricci::Control& c) {
        *res = ricci::geodesics(g, pairs, npairs, matrix, threads, &c);
      },
      [res, npairs, matrix](Napi::Env env) -> Napi::Value {
        Napi::Object o = Napi::Object::New(env);
        o.Set("connected", Napi::Boolean::New(env, res->connected));
        o.Set("components", Napi::Number::New(env, res->components));
        o.Set("component", rfb::to_i32(env, std::move(res->component)));
        o.Set("geodesicSum", res->has_sum ? Napi::Number::New(env, static_cast<double>(res->sum)) : env.Null());
        o.Set("diameter", res->connected && res->diameter >= 0 ? Napi::Number::New(env, res->diameter) : env.Null());
        if (npairs > 0 || !res->pair_hops.empty()) o.Set("pairHops", rfb::to_i32(env, std::move(res->pair_hops)));
        if (matrix == ricci::HopMatrix::U8) o.Set("hopMatrix", rfb::to_u8(env, std::move(res->hop8)));
        if (matrix == ricci::HopMatrix::U16) o.Set("hopMatrix", rfb::to_u16(env, std::move(res->hop16)));
        return o;
      });
}

// curvature(graph, { names: ['forman','augmented','approx-ollivier'], triangles, edgeValues, threads })
//   -> Promise<{ [name]: { edge, nodeMean, nodeSum, total }, triangles? (when asked) }>
//   (edge: per undirected edge, or per kNN arc for directed Forman)
Napi::Value Curvature(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  KeepAlive keep;
  ricci::GraphView g = rfb::graph_arg(env, info[0], "graph", keep);
  Napi::Object opt = rfb::options_arg(info, 1);
  std::vector<std::string> names;
  Napi::Value nv = opt.Get("names");
  if (!nv.IsArray()) rfb::throw_invalid(env, "curvature", "names must be an array of curvature names");
  Napi::Array arr = nv.As<Napi::Array>();
  for (uint32_t t = 0; t < arr.Length(); ++t) {
    Napi::Value s = arr.Get(t);
    const std::string name = s.IsString() ? s.As<Napi::String>().Utf8Value() : "";
    if (name != "forman" && name != "augmented" && name != "approx-ollivier")
      rfb::throw_invalid(env, "curvature", "unknown curvature '" + name + "' (expected forman, augmented, approx-ollivier)");
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  struct State {
    ricci::CombinatorialResult r;
    std::vector<double> directed;  // directed Forman, per kNN arc
    ricci::NodeStats directed_nodes;
    bool directed_done = false;
  };
  auto st = std::make_shared<State>();
  const bool want_triangles = opt.Has("triangles") && opt.Get("triangles").ToBoolean().Value();
  const bool edge_values = !opt.Has("edgeValues") || opt.Get("edgeValues").ToBoolean().Value();
  return Task::Schedule(
      env, opt, std::move(keep),
      [g, names, st, want_triangles, edge_values](int threads, ricci::Control&) {
        ricci::CombinatorialRequest req;
        req.triangles = want_triangles;
        req.edge_values = edge_values;
        const bool directed = g.mode == ricci::Mode::Directed;
        for (auto& n : names) {
          if (n == "forman" && directed) {
            if (edge_values) {
              st->directed = ricci::directed_forman(g);
              st->directed_nodes = ricci::node_stats(g, st->directed.data(), static_cast<int64_t>(st->directed.size()), true);
            } else {
              st->directed_nodes = ricci::directed_forman_nodes(g);
            }
            st->directed_done = true;
          } else if (n == "forman") req.forman = true;
          else if (n == "augmented") req.augmented = true;
          else req.approx = true;
        }
        if (req.forman || req.augmented || req.approx || req.triangles) st->r = ricci::combinatorial_curvatures(g, req, threads);
      },
      [st, names](Napi::Env env) -> Napi::Value {
        Napi::Object o = Napi::Object::New(env);
        auto put = [&](const std::string& name, Napi::Float64Array edge, ricci::NodeStats&& nodes) {
          Napi::Object c = Napi::Object::New(env);
          c.Set("edge", edge);
          set_node_stats(env, c, std::move(nodes));
          o.Set(name, c);
        };
        ricci::CombinatorialResult& r = st->r;
        for (auto& n : names) {
          if (n == "forman" && st->directed_done) put(n, rfb::to_f64(env, std::move(st->directed)), std::move(st->directed_nodes));
          else if (n == "forman") put(n, rfb::to_f64(env, std::move(r.forman)), std::move(r.forman_nodes));
          else if (n == "augmented") put(n, rfb::to_f64(env, std::move(r.augmented)), std::move(r.augmented_nodes));
          else put(n, rfb::to_f64(env, std::move(r.approx)), std::move(r.approx_nodes));
        }
        if (!r.triangles.empty()) o.Set("triangles", rfb::to_i32(env, std::move(r.triangles)));
        return o;
      });
}

// nodeCurvature(graph, values: Float64Array, perArc) -> { nodeMean, nodeSum, total } (sync, O(m))
Napi::Value NodeCurvature(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  KeepAlive keep;
  ricci::GraphView g = rfb::graph_arg(env, info[0], "graph", keep);
  if (info.Length() < 2 || !info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
    rfb::throw_invalid(env, "values", "must be a Float64Array");
  Napi::Float64Array v = info[1].As<Napi::Float64Array>();
  const bool per_arc = info.Length() > 2 && info[2].ToBoolean().Value();
  ricci::NodeStats r;
  try {
    r = ricci::node_stats(g, v.Data(), static_cast<int64_t>(v.ElementLength()), per_arc);
  } catch (const ricci::Error& e) {
    throw rfb::make_error(env, "ERR_INVALID_ARGUMENT", e.arg(), e.what());
  }
  Napi::Object o = Napi::Object::New(env);
  set_node_stats(env, o, std::move(r));
  return o;
}

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

Napi::Value SetDefaultThreads(const Napi::CallbackInfo& info) {
  const int t = rfb::thread_count_arg(info.Env(), info[0], "threads", 0);  // 0 = the budget
  rfb::set_default_threads(t);
  return info.Env().Undefined();
}

Napi::Value SetThreadBudget(const Napi::CallbackInfo& info) {
  const int t = rfb::thread_count_arg(info.Env(), info[0], "budget", 1);
  ricci::ThreadBudget::global().set_capacity(t);
  return info.Env().Undefined();
}

Napi::Value ThreadInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("hardware", Napi::Number::New(env, ricci::hardware_threads()));
  o.Set("budget", Napi::Number::New(env, ricci::ThreadBudget::global().capacity()));
  o.Set("defaultThreads", Napi::Number::New(env, rfb::default_threads()));
  o.Set("inUse", Napi::Number::New(env, ricci::ThreadBudget::global().in_use()));
  o.Set("peak", Napi::Number::New(env, ricci::ThreadBudget::global().peak()));
  o.Set("max", Napi::Number::New(env, ricci::max_threads()));
  return o;
}

Napi::Value Diagnostics(const Napi::CallbackInfo& info) {
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
  o.Set("kernel", kernel);
  return o;
}

}  // namespace

void register_geometry(Napi::Env env, Napi::Object exports) {
  exports.Set("knn", Napi::Function::New(env, Knn, "knn"));
  exports.Set("knnGraph", Napi::Function::New(env, KnnGraph, "knnGraph"));
  exports.Set("graphFromKnn", Napi::Function::New(env, GraphFromKnn, "graphFromKnn"));
  exports.Set("geodesics", Napi::Function::New(env, Geodesics, "geodesics"));
  exports.Set("curvature", Napi::Function::New(env, Curvature, "curvature"));
  exports.Set("nodeCurvature", Napi::Function::New(env, NodeCurvature, "nodeCurvature"));
  exports.Set("pairwiseDistances", Napi::Function::New(env, PairwiseDistances, "pairwiseDistances"));
  exports.Set("setDefaultThreads", Napi::Function::New(env, SetDefaultThreads, "setDefaultThreads"));
  exports.Set("setThreadBudget", Napi::Function::New(env, SetThreadBudget, "setThreadBudget"));
  exports.Set("threadInfo", Napi::Function::New(env, ThreadInfo, "threadInfo"));
  exports.Set("diagnostics", Napi::Function::New(env, Diagnostics, "diagnostics"));
}
