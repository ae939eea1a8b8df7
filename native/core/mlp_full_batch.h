// Internal to the trainer: full-batch steps in fixed row blocks and parameter chunks (mlp.h), with
// the rows' sparse first layer when they are mostly zeros, run by one thread or by a whole team.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "mlp.h"
#include "mlp_internal.h"
#include "mlp_kernels.h"
#include "mlp_trainee.h"

namespace ricci {
namespace mlp {

// The training rows as the sparse first layer reads them (mlp_full_batch.cpp): per row block, the
// tiles of kern::kTile columns that hold a nonzero, grouped by column group, rows ascending; the
// values as one-byte codes into `level` when the rows allow it (kern::Tiles).
struct SparseRows {
  size_t blocks = 0, d = 0, groups = 0;  // groups = ceil(d / kTile)
  std::vector<uint32_t> group_ptr;       // blocks x (groups + 1): block b's group g is tiles
                                         // [group_ptr[b (groups + 1) + g], ... + g + 1)
  std::vector<uint8_t> row;              // per tile: its row within its block
  std::vector<uint32_t> code;            // per tile: kTile value codes (when coded)
  FloatBuffer level;                     // 256 values of the codes (when coded)
  FloatBuffer val;                       // per tile: kTile values (when not coded)
  kern::Tiles block(size_t b) const {
    return {group_ptr.data() + b * (groups + 1), group_ptr.data() + b * (groups + 1) + 1, row.data(), code.empty() ? nullptr : code.data(),
            level.data(), val.data()};
  }
};

// The training rows as the sparse first layer of mini-batch steps reads them (mlp_full_batch.cpp):
// every row's tiles of kern::kTile columns that hold a nonzero, groups ascending, row-major; the
// values as one-byte codes into `level` when the rows allow it (kern::Tiles). A step sorts its
// batch's tiles by group (mlp_train.cpp).
struct RowTiles {
  size_t groups = 0;
  std::vector<uint32_t> ptr;    // row i's tiles are [ptr[i], ptr[i + 1])
  std::vector<uint16_t> group;  // per tile: its column group
  std::vector<uint32_t> code;   // per tile: kTile value codes (when coded)
  FloatBuffer level;            // 256 values of the codes (when coded)
  FloatBuffer val;              // per tile: kTile values (when not coded; zeros beyond the width)
};

namespace detail {

// Scratch of full-batch steps: every block's gradient, loss and correct count.
struct BatchScratch {
  size_t blocks = 0, params = 0;
  FloatBuffer partial;  // blocks x params (packed layout)
  FloatBuffer grad;     // params: the summed gradient
  std::vector<double> loss;
  std::vector<size_t> correct;
  const SparseRows* sparse = nullptr;  // the first layer's rows, when sparse enough
  std::unique_ptr<Trainee> trainee;    // team mode: the replicate being trained (shared)
  bool running = false;  // one thread: each block's gradient is added to `grad` as soon as it is done
  // `team`: every block keeps its own partial gradient, summed per chunk after all blocks; else one
  // partial buffer and a running sum (the same additions in the same order, so the same bits).
  void prepare(size_t n, size_t np, bool team) {
    const size_t b = (n + kBlockRows - 1) / kBlockRows;
    if (b == blocks && np == params && running == !team) return;
    blocks = b;
    params = np;
    running = !team;
    partial.assign((running ? 1 : blocks) * params, 0.0f);
    grad.assign(params, 0.0f);
    loss.assign(blocks, 0.0);
    correct.assign(blocks, 0);
  }
};

// Runs f(u) for u in [0, count): shared among the threads of the enclosing parallel region when
// `team` (every thread of the team must call it; implicit barrier at the end), else serially.
template <typename F>
void for_each_unit(size_t count, bool team, ErrorSlot& errors, F&& f) {
  if (!team) {
    for (size_t u = 0; u < count; ++u) f(u);
    return;
  }
#pragma omp for schedule(dynamic, 1)
  for (long long u = 0; u < static_cast<long long>(count); ++u) {
    if (errors.failed()) continue;
    try {
      f(static_cast<size_t>(u));
    } catch (...) {
      errors.capture();
    }
  }
}

// Runs f() once: on one thread of the team (the others wait at the implicit barrier), or here.
template <typename F>
void once(bool team, ErrorSlot& errors, F&& f) {
  if (!team) {
    f();
    return;
  }
#pragma omp single
  {
    try {
      f();
    } catch (...) {
      errors.capture();
    }
  }
}

struct EpochResult {
  double loss = 0;   // summed over rows
  size_t correct = 0;
  bool stopped = false;  // the stop rule was met: no step was taken
};

// One full-batch epoch (all threads of the team call it when `team`); see mlp_full_batch.cpp.
EpochResult full_batch_epoch(const kern::Kernels& K, Replicate& rep, Trainee& t, const Dataset& data, const Hyper& h,
                             BatchScratch& sc, Workspace& ws, bool team, ErrorSlot& errors);

// The replicate's state after a full-batch epoch (one thread).
void commit_epoch(Replicate& rep, Trainee& t, const EpochResult& res, size_t n);

// The sparse first layer for this network, when the rows are sparse and its width is small enough.
void use_sparse(BatchScratch& sc, const Net& net, const SparseRows* sp);

}  // namespace detail
}  // namespace mlp
}  // namespace ricci
