#include "napi_util.h"

#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>

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
void set_default_threads(int t) { g_default_threads.store(std::max(0, std::min(t, ricci::max_threads()))); }

int thread_count_arg(Napi::Env env, Napi::Value v, const std::string& name, int lo) {
  const int hi = ricci::max_threads();
  if (!v.IsNumber()) throw_invalid(env, name, "must be a number");
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || d != std::floor(d))
    throw_invalid(env, name, "must be a finite integer (got " + v.ToString().Utf8Value() + ")");
  if (d < lo || d > hi)
    throw_invalid(env, name, "must be between " + std::to_string(lo) + " and " + std::to_string(hi) +
                                 " (got " + v.ToString().Utf8Value() + ")");
  return static_cast<int>(d);
}

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

namespace {
// Buffers handed to JS by to_buffer and not yet finalized: start address -> byte length. Shared by
// every environment (a worker's buffers are its own, but the map is keyed by address).
std::mutex g_owned_mu;
struct OwnedEntry {
  size_t bytes;
  std::weak_ptr<const void> holder;
};
std::map<uintptr_t, OwnedEntry>* g_owned = new std::map<uintptr_t, OwnedEntry>();  // never destroyed

// A strong reference to the addon-owned buffer holding [data, data + bytes), or null.
std::shared_ptr<const void> owned_by_addon(const void* data, size_t bytes) {
  const uintptr_t a = reinterpret_cast<uintptr_t>(data);
  std::lock_guard<std::mutex> lock(g_owned_mu);
  auto it = g_owned->upper_bound(a);
  if (it == g_owned->begin()) return nullptr;
  --it;
  if (a >= it->first && a - it->first <= it->second.bytes && bytes <= it->second.bytes - (a - it->first))
    return it->second.holder.lock();
  return nullptr;
}
}  // namespace

void register_owned(const void* data, size_t bytes, const std::shared_ptr<const void>& holder) {
  std::lock_guard<std::mutex> lock(g_owned_mu);
  (*g_owned)[reinterpret_cast<uintptr_t>(data)] = OwnedEntry{bytes, holder};
}

void unregister_owned(const void* data) {
  std::lock_guard<std::mutex> lock(g_owned_mu);
  g_owned->erase(reinterpret_cast<uintptr_t>(data));
}

namespace {
// Memory for input copies, reused: on the VMs we run on, first-touching fresh pages costs far
// more than the copy itself (a 6.3 MB copy into fresh memory took 2-70 ms under load, into
// reused memory 0.3 ms). Keeps at most 4 blocks and 256 MiB; blocks are 64-byte aligned (the
// core's kernels read rows with wide loads).
class CopyPool {
 public:
  void* get(size_t bytes, size_t* cap) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      size_t best = free_.size();
      for (size_t i = 0; i < free_.size(); ++i)
        if (free_[i].second >= bytes && free_[i].second <= 2 * bytes + (1u << 20) &&
            (best == free_.size() || free_[i].second < free_[best].second))
          best = i;
      if (best != free_.size()) {
        void* p = free_[best].first;
        *cap = free_[best].second;
        cached_ -= *cap;
        free_.erase(free_.begin() + static_cast<long>(best));
        return p;
      }
    }
    *cap = (bytes + 63) / 64 * 64;
    return std::aligned_alloc(64, *cap);
  }
  void put(void* p, size_t cap) {
    std::vector<void*> drop;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (cap > kMaxCached) {
        drop.push_back(p);
      } else {
        free_.emplace_back(p, cap);
        cached_ += cap;
        while (free_.size() > 4 || cached_ > kMaxCached) {
          drop.push_back(free_.front().first);
          cached_ -= free_.front().second;
          free_.erase(free_.begin());
        }
      }
    }
    for (void* q : drop) std::free(q);
  }

 private:
  static constexpr size_t kMaxCached = size_t(256) << 20;
  std::mutex mu_;
  std::vector<std::pair<void*, size_t>> free_;
  size_t cached_ = 0;
};

CopyPool& copy_pool() {
  static CopyPool* pool = new CopyPool();  // never destroyed: copies may be freed at exit
  return *pool;
}
}  // namespace

const void* stable_bytes(Napi::Env env, Napi::TypedArray ta, KeepAlive& keep) {
  napi_typedarray_type type;
  size_t length = 0, offset = 0;
  void* data = nullptr;
  napi_value buffer = nullptr;
  if (napi_get_typedarray_info(env, ta, &type, &length, &data, &buffer, &offset) != napi_ok)
    throw make_error(env, "ERR_NATIVE", "", "cannot read a typed array");
  keep.add(ta);
  const size_t bytes = ta.ByteLength();
  if (bytes == 0) return data;
  if (std::shared_ptr<const void> holder = owned_by_addon(data, bytes)) {
    keep.own(std::move(holder), false);  // in place, and alive until the call ends
    return data;
  }
  bool plain = true;
  if (napi_is_arraybuffer(env, buffer, &plain) == napi_ok && !plain) return data;  // SharedArrayBuffer
  size_t cap = 0;
  void* copy = copy_pool().get(bytes, &cap);
  if (copy == nullptr) throw make_error(env, "ERR_NATIVE", "", "out of memory copying an input array");
  std::memcpy(copy, data, bytes);
  keep.own(std::shared_ptr<const void>(copy, [cap](const void* q) { copy_pool().put(const_cast<void*>(q), cap); }), true);
  return copy;
}

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
  } else if (ta.TypedArrayType() == napi_float64_array) {
    p.dtype = ricci::DType::F64;
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
  p.data = stable_bytes(env, ta, keep);
  try {
    ricci::validate_points(p, name);
  } catch (const ricci::Error& e) {
    throw make_error(env, "ERR_INVALID_ARGUMENT", e.arg(), e.what());
  }
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
  return static_cast<const int32_t*>(stable_bytes(env, a, keep));
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
    // Copies (arrays JS could detach) get fresh addresses on every call: validated, never cached.
    const uint64_t fingerprint = ricci::check_graph_bounds(g, name);
    if (keep.copied() || !validated_before(g, fingerprint)) {
      g_validation_count.fetch_add(1, std::memory_order_relaxed);
      ricci::validate_graph(g, name);
      if (!keep.copied()) remember_validated(g, fingerprint);
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

// Per environment (main thread and each worker_threads Worker load the addon separately): the
// Control constructor of that environment, as instance data.
void ControlWrap::Init(Napi::Env env, Napi::Object exports) {
  Napi::Function f = DefineClass(env, "Control", {InstanceMethod("cancel", &ControlWrap::Cancel)});
  env.SetInstanceData<Napi::FunctionReference>(new Napi::FunctionReference(Napi::Persistent(f)));
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
  Napi::FunctionReference* ctor = o.Env().GetInstanceData<Napi::FunctionReference>();
  if (!v.IsObject() || ctor == nullptr || !v.As<Napi::Object>().InstanceOf(ctor->Value()))
    throw_invalid(o.Env(), "control", "must be a Control object");
  keep.add(v);
  return ControlWrap::Unwrap(v.As<Napi::Object>())->control();
}

// ---- Task ------------------------------------------------------------------------------------

// State shared by the JS side of a call and its compute thread.
struct Task::Shared {
  Run run;
  std::vector<std::shared_ptr<const void>> inputs;  // native copies of inputs, freed when run ends
  std::shared_ptr<ricci::Control> control;
  int threads = 0;
  napi_threadsafe_function tsfn = nullptr;
  std::string err_code, err_arg, err_msg;
  std::mutex mu;
  std::condition_variable cv;
  bool work_done = false;  // run returned (or never will)
  bool finished = false;   // the compute side touches nothing of the call any more
};

namespace {
struct Message {
  bool done;  // completion (else a progress report)
  uint64_t count, total;
};
}  // namespace

Task::Task(Napi::Env env, KeepAlive&& keep, Done done)
    : deferred_(Napi::Promise::Deferred::New(env)), keep_(std::move(keep)), done_(std::move(done)) {}

Napi::Value Task::Schedule(Napi::Env env, const Napi::Object& options, KeepAlive&& keep, Run run,
                           Done done) {
  int threads = int_option(options, "threads", default_threads());
  if (threads < 0) throw_invalid(env, "threads", "must be >= 0 (0 = default)");
  std::shared_ptr<ricci::Control> control = control_option(options, keep);
  Napi::Value cb = options.Get("onProgress");
  if (!cb.IsUndefined() && !cb.IsNull() && !cb.IsFunction())
    throw_invalid(env, "onProgress", "must be a function");
  auto sh = std::make_shared<Shared>();
  sh->run = std::move(run);
  sh->inputs = keep.take_owned();
  sh->control = control;
  sh->threads = threads;
  auto* task = new Task(env, std::move(keep), std::move(done));
  task->sh_ = sh;
  if (cb.IsFunction()) {
    task->has_progress_ = true;
    task->progress_fn_ = Napi::Persistent(cb.As<Napi::Function>());
  }
  if (napi_create_threadsafe_function(env, nullptr, nullptr, Napi::String::New(env, "ricciflow"), 0, 1, task,
                                      &Task::Finalize, task, &Task::CallJs, &sh->tsfn) != napi_ok) {
    delete task;
    throw make_error(env, "ERR_NATIVE", "", "cannot create the completion channel of a native call");
  }
  Napi::Promise promise = task->deferred_.Promise();
  if (task->has_progress_) {
    napi_threadsafe_function tsfn = sh->tsfn;
    control->on_progress = [tsfn](uint64_t d, uint64_t t) {
      auto* m = new Message{false, d, t};
      if (napi_call_threadsafe_function(tsfn, m, napi_tsfn_nonblocking) != napi_ok) delete m;
    };
  }
  try {
    ricci::submit_compute(
        threads, [sh] { return sh->control->cancelled(); },
        [sh](int granted) {
          try {
            if (granted <= 0) throw ricci::Error(ricci::ErrorCode::Cancelled, "", "cancelled");
            sh->control->throw_if_cancelled();
            sh->run(granted, *sh->control);
          } catch (const ricci::Error& e) {
            sh->err_code = code_name(e.code());
            sh->err_arg = e.arg();
            sh->err_msg = e.what();
          } catch (const std::bad_alloc&) {
            sh->err_code = "ERR_NATIVE";
            sh->err_msg = "out of memory";
          } catch (const std::exception& e) {
            sh->err_code = "ERR_NATIVE";
            sh->err_msg = e.what();
          } catch (...) {
            sh->err_code = "ERR_NATIVE";
            sh->err_msg = "unknown native error";
          }
          sh->control->on_progress = nullptr;  // no progress calls after the work is done
          sh->run = nullptr;  // drop what the work captured before JS sees the settlement
          sh->inputs.clear();  // input copies go back to the pool before the next call can start
                               // (and addon-owned inputs may be freed)
          std::lock_guard<std::mutex> lock(sh->mu);
          sh->work_done = true;
        },
        [sh] {
          auto* m = new Message{true, 0, 0};
          if (napi_call_threadsafe_function(sh->tsfn, m, napi_tsfn_nonblocking) != napi_ok) delete m;
          napi_release_threadsafe_function(sh->tsfn, napi_tsfn_release);
          std::lock_guard<std::mutex> lock(sh->mu);
          sh->finished = true;
          sh->cv.notify_all();
        });
  } catch (const std::exception& e) {
    // No dispatcher thread: nothing will run. Closing the channel finalizes (deletes) the task.
    control->on_progress = nullptr;
    {
      std::lock_guard<std::mutex> lock(sh->mu);
      sh->work_done = sh->finished = true;
    }
    napi_release_threadsafe_function(sh->tsfn, napi_tsfn_abort);
    throw make_error(env, "ERR_NATIVE", "", std::string("cannot start a native call: ") + e.what());
  }
  return promise;
}

void Task::CallJs(napi_env env, napi_value, void* context, void* data) {
  std::unique_ptr<Message> m(static_cast<Message*>(data));
  // env is null when the environment is going away and the queue is emptied: nothing to deliver.
  if (env == nullptr || context == nullptr || !m) return;
  Task* task = static_cast<Task*>(context);
  try {
    Napi::Env e(env);
    Napi::HandleScope scope(e);
    if (m->done) task->Settle(e);
    else task->Progress(e, m->count, m->total);
  } catch (...) {
    // Nothing may escape to the caller of this callback; a failing JS call here means the
    // environment is stopping.
  }
}

void Task::Progress(Napi::Env env, uint64_t done, uint64_t total) {
  if (settled_ || !has_progress_) return;
  try {
    progress_fn_.Call({Napi::Number::New(env, static_cast<double>(done)), Napi::Number::New(env, static_cast<double>(total))});
  } catch (const Napi::Error&) {
    // The callback threw: its exception was taken off the environment; progress is advisory.
  }
}

void Task::Settle(Napi::Env env) {
  if (settled_) return;
  settled_ = true;
  Shared& sh = *sh_;
  try {
    if (!sh.err_code.empty()) {
      deferred_.Reject(make_error(env, sh.err_code, sh.err_arg, sh.err_msg).Value());
      return;
    }
    // Reports queued from compute threads may still be in flight; deliver the final one here,
    // before the Promise settles, so that progress always ends with (total, total).
    const uint64_t total = sh.control->total.load();
    if (has_progress_ && total > 0) {
      try {
        progress_fn_.Call({Napi::Number::New(env, static_cast<double>(sh.control->done.load())),
                           Napi::Number::New(env, static_cast<double>(total))});
      } catch (const Napi::Error&) {
      }
    }
    deferred_.Resolve(done_(env));
  } catch (const Napi::Error& e) {
    deferred_.Reject(e.Value());
  } catch (const std::exception& e) {
    deferred_.Reject(make_error(env, "ERR_NATIVE", "", e.what()).Value());
  }
}

void Task::Finalize(napi_env, void* data, void*) {
  Task* task = static_cast<Task*>(data);
  std::shared_ptr<Shared> sh = task->sh_;
  {
    // Normally the work finished long ago. When the environment is torn down mid-call (a Worker
    // terminated, process.exit() in a Worker), cancel the work and wait for the compute side to
    // let go of the call before anything it uses goes away.
    std::unique_lock<std::mutex> lock(sh->mu);
    if (!sh->work_done) sh->control->cancel.store(true);
    sh->cv.wait(lock, [&] { return sh->finished; });
  }
  try {
    delete task;
  } catch (...) {
  }
}

}  // namespace rfb
