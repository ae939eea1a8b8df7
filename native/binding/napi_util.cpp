#include "napi_util.h"

#include <atomic>
#include <cstring>

#include "../core/threads.h"

namespace rfb {

namespace {
std::atomic<int> g_default_threads{0};

const char* code_name(ricci::ErrorCode c) {
  switch (c) {
    case ricci::ErrorCode::InvalidArgument: return "ERR_INVALID_ARGUMENT";
    case ricci::ErrorCode::Cancelled: return "ERR_CANCELLED";
    default: return "ERR_NATIVE";
  }
}
}  // namespace

int default_threads() { return g_default_threads.load(); }
void set_default_threads(int t) { g_default_threads.store(t < 0 ? 0 : t); }

Napi::Error make_error(Napi::Env env, const std::string& code, const std::string& arg,
                       const std::string& message) {
  Napi::Error e = Napi::Error::New(env, message);
  e.Set("code", Napi::String::New(env, code));
  if (!arg.empty()) e.Set("arg", Napi::String::New(env, arg));
  return e;
}

void throw_invalid(Napi::Env env, const std::string& arg, const std::string& message) {
  throw make_error(env, "ERR_INVALID_ARGUMENT", arg, arg + ": " + message);
}

Napi::Object options_arg(const Napi::CallbackInfo& info, size_t index) {
  if (info.Length() <= index || info[index].IsUndefined() || info[index].IsNull())
    return Napi::Object::New(info.Env());
  if (!info[index].IsObject()) throw_invalid(info.Env(), "options", "must be an object");
  return info[index].As<Napi::Object>();
}

static Napi::Value get_opt(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  return (v.IsUndefined() || v.IsNull()) ? Napi::Value() : v;
}

int int_option(const Napi::Object& o, const char* key, int fallback) {
  Napi::Value v = get_opt(o, key);
  if (v.IsEmpty()) return fallback;
  if (!v.IsNumber()) throw_invalid(o.Env(), key, "must be a number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d == static_cast<double>(static_cast<int64_t>(d))) || d < -2147483648.0 || d > 2147483647.0)
    throw_invalid(o.Env(), key, "must be an integer");
  return static_cast<int>(d);
}

double number_option(const Napi::Object& o, const char* key, double fallback) {
  Napi::Value v = get_opt(o, key);
  if (v.IsEmpty()) return fallback;
  if (!v.IsNumber()) throw_invalid(o.Env(), key, "must be a number");
  return v.As<Napi::Number>().DoubleValue();
}

bool bool_option(const Napi::Object& o, const char* key, bool fallback) {
  Napi::Value v = get_opt(o, key);
  if (v.IsEmpty()) return fallback;
  if (!v.IsBoolean()) throw_invalid(o.Env(), key, "must be a boolean");
  return v.As<Napi::Boolean>().Value();
}

std::string string_option(const Napi::Object& o, const char* key, const std::string& fallback) {
  Napi::Value v = get_opt(o, key);
  if (v.IsEmpty()) return fallback;
  if (!v.IsString()) throw_invalid(o.Env(), key, "must be a string");
  return v.As<Napi::String>().Utf8Value();
}

void KeepAlive::add(Napi::Value v) { refs_.push_back(Napi::Persistent(v)); }

static size_t whole_number(Napi::Env env, Napi::Value v, const std::string& name) {
  if (!v.IsNumber()) throw_invalid(env, name, "must be a number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= 0) || d != static_cast<double>(static_cast<uint64_t>(d)) || d > 9.0e15)
    throw_invalid(env, name, "must be a non-negative integer");
  return static_cast<size_t>(d);
}

ricci::PointsView points_arg(Napi::Env env, Napi::Value v, const std::string& name, KeepAlive& keep) {
  if (!v.IsObject()) throw_invalid(env, name, "must be { data: Float32Array | Float64Array, n, d }");
  Napi::Object o = v.As<Napi::Object>();
  Napi::Value data = o.Get("data");
  if (!data.IsTypedArray())
    throw_invalid(env, name, "data must be a Float32Array or Float64Array (got a non-numeric array)");
  Napi::TypedArray ta = data.As<Napi::TypedArray>();
  ricci::PointsView p;
  if (ta.TypedArrayType() == napi_float32_array) {
    p.dtype = ricci::DType::F32;
    p.data = ta.As<Napi::Float32Array>().Data();
  } else if (ta.TypedArrayType() == napi_float64_array) {
    p.dtype = ricci::DType::F64;
    p.data = ta.As<Napi::Float64Array>().Data();
  } else {
    throw_invalid(env, name, "data must be a Float32Array or Float64Array");
  }
  p.n = whole_number(env, o.Get("n"), name + ".n");
  p.d = whole_number(env, o.Get("d"), name + ".d");
  if (p.d < 1) throw_invalid(env, name + ".d", "must be >= 1");
  if (p.n < 2) throw_invalid(env, name + ".n", "need at least 2 points (got " + std::to_string(p.n) + ")");
  if (ta.ElementLength() != p.n * p.d)
    throw_invalid(env, name, "data length " + std::to_string(ta.ElementLength()) + " != n*d = " +
                                 std::to_string(p.n) + "*" + std::to_string(p.d));
  try {
    ricci::validate_points(p, name);
  } catch (const ricci::Error& e) {
    throw make_error(env, "ERR_INVALID_ARGUMENT", e.arg(), e.what());
  }
  keep.add(data);
  return p;
}

const int32_t* int32_array_arg(Napi::Env env, Napi::Value v, const std::string& name,
                               int64_t expected, KeepAlive& keep, size_t* length) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
    throw_invalid(env, name, "must be an Int32Array");
  Napi::Int32Array a = v.As<Napi::Int32Array>();
  if (expected >= 0 && static_cast<int64_t>(a.ElementLength()) != expected)
    throw_invalid(env, name, "length " + std::to_string(a.ElementLength()) + " != expected " +
                                 std::to_string(expected));
  if (length) *length = a.ElementLength();
  keep.add(v);
  return a.Data();
}

namespace {
// Recently validated graphs: array addresses, sizes and content fingerprint (per JS thread).
struct ValidatedGraph {
  const int32_t *offsets, *nbrs, *edges, *knn;
  int64_t m;
  int32_t n;
  uint64_t fingerprint;
};
thread_local std::vector<ValidatedGraph> g_validated;
std::atomic<uint64_t> g_validation_count{0};

bool same_arrays(const ValidatedGraph& v, const ricci::GraphView& g) {
  return v.offsets == g.offsets && v.nbrs == g.nbrs && v.edges == g.edges && v.knn == g.knn && v.m == g.m && v.n == g.n;
}

bool validated_before(const ricci::GraphView& g, uint64_t fingerprint) {
  for (const auto& v : g_validated)
    if (same_arrays(v, g)) return v.fingerprint == fingerprint;
  return false;
}

}  // namespace

uint64_t graph_validation_count() { return g_validation_count.load(std::memory_order_relaxed); }

void remember_validated(const ricci::GraphView& g, uint64_t fingerprint) {
  ValidatedGraph v{g.offsets, g.nbrs, g.edges, g.knn, g.m, g.n, fingerprint};
  for (auto& w : g_validated)
    if (same_arrays(w, g)) {
      w = v;
      return;
    }
  if (g_validated.size() >= 64) g_validated.erase(g_validated.begin());
  g_validated.push_back(v);
}

ricci::GraphView graph_arg(Napi::Env env, Napi::Value v, const std::string& name, KeepAlive& keep) {
  if (!v.IsObject()) throw_invalid(env, name, "must be a graph object from knnGraph()");
  Napi::Object o = v.As<Napi::Object>();
  ricci::GraphView g;
  size_t n = whole_number(env, o.Get("n"), name + ".n");
  if (n > 2147483647u) throw_invalid(env, name + ".n", "too large");
  g.n = static_cast<int32_t>(n);
  try {
    g.mode = ricci::parse_mode(o.Get("mode").IsString() ? o.Get("mode").As<Napi::String>().Utf8Value() : "");
  } catch (const ricci::Error& e) {
    throw make_error(env, "ERR_INVALID_ARGUMENT", name + ".mode", e.what());
  }
  g.offsets = int32_array_arg(env, o.Get("offsets"), name + ".offsets", g.n + 1, keep);
  size_t nn = 0, ne = 0;
  g.nbrs = int32_array_arg(env, o.Get("neighbors"), name + ".neighbors", -1, keep, &nn);
  g.edges = int32_array_arg(env, o.Get("edges"), name + ".edges", -1, keep, &ne);
  if (ne % 2 != 0) throw_invalid(env, name + ".edges", "length must be even (interleaved pairs)");
  g.m = static_cast<int64_t>(ne / 2);
  if (static_cast<int64_t>(nn) != 2 * g.m)
    throw_invalid(env, name, "neighbors length must be twice the number of edges");
  if (g.mode == ricci::Mode::Directed) {
    g.k = static_cast<int32_t>(whole_number(env, o.Get("k"), name + ".k"));
    g.knn = int32_array_arg(env, o.Get("knn"), name + ".knn", static_cast<int64_t>(n) * g.k, keep);
  }
  try {
    // Bounds are checked on every call (memory safety does not rest on a cache). The full
    // semantic validation is remembered for graphs already validated with identical contents.
    const uint64_t fingerprint = ricci::check_graph_bounds(g, name);
    if (!validated_before(g, fingerprint)) {
      g_validation_count.fetch_add(1, std::memory_order_relaxed);
      ricci::validate_graph(g, name);
      remember_validated(g, fingerprint);
    }
  } catch (const ricci::Error& e) {
    throw make_error(env, "ERR_INVALID_ARGUMENT", e.arg(), e.what());
  }
  return g;
}

Napi::Float64Array copy_f64(Napi::Env env, const std::vector<double>& v) {
  Napi::Float64Array a = Napi::Float64Array::New(env, v.size());
  if (!v.empty()) std::memcpy(a.Data(), v.data(), v.size() * sizeof(double));
  return a;
}

// ---- Control ---------------------------------------------------------------------------------

Napi::FunctionReference* ControlWrap::ctor_ = nullptr;

void ControlWrap::Init(Napi::Env env, Napi::Object exports) {
  Napi::Function f = DefineClass(env, "Control", {InstanceMethod("cancel", &ControlWrap::Cancel)});
  ctor_ = new Napi::FunctionReference(Napi::Persistent(f));
  exports.Set("Control", f);
}

ControlWrap::ControlWrap(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<ControlWrap>(info), control_(std::make_shared<ricci::Control>()) {}

Napi::Value ControlWrap::Cancel(const Napi::CallbackInfo& info) {
  control_->cancel.store(true);
  return info.Env().Undefined();
}

std::shared_ptr<ricci::Control> control_option(const Napi::Object& o, KeepAlive& keep) {
  Napi::Value v = o.Get("control");
  if (v.IsUndefined() || v.IsNull()) return std::make_shared<ricci::Control>();
  if (!v.IsObject() || ControlWrap::ctor_ == nullptr ||
      !v.As<Napi::Object>().InstanceOf(ControlWrap::ctor_->Value()))
    throw_invalid(o.Env(), "control", "must be a Control object");
  keep.add(v);
  return ControlWrap::Unwrap(v.As<Napi::Object>())->control();
}

// ---- Task ------------------------------------------------------------------------------------

namespace {
struct ProgressData {
  uint64_t done, total;
};
}  // namespace

Task::Task(Napi::Env env, int threads, std::shared_ptr<ricci::Control> control, KeepAlive&& keep,
           Run run, Done done)
    : Napi::AsyncWorker(env, "ricciflow"),
      deferred_(Napi::Promise::Deferred::New(env)),
      threads_(threads),
      control_(std::move(control)),
      keep_(std::move(keep)),
      run_(std::move(run)),
      done_(std::move(done)) {}

Task::~Task() {
  if (has_progress_) progress_.Release();
}

Napi::Value Task::Schedule(Napi::Env env, const Napi::Object& options, KeepAlive&& keep, Run run,
                           Done done) {
  int threads = int_option(options, "threads", default_threads());
  if (threads < 0) throw_invalid(env, "threads", "must be >= 0 (0 = default)");
  std::shared_ptr<ricci::Control> control = control_option(options, keep);
  Napi::Value cb = options.Get("onProgress");
  if (!cb.IsUndefined() && !cb.IsNull() && !cb.IsFunction())
    throw_invalid(env, "onProgress", "must be a function");
  auto* task = new Task(env, threads, control, std::move(keep), std::move(run), std::move(done));
  if (cb.IsFunction()) {
    task->progress_ = Napi::ThreadSafeFunction::New(env, cb.As<Napi::Function>(), "ricciflow-progress", 0, 1);
    task->has_progress_ = true;
    task->progress_fn_ = Napi::Persistent(cb.As<Napi::Function>());
    Napi::ThreadSafeFunction tsfn = task->progress_;
    control->on_progress = [tsfn](uint64_t d, uint64_t t) mutable {
      auto* data = new ProgressData{d, t};
      napi_status s = tsfn.NonBlockingCall(data, [](Napi::Env env, Napi::Function fn, ProgressData* p) {
        if (env != nullptr && fn != nullptr) {
          fn.Call({Napi::Number::New(env, static_cast<double>(p->done)),
                   Napi::Number::New(env, static_cast<double>(p->total))});
        }
        delete p;
      });
      if (s != napi_ok) delete data;
    };
  }
  Napi::Promise promise = task->deferred_.Promise();
  task->Queue();
  return promise;
}

void Task::Execute() {
  try {
    control_->throw_if_cancelled();
    ricci::ThreadLease lease(threads_);
    const int granted = lease.count();
    ricci::run_on_compute_thread([&] { run_(granted, *control_); });
  } catch (const ricci::Error& e) {
    err_code_ = code_name(e.code());
    err_arg_ = e.arg();
    err_msg_ = e.what();
  } catch (const std::bad_alloc&) {
    err_code_ = "ERR_NATIVE";
    err_msg_ = "out of memory";
  } catch (const std::exception& e) {
    err_code_ = "ERR_NATIVE";
    err_msg_ = e.what();
  } catch (...) {
    err_code_ = "ERR_NATIVE";
    err_msg_ = "unknown native error";
  }
  control_->on_progress = nullptr;  // no progress calls after the worker is done
}

void Task::OnOK() {
  Napi::Env env = Env();
  Napi::HandleScope scope(env);
  if (!err_code_.empty()) {
    deferred_.Reject(make_error(env, err_code_, err_arg_, err_msg_).Value());
    return;
  }
  try {
    // Reports queued from compute threads may still be in flight; deliver the final one here,
    // before the Promise settles, so that progress always ends with (total, total).
    const uint64_t total = control_->total.load();
    if (has_progress_ && total > 0)
      progress_fn_.Call({Napi::Number::New(env, static_cast<double>(control_->done.load())),
                         Napi::Number::New(env, static_cast<double>(total))});
    deferred_.Resolve(done_(env));
  } catch (const Napi::Error& e) {
    deferred_.Reject(e.Value());
  } catch (const std::exception& e) {
    deferred_.Reject(make_error(env, "ERR_NATIVE", "", e.what()).Value());
  }
}

void Task::OnError(const Napi::Error& e) { deferred_.Reject(e.Value()); }

}  // namespace rfb
