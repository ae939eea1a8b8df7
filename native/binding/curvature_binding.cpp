// Binding of the combinatorial curvatures and node statistics (core/curvature.h).
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "../core/curvature.h"
#include "convert.h"
#include "registry.h"
#include "task.h"

namespace {

using rfb::KeepAlive;
using rfb::Task;

// { total, nodeMean, nodeSum } set on o (shared by curvature() and nodeCurvature()).
void set_node_stats(Napi::Env env, Napi::Object& o, ricci::NodeStats&& r) {
  o.Set("total", Napi::Number::New(env, r.total));
  o.Set("nodeMean", rfb::copy_f64(env, r.mean));
  o.Set("nodeSum", rfb::copy_f64(env, r.sum));
}

// curvature(graph, { names: ['forman','augmented','approx-ollivier'], triangles, edgeValues, threads })
//   -> Promise<{ [name]: { edge, perArc, nodeMean, nodeSum, total }, triangles? (when asked) }>
//   (edge: per undirected edge, or per kNN arc when perArc: the core's choice, ricci::curvatures)
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
  ricci::CombinatorialRequest req;
  for (auto& n : names) {
    if (n == "forman") req.forman = true;
    else if (n == "augmented") req.augmented = true;
    else req.approx = true;
  }
  req.triangles = opt.Has("triangles") && opt.Get("triangles").ToBoolean().Value();
  req.edge_values = !opt.Has("edgeValues") || opt.Get("edgeValues").ToBoolean().Value();
  auto r = std::make_shared<ricci::CurvatureResult>();
  return Task::Schedule(
      env, opt, std::move(keep),
      [g, req, r](int threads, ricci::Control&) { *r = ricci::curvatures(g, req, threads); },
      [r, names](Napi::Env env) -> Napi::Value {
        Napi::Object o = Napi::Object::New(env);
        auto put = [&](const std::string& name, Napi::Float64Array edge, ricci::NodeStats&& nodes, bool per_arc) {
          Napi::Object c = Napi::Object::New(env);
          c.Set("edge", edge);
          c.Set("perArc", Napi::Boolean::New(env, per_arc));
          set_node_stats(env, c, std::move(nodes));
          o.Set(name, c);
        };
        for (auto& n : names) {
          if (n == "forman") put(n, rfb::to_f64(env, std::move(r->forman)), std::move(r->forman_nodes), r->forman_per_arc);
          else if (n == "augmented") put(n, rfb::to_f64(env, std::move(r->augmented)), std::move(r->augmented_nodes), false);
          else put(n, rfb::to_f64(env, std::move(r->approx)), std::move(r->approx_nodes), false);
        }
        if (!r->triangles.empty()) o.Set("triangles", rfb::to_i32(env, std::move(r->triangles)));
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
    throw rfb::make_error(env, rfb::Failure{rfb::kind_of(e.code()), e.arg(), e.what()});
  }
  Napi::Object o = Napi::Object::New(env);
  set_node_stats(env, o, std::move(r));
  return o;
}

}  // namespace

void register_curvature(Napi::Env env, Napi::Object exports) {
  rfb::export_function<Curvature>(env, exports, "curvature");
  rfb::export_function<NodeCurvature>(env, exports, "nodeCurvature");
}
