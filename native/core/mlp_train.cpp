// The training driver: the hyperparameter check, the replicates, the mini-batch step,
// the epoch loops (one replicate per thread, or the whole team inside each full-batch step) and
// train() (mlp.h).
#include "mlp.h"
#include "mlp_full_batch.h"
#include "mlp_internal.h"
#include "mlp_kernels.h"
#include "mlp_trainee.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <string>

namespace ricci {
namespace mlp {

const char* training_kernel() { return kern::select_kernels().name; }

// ---- training ---------------------------------------------------------------------------------

void validate_hyper(const Hyper& h) {
  // h.batch == kFullBatch (0) means one step per epoch on every row.
  if (!(h.learning_rate > 0) || !std::isfinite(h.learning_rate)) invalid("learningRate", "must be a positive number");
  if (!(h.rho >= 0 && h.rho < 1)) invalid("rho", "must be in [0, 1)");
  if (!(h.beta1 >= 0 && h.beta1 < 1)) invalid("beta1", "must be in [0, 1)");
  if (!(h.beta2 >= 0 && h.beta2 < 1)) invalid("beta2", "must be in [0, 1)");
  if (!(h.epsilon > 0) || !std::isfinite(h.epsilon)) invalid("epsilon", "must be a positive number");
}

Replicate make_replicate(const std::vector<int32_t>& sizes, uint64_t seed, Init init) {
  return make_replicate(init_network(sizes, seed, init), seed);
}

Replicate make_replicate(Net net, uint64_t seed) {
  Replicate r;
  r.mean_square.assign(net.params.size(), 0.0f);
  r.net = std::move(net);
  r.shuffle = Rng(seed ^ kShuffleSalt);
  return r;
}

namespace {

using namespace detail;

// One mini-batch's tiles in the layout of kern::Tiles, bucketed by column group from the rows'
// tiles (row_tiles, mlp_full_batch.cpp) in one pass: group g's tiles sit at [g·batch, end[g]), rows
// ascending (a row has at most one tile per group). One thread's scratch.
struct BatchTiles {
  size_t cap;
  std::vector<uint32_t> begin, end;
  std::vector<uint8_t> row;
  std::vector<uint32_t> code;
  FloatBuffer val;
  BatchTiles(const RowTiles& rt, size_t batch)
      : cap(batch),
        begin(rt.groups),
        end(rt.groups),
        row(batch * rt.groups),
        code(rt.code.empty() ? 0 : batch * rt.groups),
        val(rt.code.empty() ? batch * rt.groups * kern::kTile : 0) {
    for (size_t g = 0; g < rt.groups; ++g) begin[g] = static_cast<uint32_t>(g * batch);
  }
  // Asks the CPU for the listed rows' tiles ahead of their step (shuffled rows are scattered
  // through memory; the next step's rows arrive while this step computes).
  static void prefetch(const RowTiles& rt, const uint32_t* idx, size_t rows) {
    const bool coded = !rt.code.empty();
    const char* g = reinterpret_cast<const char*>(rt.group.data());
    const char* v = coded ? reinterpret_cast<const char*>(rt.code.data()) : reinterpret_cast<const char*>(rt.val.data());
    const size_t vb = coded ? 4 : 4 * kern::kTile;
    for (size_t i = 0; i < rows; ++i) {
      const size_t t0 = rt.ptr[idx[i]], t1 = rt.ptr[idx[i] + 1];
      for (size_t b = t0 * 2; b < t1 * 2; b += 64) __builtin_prefetch(g + b, 0, 2);
      for (size_t b = t0 * vb; b < t1 * vb; b += 64) __builtin_prefetch(v + b, 0, 2);
    }
  }
  kern::Tiles gather(const RowTiles& rt, const uint32_t* idx, size_t rows) {
    std::copy(begin.begin(), begin.end(), end.begin());
    uint32_t* e = end.data();
    uint8_t* r = row.data();
    const uint32_t* ptr = rt.ptr.data();
    const uint16_t* grp = rt.group.data();
    if (!rt.code.empty()) {
      const uint32_t* src = rt.code.data();
      uint32_t* dst = code.data();
      for (size_t i = 0; i < rows; ++i)  // rows ascending within each group
        for (uint32_t t = ptr[idx[i]], te = ptr[idx[i] + 1]; t < te; ++t) {
          const uint32_t at = e[grp[t]]++;
          r[at] = static_cast<uint8_t>(i);
          dst[at] = src[t];
        }
      return {begin.data(), e, r, dst, rt.level.data(), nullptr};
    }
    const size_t T = kern::kTile;
    const float* src = rt.val.data();
    float* dst = val.data();
    for (size_t i = 0; i < rows; ++i)
      for (uint32_t t = ptr[idx[i]], te = ptr[idx[i] + 1]; t < te; ++t) {
        const uint32_t at = e[grp[t]]++;
        r[at] = static_cast<uint8_t>(i);
        std::memcpy(dst + static_cast<size_t>(at) * T, src + static_cast<size_t>(t) * T, T * sizeof(float));
      }
    return {begin.data(), e, r, nullptr, nullptr, dst};
  }
};

// One optimisation step on the `rows` training rows listed in `idx`. Returns the batch's summed
// loss and adds its correct predictions to `correct`. With `sparse` (and its scratch `bt`), the
// first layer reads the rows' nonzero tiles.
double train_batch(const kern::Kernels& K, Replicate& rep, Trainee& t, const Dataset& data, const uint32_t* idx,
                   size_t rows, const Hyper& h, Workspace& ws, FloatBuffer& grad, size_t& correct,
                   const RowTiles* sparse, BatchTiles* bt) {
  const size_t L = rep.net.layers();
  const size_t d0 = data.d;
  const Packed& p = t.lay;
  float* a0 = ws.input.data();
  kern::Tiles tiles{};
  if (sparse) {
    tiles = bt->gather(*sparse, idx, rows);
    K.tile_product(tiles, d0, rows, t.w.data() + p.woff[1], p.stride[1], t.w.data() + p.boff[1], ws.pact[1].data());
    packed_forward(K, t, a0, d0, rows, ws, 2);  // networks have at least one hidden layer (validate_sizes)
  } else {
    // Gather the batch rows into one contiguous block.
    for (size_t i = 0; i < rows; ++i)
      std::memcpy(a0 + i * d0, data.x + static_cast<size_t>(idx[i]) * d0, d0 * sizeof(float));
    packed_forward(K, t, a0, d0, rows, ws);
  }

  // Output delta dL/dz = (sigmoid(z) - y) / rows for the batch-mean BCE.
  const float* z = ws.pact[L].data();
  const size_t zs = t.lay.stride[L];
  float* delta = ws.pdelta[0].data();
  double loss = 0;
  const float inv_rows = 1.0f / static_cast<float>(rows);
  for (size_t i = 0; i < rows; ++i) {
    const float y = data.y[idx[i]], zi = z[i * zs];
    loss += bce_from_logit(zi, y);
    correct += ((zi > 0) == (y > 0.5f)) ? 1 : 0;
    set_output_delta(delta + i * zs, (sigmoid(zi) - y) * inv_rows);
  }
  if (sparse) {
    const float* d1 = packed_backward(K, t, a0, d0, rows, ws, grad.data(), false);
    K.tile_grad_chain(tiles, d0, d1, p.stride[1], grad.data() + p.woff[1]);
  } else {
    packed_backward(K, t, a0, d0, rows, ws, grad.data());
  }

  // The optimizer over the whole packed parameter vector.
  rep.steps += 1;
  update_params(K, t, grad.data(), 0, t.lay.total, h, step_consts(h, rep.steps));
  t.transpose();
  return loss;
}

bool params_finite(const Net& net) {
  for (float v : net.params)
    if (!std::isfinite(v)) return false;
  return true;
}

// The validation pass in the training kernels (packed weights, in row blocks of kBlockRows): the
// first layer from the rows' sparse form (full-batch layout) when there is one, else dense.
Metrics validate_packed(const kern::Kernels& K, const Trainee& t, const Dataset& val, const SparseRows* sp,
                        Workspace& ws) {
  const Packed& p = t.lay;
  const size_t L = p.layers(), d0 = val.d, zs = p.stride[L];
  double loss = 0;
  size_t correct = 0;
  for (size_t b = 0, r0 = 0; r0 < val.n; ++b, r0 += kBlockRows) {
    const size_t rows = std::min(kBlockRows, val.n - r0);
    const float* a0 = val.x + r0 * d0;
    if (sp) {
      K.tile_product(sp->block(b), d0, rows, t.w.data() + p.woff[1], p.stride[1], t.w.data() + p.boff[1],
                     ws.pact[1].data());
      packed_forward(K, t, a0, d0, rows, ws, 2);
    } else {
      packed_forward(K, t, a0, d0, rows, ws);
    }
    const float* z = ws.pact[L].data();
    for (size_t i = 0; i < rows; ++i) {
      const float y = val.y[r0 + i], zi = z[i * zs];
      loss += bce_from_logit(zi, y);
      correct += ((zi > 0) == (y > 0.5f)) ? 1 : 0;
    }
  }
  Metrics m;
  m.loss = loss / static_cast<double>(val.n);
  m.accuracy = static_cast<double>(correct) / static_cast<double>(val.n);
  return m;
}

// Bookkeeping after an epoch's steps: divergence check, statistics, validation, callback.
void finish_epoch(const kern::Kernels& K, const Trainee& t, Replicate& rep, size_t ri, double loss, size_t correct,
                  const Dataset& train_data, const Dataset* val, Workspace& ws, const EpochCallback& on_epoch) {
  rep.epochs_done += 1;
  EpochStats st;
  st.epoch = rep.epochs_done;
  st.loss = loss / static_cast<double>(train_data.n);
  st.accuracy = static_cast<double>(correct) / static_cast<double>(train_data.n);
  if (!std::isfinite(st.loss) || !params_finite(rep.net))
    invalid("learningRate", "training diverged: network " + std::to_string(ri) + " has a non-finite " +
                                (std::isfinite(st.loss) ? std::string("weight") : std::string("loss")) +
                                " in epoch " + std::to_string(st.epoch) + "; use a smaller learning rate");
  if (val != nullptr && val->n > 0) {
    const SparseRows* vsp = val->sparse_checked && kern::padded(t.lay.width[1]) <= kern::kMaxSparseStride &&
                                    val->sparse && val->sparse->d == val->d
                                ? val->sparse.get()
                                : nullptr;
    const Metrics m = validate_packed(K, t, *val, vsp, ws);
    st.val_loss = m.loss;
    st.val_accuracy = m.accuracy;
  } else {
    st.val_loss = st.val_accuracy = std::numeric_limits<double>::quiet_NaN();
  }
  if (on_epoch) on_epoch(ri, st);
}

constexpr size_t kPoll = 16;  // mini-batches between cancellation polls / progress updates

// All epochs of one replicate on this thread alone.
void train_serial(const kern::Kernels& K, Replicate& rep, size_t ri, const Dataset& train_data, const Dataset* val,
                  const Hyper& h, int epochs, Control& control, ErrorSlot& errors, const EpochCallback& on_epoch,
                  const SparseRows* sparse, const RowTiles* batch_sparse) {
  const size_t n = train_data.n;
  const bool full = h.batch == kFullBatch;
  const size_t batch = full ? n : std::min(h.batch, n);
  const size_t batches = (n + batch - 1) / batch;
  Workspace ws(rep.net.sizes, full ? kBlockRows : std::max(batch, kEvalRows), true);
  prepare_optimizer(rep, h);
  Trainee t(rep, h.optimizer == Optimizer::Adam);
  BatchScratch sc;
  FloatBuffer grad;
  if (full) {
    sc.prepare(n, t.lay.total, false);
    use_sparse(sc, rep.net, sparse);
  } else {
    grad.assign(t.lay.total, 0.0f);
  }
  std::vector<uint32_t> order(full ? 0 : n);
  // The mini-batch sparse first layer, for first-layer widths the tile kernels take.
  const RowTiles* bsp =
      !full && batch_sparse && kern::padded(t.lay.width[1]) <= kern::kMaxSparseStride ? batch_sparse : nullptr;
  std::unique_ptr<BatchTiles> bt = bsp ? std::make_unique<BatchTiles>(*bsp, batch) : nullptr;
  for (int e = 0; e < epochs && !rep.stopped; ++e) {
    double loss = 0;
    size_t correct = 0;
    if (full) {
      const EpochResult res = full_batch_epoch(K, rep, t, train_data, h, sc, ws, false, errors);
      commit_epoch(rep, t, res, n);
      if (res.stopped) break;
      loss = res.loss;
      correct = res.correct;
      if (control.cancelled()) control.throw_if_cancelled();
      if (errors.failed()) break;
      control.advance(1);
    } else {
      if (h.stop_at_correct > 0) {
        size_t right = 0;
        const Metrics m = evaluate_with(rep.net, train_data, ws);
        right = static_cast<size_t>(std::llround(m.accuracy * static_cast<double>(n)));
        rep.check_loss = m.loss;
        rep.check_accuracy = m.accuracy;
        if (right >= h.stop_at_correct) {
          rep.stopped = true;
          break;
        }
      }
      for (size_t i = 0; i < n; ++i) order[i] = static_cast<uint32_t>(i);
      for (size_t i = n - 1; i > 0; --i) std::swap(order[i], order[rep.shuffle.below(static_cast<uint32_t>(i + 1))]);
      size_t pending = 0;
      for (size_t b = 0; b < batches; ++b) {
        const size_t start = b * batch, rows = std::min(batch, n - start);
        if (bt && b + 1 < batches)
          BatchTiles::prefetch(*bsp, order.data() + start + batch, std::min(batch, n - start - batch));
        if (bt && b == 0) BatchTiles::prefetch(*bsp, order.data(), rows);
        loss += train_batch(K, rep, t, train_data, order.data() + start, rows, h, ws, grad, correct, bsp, bt.get());
        if (++pending == kPoll || b + 1 == batches) {
          if (control.cancelled() || errors.failed()) {
            t.sync(rep);
            control.throw_if_cancelled();
          }
          if (errors.failed()) break;
          control.advance(pending);
          pending = 0;
        }
      }
      t.sync(rep);
      if (errors.failed()) break;
    }
    finish_epoch(K, t, rep, ri, loss, correct, train_data, val, ws, on_epoch);
  }
}

// All epochs of one replicate with every thread of the team inside each full-batch step.
void train_team(const kern::Kernels& K, Replicate& rep, size_t ri, const Dataset& train_data, const Dataset* val,
                const Hyper& h, int epochs, Control& control, ErrorSlot& errors, const EpochCallback& on_epoch,
                BatchScratch& sc, bool& halt, bool& abort_all, const SparseRows* sparse) {
  std::unique_ptr<Workspace> ws;
  try {
    ws = std::make_unique<Workspace>(rep.net.sizes, kBlockRows, true);
  } catch (...) {
    errors.capture();
  }
  once(true, errors, [&] {
    halt = false;
    prepare_optimizer(rep, h);
    sc.trainee = std::make_unique<Trainee>(rep, h.optimizer == Optimizer::Adam);
    sc.prepare(train_data.n, sc.trainee->lay.total, true);
    use_sparse(sc, rep.net, sparse);
  });
  if (errors.failed()) return;
  Trainee& t = *sc.trainee;
  for (int e = 0; e < epochs; ++e) {
    const EpochResult res = full_batch_epoch(K, rep, t, train_data, h, sc, *ws, true, errors);
    // The third and last barrier of the epoch.
    once(true, errors, [&] {
      if (errors.failed()) {
        halt = abort_all = true;
        return;
      }
      commit_epoch(rep, t, res, train_data.n);
      if (res.stopped) {
        halt = true;
        return;
      }
      if (control.cancelled()) {
        halt = abort_all = true;
        return;
      }
      control.advance(1);
      finish_epoch(K, t, rep, ri, res.loss, res.correct, train_data, val, *ws, on_epoch);
    });
    if (halt || errors.failed()) return;
  }
}


}  // namespace

void train(const std::vector<Replicate*>& replicates, const Dataset& train_data, const Dataset* val,
           const Hyper& hyper, int epochs, int threads, Control& control, const EpochCallback& on_epoch) {
  validate_hyper(hyper);
  if (epochs < 0) invalid("epochs", "must be >= 0");
  if (train_data.n == 0) invalid("train", "no rows");
  if (train_data.n > std::numeric_limits<uint32_t>::max()) invalid("train", "too many rows");
  for (const Replicate* r : replicates) {
    if (r == nullptr) invalid("replicates", "null replicate");
    validate_sizes(r->net.sizes);
    if (static_cast<size_t>(r->net.sizes[0]) != train_data.d)
      invalid("train", "rows have " + std::to_string(train_data.d) + " columns, the network expects " +
                           std::to_string(r->net.sizes[0]));
    if (val && static_cast<size_t>(r->net.sizes[0]) != val->d) invalid("validation", "column count differs");
  }
  const size_t n = train_data.n;
  const bool full = hyper.batch == kFullBatch;
  const size_t batch = full ? n : std::min(hyper.batch, n);
  const size_t steps_per_epoch = full ? 1 : (n + batch - 1) / batch;
  std::vector<size_t> live;  // replicates that have not met the stop rule
  for (size_t r = 0; r < replicates.size(); ++r)
    if (!replicates[r]->stopped) live.push_back(r);
  const size_t R = live.size();
  control.start(static_cast<uint64_t>(R) * static_cast<uint64_t>(epochs) * steps_per_epoch);
  if (R == 0 || epochs == 0) return;

  // The sparse first layers (mlp_full_batch.h); RICCIFLOW_TRAIN_DENSE=1 turns them off (a check:
  // mini-batch steps then give the same bits through the dense products, docs/method.md §8c).
  const char* dense_env = std::getenv("RICCIFLOW_TRAIN_DENSE");
  const bool dense_only = dense_env != nullptr && std::strcmp(dense_env, "1") == 0;
  std::shared_ptr<const SparseRows> sparse;
  if (full && !dense_only) sparse = train_data.sparse_checked ? train_data.sparse : sparse_rows(train_data);
  // The validation rows' sparse form (full-batch layout) for the validation pass.
  Dataset val_rows;
  if (val != nullptr) {
    val_rows = *val;
    if (dense_only) val_rows.sparse = nullptr;
    else if (!val_rows.sparse_checked && val_rows.n > 0) val_rows.sparse = sparse_rows(val_rows);
    val_rows.sparse_checked = true;
    val = &val_rows;
  }
  std::shared_ptr<const RowTiles> batch_sparse;
  if (!full && !dense_only && batch <= kern::kMaxTileRows)
    batch_sparse = train_data.row_tiles_checked ? train_data.row_tiles : row_tiles(train_data);
  // Full batch with fewer replicates than threads: all threads inside each step.
  const bool team = full && threads > 1 && static_cast<size_t>(threads) > R;
  const int nthreads = team ? threads : std::max(1, std::min<int>(threads, static_cast<int>(R)));
  // The vector kernels (mlp_kernels.h): every variant gives the same bits, so this choice (the
  // CPU's widest, or RICCIFLOW_TRAIN_KERNEL) changes only the speed.
  const kern::Kernels& K = kern::select_kernels();
  ErrorSlot errors;
  std::atomic<uint32_t> seen_flags{kFpFlushResults | kFpFlushInputs};  // AND over the team
  // Shared by the team in `team` mode.
  BatchScratch sc;
  bool halt = false, abort_all = false;  // set in single sections only: every thread reads the same

#pragma omp parallel num_threads(nthreads)
  {
    // Every thread of the team (the calling compute thread included) flushes denormals while it
    // trains and gets its previous mode back at the end of the region (docs/method.md §8c).
    const DenormalsFlushed fp_mode(hyper.flush_denormals);
    seen_flags.fetch_and(fp_flush_flags(), std::memory_order_relaxed);
    if (team) {
      for (size_t i = 0; i < R; ++i) {
        train_team(K, *replicates[live[i]], live[i], train_data, val, hyper, epochs, control, errors, on_epoch, sc,
                   halt, abort_all, sparse.get());
        if (errors.failed() || abort_all) break;  // consistent: both read after a barrier
      }
    } else {
#pragma omp for schedule(dynamic, 1)
      for (long long i = 0; i < static_cast<long long>(R); ++i) {
        if (errors.failed()) continue;
        try {
          const size_t ri = live[static_cast<size_t>(i)];
          train_serial(K, *replicates[ri], ri, train_data, val, hyper, epochs, control, errors, on_epoch,
                       sparse.get(), batch_sparse.get());
        } catch (...) {
          errors.capture();
        }
      }
    }
  }  // omp parallel
  detail::set_last_training_fp_flags(seen_flags.load());
  errors.rethrow();
  control.throw_if_cancelled();
}

}  // namespace mlp
}  // namespace ricci
