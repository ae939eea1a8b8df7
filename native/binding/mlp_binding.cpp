// Binding of the dense-network trainer (core/mlp.h): a stateful MlpTrainer holding R replicate
// networks and the training data, trained epoch chunks at a time by Promise-returning calls, plus
// stateless forward passes. The TypeScript layer (src/train/) owns the loop: seeds, validation
// split, early stopping and progress.
#include <atomic>
#include <cmath>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

#include "../core/mlp.h"
#include "../core/threads.h"
#include "convert.h"
#include "registry.h"
#include "task.h"

namespace {

using rfb::KeepAlive;
using rfb::Task;
namespace mlp = ricci::mlp;

[[noreturn]] void rethrow_core(Napi::Env env, const ricci::Error& e) {
  throw rfb::make_error(env, rfb::Failure{rfb::kind_of(e.code()), e.arg(), e.what()});
}

std::vector<int32_t> sizes_arg(Napi::Env env, Napi::Value v) {
  std::vector<int32_t> sizes;
  if (v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == napi_int32_array) {
    Napi::Int32Array a = v.As<Napi::Int32Array>();
    sizes.assign(a.Data(), a.Data() + a.ElementLength());
  } else if (v.IsArray()) {
    Napi::Array a = v.As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); ++i) {
      Napi::Value e = a.Get(i);
      if (!e.IsNumber()) rfb::throw_invalid(env, "sizes", "must hold numbers");
      const double d = e.As<Napi::Number>().DoubleValue();
      if (!(d >= 1) || d != std::floor(d) || d > 2147483647.0)
        rfb::throw_invalid(env, "sizes", "entry " + std::to_string(i) + " must be a positive integer");
      sizes.push_back(static_cast<int32_t>(d));
    }
  } else {
    rfb::throw_invalid(env, "sizes", "must be an array of layer sizes [d0, h1, ..., 1]");
  }
  try {
    mlp::validate_sizes(sizes);
  } catch (const ricci::Error& e) {
    rethrow_core(env, e);
  }
  return sizes;
}

mlp::Init init_arg(Napi::Env env, Napi::Value v) {
  if (v.IsUndefined() || v.IsNull()) return mlp::Init::Glorot;
  const std::string s = v.IsString() ? v.As<Napi::String>().Utf8Value() : std::string();
  if (s == "glorot") return mlp::Init::Glorot;
  if (s == "pytorch") return mlp::Init::PyTorch;
  rfb::throw_invalid(env, "init", "must be 'glorot' or 'pytorch'");
}

uint64_t seed_value(Napi::Env env, Napi::Value v, const std::string& name) {
  if (!v.IsNumber()) rfb::throw_invalid(env, name, "must be a number");
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= 0) || d != std::floor(d) || d > 9007199254740991.0)
    rfb::throw_invalid(env, name, "must be an integer in [0, 2^53)");
  return static_cast<uint64_t>(d);
}

// A Float32Array (read without copying) of exactly `expected` elements (any length if < 0).
const float* f32_arg(Napi::Env env, Napi::Value v, const std::string& name, int64_t expected,
                     size_t* length = nullptr) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    rfb::throw_invalid(env, name, "must be a Float32Array");
  Napi::Float32Array a = v.As<Napi::Float32Array>();
  if (expected >= 0 && static_cast<int64_t>(a.ElementLength()) != expected)
    rfb::throw_invalid(env, name, "length " + std::to_string(a.ElementLength()) + " != expected " +
                                      std::to_string(expected));
  if (length) *length = a.ElementLength();
  return a.Data();
}

size_t count_arg(Napi::Env env, Napi::Value v, const std::string& name) {
  if (!v.IsNumber()) rfb::throw_invalid(env, name, "must be a number");
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= 0) || d != std::floor(d) || d > 9.0e15) rfb::throw_invalid(env, name, "must be a non-negative integer");
  return static_cast<size_t>(d);
}

// Options object for Task::Schedule with `threads` capped at `cap` (no point leasing threads a
// call cannot use), carrying over control and onProgress.
Napi::Object task_options(Napi::Env env, const Napi::Object& opt, int cap) {
  int threads = rfb::int_option(opt, "threads", rfb::default_threads());
  if (threads < 0) rfb::throw_invalid(env, "threads", "must be >= 0 (0 = default)");
  if (threads == 0) threads = ricci::ThreadBudget::global().capacity();
  Napi::Object o = Napi::Object::New(env);
  o.Set("threads", Napi::Number::New(env, std::max(1, std::min(threads, cap))));
  o.Set("control", opt.Get("control"));
  o.Set("onProgress", opt.Get("onProgress"));
  return o;
}

// Training rows bound by setData: copied into 64-byte aligned buffers, so a step's arithmetic
// never depends on where the caller's arrays happen to sit and no caller can free or resize them
// during a call, with their sparse forms (full-batch and mini-batch steps) built once, on first use. The rows
// last bound in this process stay cached: a trainer given rows with the same n, d and bytes
// (compared in full) shares that copy and its sparse form instead of validating, copying and
// building them again (a study trains many networks on one data set, one trainer per group).
struct BoundRows {
  mlp::FloatBuffer x, y;
  size_t n = 0, d = 0;
  std::mutex mu;  // guards the sparse forms
  std::shared_ptr<const mlp::SparseRows> sparse;
  bool sparse_checked = false;
  // The sparse form of these rows (computed by the first full-batch call that needs it).
  void bind_sparse(mlp::Dataset& data) {
    std::lock_guard<std::mutex> lock(mu);
    if (!sparse_checked) {
      sparse = mlp::sparse_rows(data);
      sparse_checked = true;
    }
    data.sparse = sparse;
    data.sparse_checked = true;
  }
  // The same for mini-batch steps' row_tiles.
  std::shared_ptr<const mlp::RowTiles> row_tiles;
  bool row_tiles_checked = false;
  void bind_row_tiles(mlp::Dataset& data) {
    std::lock_guard<std::mutex> lock(mu);
    if (!row_tiles_checked) {
      row_tiles = mlp::row_tiles(data);
      row_tiles_checked = true;
    }
    data.row_tiles = row_tiles;
    data.row_tiles_checked = true;
  }
};

std::mutex g_rows_mu;
std::shared_ptr<BoundRows> g_last_rows;  // the rows bound last (one set, replaced by the next)

// The cached rows when they equal (x, y) of n x d, else null.
std::shared_ptr<BoundRows> cached_rows(const float* x, const float* y, size_t n, size_t d) {
  std::shared_ptr<BoundRows> last;
  {
    std::lock_guard<std::mutex> lock(g_rows_mu);
    last = g_last_rows;
  }
  if (!last || last->n != n || last->d != d) return nullptr;
  if (std::memcmp(last->y.data(), y, n * sizeof(float)) != 0) return nullptr;
  if (std::memcmp(last->x.data(), x, n * d * sizeof(float)) != 0) return nullptr;
  return last;
}

struct TrainerState {
  std::vector<mlp::Replicate> reps;
  std::atomic<bool> busy{false};
  // Bound data (the training rows shared as BoundRows; validation rows copied likewise).
  std::shared_ptr<BoundRows> rows;
  mlp::FloatBuffer val_x, val_y;
  mlp::Dataset train, val;
  bool has_data = false, has_val = false;
};

struct BusyGuard {
  std::shared_ptr<TrainerState> st;
  ~BusyGuard() {
    if (st) st->busy.store(false);
  }
};

class MlpTrainer : public Napi::ObjectWrap<MlpTrainer> {
 public:
  static void Init(Napi::Env env, Napi::Object exports) {
    Napi::Function f = DefineClass(
        env, "MlpTrainer",
        {InstanceMethod("setData", &MlpTrainer::Guarded<&MlpTrainer::SetData>), InstanceMethod("train", &MlpTrainer::Guarded<&MlpTrainer::Train>),
         InstanceMethod("getWeights", &MlpTrainer::Guarded<&MlpTrainer::GetWeights>),
         InstanceMethod("setWeights", &MlpTrainer::Guarded<&MlpTrainer::SetWeights>),
         InstanceMethod("stopInfo", &MlpTrainer::Guarded<&MlpTrainer::StopInfo>),
         InstanceMethod("trainMetrics", &MlpTrainer::Guarded<&MlpTrainer::TrainMetrics>),
         InstanceAccessor("replicates", &MlpTrainer::Replicates, nullptr),
         InstanceAccessor("paramCount", &MlpTrainer::ParamCount, nullptr)});
    exports.Set("MlpTrainer", f);
  }

  // new MlpTrainer({ sizes, seeds: number[], weights?: (Float32Array | null)[], init?: 'glorot' | 'pytorch' })
  explicit MlpTrainer(const Napi::CallbackInfo& info) : Napi::ObjectWrap<MlpTrainer>(info) {
    Napi::Env env = info.Env();
    st_ = std::make_shared<TrainerState>();
    Napi::Object o = rfb::options_arg(info, 0);
    sizes_ = sizes_arg(env, o.Get("sizes"));
    const mlp::Init init = init_arg(env, o.Get("init"));
    Napi::Value seeds = o.Get("seeds");
    if (!seeds.IsArray() || seeds.As<Napi::Array>().Length() == 0)
      rfb::throw_invalid(env, "seeds", "must be a non-empty array of integers");
    Napi::Array sa = seeds.As<Napi::Array>();
    Napi::Value weights = o.Get("weights");
    const bool has_w = !weights.IsUndefined() && !weights.IsNull();
    if (has_w && (!weights.IsArray() || weights.As<Napi::Array>().Length() != sa.Length()))
      rfb::throw_invalid(env, "weights", "must be an array with one entry (Float32Array or null) per seed");
    const size_t np = mlp::param_count(sizes_);
    for (uint32_t r = 0; r < sa.Length(); ++r) {
      const uint64_t seed = seed_value(env, sa.Get(r), "seeds[" + std::to_string(r) + "]");
      Napi::Value w = has_w ? weights.As<Napi::Array>().Get(r) : env.Undefined();
      try {
        if (w.IsUndefined() || w.IsNull()) {
          st_->reps.push_back(mlp::make_replicate(sizes_, seed, init));
        } else {
          const float* p = f32_arg(env, w, "weights[" + std::to_string(r) + "]", static_cast<int64_t>(np));
          st_->reps.push_back(mlp::make_replicate(mlp::import_weights(sizes_, p, np), seed));
        }
      } catch (...) {
        rfb::throw_current(env);  // core errors by kind, out of memory as such
      }
    }
  }

 private:
  // A method whose exceptions of any type become typed JS errors (as rfb::export_function).
  template <Napi::Value (MlpTrainer::*M)(const Napi::CallbackInfo&)>
  Napi::Value Guarded(const Napi::CallbackInfo& info) {
    try {
      return (this->*M)(info);
    } catch (...) {
      rfb::throw_current(info.Env());
    }
  }

  void check_idle(Napi::Env env) {
    if (st_->busy.load()) rfb::throw_invalid(env, "trainer", "is training; wait for train() to settle");
  }

  size_t replicate_arg(const Napi::CallbackInfo& info) {
    const size_t r = count_arg(info.Env(), info[0], "replicate");
    if (r >= st_->reps.size()) rfb::throw_invalid(info.Env(), "replicate", "out of range");
    return r;
  }

  // setData({ x, y, n, xVal?, yVal?, nVal? }): Float32Arrays, validated once, kept referenced.
  Napi::Value SetData(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    check_idle(env);
    Napi::Object o = rfb::options_arg(info, 0);
    const size_t d = static_cast<size_t>(sizes_[0]);
    mlp::Dataset tr, va;
    tr.n = count_arg(env, o.Get("n"), "n");
    tr.d = d;
    if (tr.n == 0) rfb::throw_invalid(env, "n", "no training rows");
    tr.x = f32_arg(env, o.Get("x"), "x", static_cast<int64_t>(tr.n * d));
    tr.y = f32_arg(env, o.Get("y"), "y", static_cast<int64_t>(tr.n));
    const bool has_val = !o.Get("xVal").IsUndefined() && !o.Get("xVal").IsNull();
    if (has_val) {
      va.n = count_arg(env, o.Get("nVal"), "nVal");
      va.d = d;
      va.x = f32_arg(env, o.Get("xVal"), "xVal", static_cast<int64_t>(va.n * d));
      va.y = f32_arg(env, o.Get("yVal"), "yVal", static_cast<int64_t>(va.n));
    }
    // Rows equal to the cached ones were validated when they were bound.
    std::shared_ptr<BoundRows> rows = cached_rows(tr.x, tr.y, tr.n, tr.d);
    try {
      if (!rows) mlp::validate_dataset(tr, d, true, "train");
      if (has_val && va.n > 0) mlp::validate_dataset(va, d, true, "validation");
    } catch (const ricci::Error& e) {
      rethrow_core(env, e);
    }
    if (!rows) {
      rows = std::make_shared<BoundRows>();
      rows->n = tr.n;
      rows->d = tr.d;
      rows->x.assign(tr.x, tr.x + tr.n * tr.d);
      rows->y.assign(tr.y, tr.y + tr.n);
      std::lock_guard<std::mutex> lock(g_rows_mu);
      g_last_rows = rows;
    }
    st_->rows = rows;
    tr.x = rows->x.data();
    tr.y = rows->y.data();
    if (has_val && va.n > 0) {
      st_->val_x.assign(va.x, va.x + va.n * va.d);
      st_->val_y.assign(va.y, va.y + va.n);
      va.x = st_->val_x.data();
      va.y = st_->val_y.data();
    } else {
      st_->val_x.clear();
      st_->val_y.clear();
    }
    st_->train = tr;
    st_->val = va;
    st_->has_data = true;
    st_->has_val = has_val && va.n > 0;
    return env.Undefined();
  }

  // train({ epochs, batchSize, learningRate, rho, epsilon, active?: Uint8Array, threads, control,
  //         onProgress }) -> Promise<Float64Array R*epochs*5>: per replicate, per epoch
  // [epoch, loss, accuracy, valLoss, valAccuracy]; rows of inactive replicates are NaN.
  Napi::Value Train(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    check_idle(env);
    if (!st_->has_data) rfb::throw_invalid(env, "trainer", "call setData() before train()");
    Napi::Object o = rfb::options_arg(info, 0);
    const int epochs = rfb::int_option(o, "epochs", 1);
    if (epochs < 0) rfb::throw_invalid(env, "epochs", "must be >= 0");
    mlp::Hyper h;
    Napi::Value bv = o.Get("batchSize");
    if (bv.IsString() && bv.As<Napi::String>().Utf8Value() == "full") {
      h.batch = mlp::kFullBatch;
    } else {
      const int batch = rfb::int_option(o, "batchSize", 32);
      if (batch < 1) rfb::throw_invalid(env, "batchSize", "must be >= 1 or 'full'");
      h.batch = static_cast<size_t>(batch);
    }
    const std::string opt = rfb::string_option(o, "optimizer", "rmsprop");
    if (opt == "rmsprop") h.optimizer = mlp::Optimizer::RMSprop;
    else if (opt == "adam") h.optimizer = mlp::Optimizer::Adam;
    else rfb::throw_invalid(env, "optimizer", "must be 'rmsprop' or 'adam'");
    const bool adam = h.optimizer == mlp::Optimizer::Adam;
    h.learning_rate = rfb::number_option(o, "learningRate", 1e-3);
    h.rho = static_cast<float>(rfb::number_option(o, "rho", 0.9));
    h.beta1 = rfb::number_option(o, "beta1", 0.9);
    h.beta2 = rfb::number_option(o, "beta2", 0.999);
    h.epsilon = static_cast<float>(rfb::number_option(o, "epsilon", adam ? 1e-8 : 1e-7));
    // The stop rule as the least count of correct training rows (src/train/stopping.ts).
    const double stop_at = rfb::number_option(o, "stopAtCorrect", 0);
    if (!(stop_at >= 0 && stop_at <= 9007199254740992.0) || stop_at != std::floor(stop_at))
      rfb::throw_invalid(env, "stopAtTrainAccuracy", "stopAtCorrect must be a non-negative integer");
    h.stop_at_correct = static_cast<size_t>(stop_at);
    h.flush_denormals = rfb::bool_option(o, "flushDenormals", true);
    try {
      mlp::validate_hyper(h);
    } catch (const ricci::Error& e) {
      rethrow_core(env, e);
    }
    const size_t R = st_->reps.size();
    std::vector<size_t> active;
    Napi::Value av = o.Get("active");
    if (av.IsUndefined() || av.IsNull()) {
      for (size_t r = 0; r < R; ++r) active.push_back(r);
    } else {
      if (!av.IsTypedArray() || av.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array ||
          av.As<Napi::Uint8Array>().ElementLength() != R)
        rfb::throw_invalid(env, "active", "must be a Uint8Array with one entry per replicate");
      Napi::Uint8Array a = av.As<Napi::Uint8Array>();
      for (size_t r = 0; r < R; ++r)
        if (a[r]) active.push_back(r);
    }
    KeepAlive keep;
    keep.add(Value());  // the wrapper (its state holds the data copies)
    // Mini-batches use one thread per replicate; full-batch steps can use every thread.
    const int cap = h.batch == mlp::kFullBatch ? (1 << 10) : static_cast<int>(std::max<size_t>(1, active.size()));
    Napi::Object topt = task_options(env, o, cap);
    auto st = st_;
    auto out = std::make_shared<std::vector<double>>(R * static_cast<size_t>(epochs) * 5,
                                                     std::nan(""));
    st->busy.store(true);
    // Cleared when the run ends (normally or by an exception), and in any case when the task is
    // destroyed (a call cancelled before it started never runs), before JS sees the settlement.
    auto idle_on_destroy = std::shared_ptr<BusyGuard>(new BusyGuard{st});
    try {
      return Task::Schedule(
          env, topt, std::move(keep),
          [st, out, active, h, epochs, idle_on_destroy](int threads, ricci::Control& c) {
            BusyGuard guard{st};
            // The rows' sparse form for full-batch steps, computed once per bound data set.
            if (h.batch == mlp::kFullBatch && !st->train.sparse_checked) st->rows->bind_sparse(st->train);
            if (h.batch != mlp::kFullBatch && !st->train.row_tiles_checked) st->rows->bind_row_tiles(st->train);
            if (st->has_val && !st->val.sparse_checked) {  // the validation pass's first layer
              st->val.sparse = mlp::sparse_rows(st->val);
              st->val.sparse_checked = true;
            }
            std::vector<mlp::Replicate*> reps;
            for (size_t r : active) reps.push_back(&st->reps[r]);
            const mlp::Dataset* val = st->has_val ? &st->val : nullptr;
            std::vector<int> base(reps.size());
            for (size_t i = 0; i < reps.size(); ++i) base[i] = reps[i]->epochs_done;
            mlp::train(reps, st->train, val, h, epochs, threads, c,
                       [&](size_t i, const mlp::EpochStats& s) {
                         const size_t r = active[i];
                         const size_t e = static_cast<size_t>(s.epoch - base[i] - 1);
                         double* row = out->data() + (r * static_cast<size_t>(epochs) + e) * 5;
                         row[0] = s.epoch;
                         row[1] = s.loss;
                         row[2] = s.accuracy;
                         row[3] = s.val_loss;
                         row[4] = s.val_accuracy;
                       });
          },
          [out](Napi::Env env) -> Napi::Value { return rfb::to_f64(env, std::move(*out)); });
    } catch (...) {
      st->busy.store(false);
      throw;
    }
  }

  Napi::Value GetWeights(const Napi::CallbackInfo& info) {
    check_idle(info.Env());
    const size_t r = replicate_arg(info);
    return rfb::to_f32(info.Env(), mlp::export_weights(st_->reps[r].net));
  }

  Napi::Value SetWeights(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    check_idle(env);
    const size_t r = replicate_arg(info);
    const size_t np = mlp::param_count(sizes_);
    const float* p = f32_arg(env, info[1], "weights", static_cast<int64_t>(np));
    try {
      st_->reps[r].net = mlp::import_weights(sizes_, p, np);
    } catch (const ricci::Error& e) {
      rethrow_core(env, e);
    }
    return env.Undefined();
  }

  // stopInfo(r) -> Float64Array [stopped (0/1), checkLoss, checkAccuracy, epochsDone, steps]: the
  // stop rule's state; check* are the training loss/accuracy of the last check (NaN before any).
  Napi::Value StopInfo(const Napi::CallbackInfo& info) {
    check_idle(info.Env());
    const mlp::Replicate& rep = st_->reps[replicate_arg(info)];
    std::vector<double> v{rep.stopped ? 1.0 : 0.0, rep.check_loss, rep.check_accuracy,
                          static_cast<double>(rep.epochs_done), static_cast<double>(rep.steps)};
    return rfb::copy_f64(info.Env(), v);
  }

  // trainMetrics(r, { threads?, control? }) -> Promise<Float64Array [loss, accuracy]>: replicate r's
  // current weights on the bound training rows (one forward pass, IEEE arithmetic).
  Napi::Value TrainMetrics(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    check_idle(env);
    if (!st_->has_data) rfb::throw_invalid(env, "trainer", "call setData() before trainMetrics()");
    const size_t r = replicate_arg(info);
    Napi::Object opt = rfb::options_arg(info, 1);
    KeepAlive keep;
    keep.add(Value());
    auto st = st_;
    auto out = std::make_shared<std::vector<double>>(2, std::nan(""));
    st->busy.store(true);
    auto idle_on_destroy = std::shared_ptr<BusyGuard>(new BusyGuard{st});
    try {
      return Task::Schedule(
          env, task_options(env, opt, 1), std::move(keep),
          [st, out, r, idle_on_destroy](int, ricci::Control& c) {
            BusyGuard guard{st};
            c.throw_if_cancelled();
            const mlp::Metrics m = mlp::evaluate(st->reps[r].net, st->train);
            (*out)[0] = m.loss;
            (*out)[1] = m.accuracy;
          },
          [out](Napi::Env env) -> Napi::Value { return rfb::to_f64(env, std::move(*out)); });
    } catch (...) {
      st->busy.store(false);
      throw;
    }
  }

  Napi::Value Replicates(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(st_->reps.size()));
  }
  Napi::Value ParamCount(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(mlp::param_count(sizes_)));
  }

  std::vector<int32_t> sizes_;
  std::shared_ptr<TrainerState> st_;
};

// mlpForward(sizes, weights: Float32Array, x: Float32Array, n, { threads?, control? })
//   -> Promise<Float32Array[]>: activations of every weight layer (hidden ReLU layers, then the
//   sigmoid output), each n x width row-major. The input layer is the caller's x.
Napi::Value MlpForward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::vector<int32_t> sizes = sizes_arg(env, info[0]);
  const size_t np = mlp::param_count(sizes);
  const float* w = f32_arg(env, info[1], "weights", static_cast<int64_t>(np));
  const size_t n = count_arg(env, info[3], "n");
  if (n == 0) rfb::throw_invalid(env, "n", "no rows");
  mlp::Dataset x;
  x.n = n;
  x.d = static_cast<size_t>(sizes[0]);
  f32_arg(env, info[2], "x", static_cast<int64_t>(n * x.d));
  KeepAlive keep;
  x.x = static_cast<const float*>(rfb::stable_bytes(env, info[2].As<Napi::TypedArray>(), keep));
  Napi::Object opt = rfb::options_arg(info, 4);
  auto net = std::make_shared<mlp::Net>();
  try {
    *net = mlp::import_weights(sizes, w, np);
    mlp::validate_dataset(x, x.d, false, "x");
  } catch (const ricci::Error& e) {
    rethrow_core(env, e);
  }
  auto out = std::make_shared<std::vector<std::vector<float>>>();
  return Task::Schedule(
      env, task_options(env, opt, 1), std::move(keep),
      [net, x, out](int, ricci::Control& c) {
        c.throw_if_cancelled();
        *out = mlp::forward_activations(*net, x, false);
      },
      [out](Napi::Env env) -> Napi::Value {
        Napi::Array a = Napi::Array::New(env, out->size());
        for (size_t l = 0; l < out->size(); ++l) a.Set(static_cast<uint32_t>(l), rfb::to_f32(env, std::move((*out)[l])));
        return a;
      });
}

// mlpInitWeights(sizes, seed, init?) -> Float32Array: 'glorot' (default; Glorot-uniform kernels,
// zero biases) or 'pytorch' (kernels and biases U(±1/sqrt(fan_in))); see mlp.h.
Napi::Value MlpInitWeights(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::vector<int32_t> sizes = sizes_arg(env, info[0]);
  const uint64_t seed = seed_value(env, info[1], "seed");
  const mlp::Init init = init_arg(env, info[2]);
  return rfb::to_f32(env, mlp::export_weights(mlp::init_network(sizes, seed, init)));
}

// mlpFpProbe({ threads }) -> Promise<{ threads: number[], lastTraining, supported }>: on the
// compute thread and OpenMP team a call gets (as any geometry call), each thread's denormal-flush
// flags (1 = FTZ, 2 = DAZ; arm64 FZ sets both) plus 4 when subnormal float/double arithmetic gives
// the IEEE result there. Diagnostics for the floating-point guarantee of docs/method.md §8c.
Napi::Value MlpFpProbe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object opt = rfb::options_arg(info, 0);
  auto out = std::make_shared<std::vector<uint32_t>>();
  return Task::Schedule(
      env, task_options(env, opt, 1 << 10), KeepAlive(),
      [out](int threads, ricci::Control&) { *out = mlp::fp_probe(threads); },
      [out](Napi::Env env) -> Napi::Value {
        Napi::Object o = Napi::Object::New(env);
        Napi::Array a = Napi::Array::New(env, out->size());
        for (size_t i = 0; i < out->size(); ++i) a.Set(static_cast<uint32_t>(i), Napi::Number::New(env, (*out)[i]));
        o.Set("threads", a);
        o.Set("lastTraining", Napi::Number::New(env, mlp::last_training_fp_flags()));
        o.Set("supported", Napi::Boolean::New(env, mlp::fp_flush_supported()));
        return o;
      });
}

Napi::Value MlpParamCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(mlp::param_count(sizes_arg(info.Env(), info[0]))));
}

}  // namespace

void register_mlp(Napi::Env env, Napi::Object exports) {
  MlpTrainer::Init(env, exports);
  rfb::export_function<MlpForward>(env, exports, "mlpForward");
  rfb::export_function<MlpInitWeights>(env, exports, "mlpInitWeights");
  rfb::export_function<MlpFpProbe>(env, exports, "mlpFpProbe");
  rfb::export_function<MlpParamCount>(env, exports, "mlpParamCount");
}
