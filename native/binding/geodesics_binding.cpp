// Binding of hop geodesics (core/geodesics.h): components, geodesic sum, diameter, pair hops, hop matrix.
#include <memory>
#include <string>

#include "../core/geodesics.h"
#include "convert.h"
#include "registry.h"
#include "task.h"

namespace {

using rfb::KeepAlive;
using rfb::Task;

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

}  // namespace

void register_geodesics(Napi::Env env, Napi::Object exports) {
  rfb::export_function<Geodesics>(env, exports, "geodesics");
}
