// Full-batch steps: the rows' sparse form, each row block's pass, the chunked sum of the blocks'
// gradients and the update, in orders that never depend on the thread count (mlp.h).
#include "mlp_full_batch.h"

#include <algorithm>
#include <cstring>

namespace ricci {
namespace mlp {

namespace {

// ---- sparse first layer of full-batch steps ----
//
// Image rows are mostly zeros (Fashion-MNIST 5 vs 7 in [0, 1]: 33 % nonzero), and the first layer
// is most of a step's arithmetic. When the training rows' density is at most kSparseDensity, a
// full-batch call keeps them, per row block, as CSR (for the forward product X·W1) and CSC (for
// the block's gradient X^T·D1), and skips the zeros: a row's z1 = b1 + Σ x_ij W1[j,:] over its
// nonzero j, the block's dW1[j,:] = Σ x_ij D1[i,:] over its rows i with x_ij ≠ 0, each sum in the
// fixed order of kern::Kernels::sparse_product / sparse_grad (four interleaved partial sums, so
// that consecutive terms do not wait on each other). Nothing depends on the thread count.
constexpr double kSparseDensity = 0.5;

}  // namespace

std::shared_ptr<const SparseRows> sparse_rows(const Dataset& data) {
  const size_t n = data.n, d = data.d;
  size_t nnz = 0;
  for (size_t i = 0; i < n * d; ++i) nnz += data.x[i] != 0.0f ? 1 : 0;
  if (static_cast<double>(nnz) > kSparseDensity * static_cast<double>(n * d) || nnz >= (size_t(1) << 32))
    return nullptr;
  auto sp = std::make_shared<SparseRows>();
  sp->d = d;
  sp->blocks = (n + kBlockRows - 1) / kBlockRows;
  sp->row_ptr.resize(n + 1);
  sp->col.resize(nnz);
  sp->val.resize(nnz);
  size_t p = 0;
  for (size_t i = 0; i < n; ++i) {
    sp->row_ptr[i] = static_cast<uint32_t>(p);
    for (size_t j = 0; j < d; ++j) {
      const float v = data.x[i * d + j];
      if (v != 0.0f) {
        sp->col[p] = static_cast<uint32_t>(j);
        sp->val[p] = v;
        ++p;
      }
    }
  }
  sp->row_ptr[n] = static_cast<uint32_t>(p);
  sp->col_ptr.assign(sp->blocks * (d + 1), 0);
  sp->crow.resize(nnz);
  sp->cval.resize(nnz);
  for (size_t b = 0; b < sp->blocks; ++b) {
    const size_t r0 = b * kBlockRows, r1 = std::min(n, r0 + kBlockRows);
    uint32_t* cp = sp->col_ptr.data() + b * (d + 1);
    const uint32_t base = sp->row_ptr[r0];
    for (size_t q = sp->row_ptr[r0]; q < sp->row_ptr[r1]; ++q) cp[sp->col[q] + 1] += 1;
    cp[0] = base;
    for (size_t j = 0; j < d; ++j) cp[j + 1] += cp[j];
    std::vector<uint32_t> next(cp, cp + d);
    for (size_t i = r0; i < r1; ++i)  // rows ascending within each column
      for (size_t q = sp->row_ptr[i]; q < sp->row_ptr[i + 1]; ++q) {
        const uint32_t at = next[sp->col[q]]++;
        sp->crow[at] = static_cast<uint16_t>(i - r0);
        sp->cval[at] = sp->val[q];
      }
  }
  return sp;
}

namespace detail {

// Phase 1 of a full-batch step for row block b: forward, loss, backward, the block's gradient.
void block_pass(const kern::Kernels& K, const Trainee& t, const Dataset& data, size_t b, Workspace& ws,
                BatchScratch& sc) {
  const Packed& p = t.lay;
  const size_t n = data.n, d0 = data.d, L = p.layers();
  const size_t r0 = b * kBlockRows, rows = std::min(kBlockRows, n - r0);
  const float* a0 = data.x + r0 * d0;
  if (sc.sparse) {
    const SparseRows& sp = *sc.sparse;
    K.sparse_product(sp.row_ptr.data(), sp.col.data(), sp.val.data(), r0, rows, t.w.data() + p.woff[1], p.stride[1],
                     t.w.data() + p.boff[1], ws.pact[1].data());
    packed_forward(K, t, a0, d0, rows, ws, 2);  // networks have at least one hidden layer (validate_sizes)
  } else {
    packed_forward(K, t, a0, d0, rows, ws);
  }
  const float* z = ws.pact[L].data();
  const size_t zs = p.stride[L];
  float* delta = ws.pdelta[0].data();
  double loss = 0;
  size_t correct = 0;
  const float inv_n = 1.0f / static_cast<float>(n);  // gradient of the mean over all n rows
  for (size_t i = 0; i < rows; ++i) {
    const float y = data.y[r0 + i], zi = z[i * zs];
    loss += bce_from_logit(zi, y);
    correct += ((zi > 0) == (y > 0.5f)) ? 1 : 0;
    set_output_delta(delta + i * zs, (sigmoid(zi) - y) * inv_n);
  }
  float* grad = sc.partial.data() + (sc.running ? 0 : b) * sc.params;
  if (sc.sparse) {
    const SparseRows& sp = *sc.sparse;
    const float* d1 = packed_backward(K, t, a0, d0, rows, ws, grad, false);
    K.sparse_grad(sp.col_ptr.data() + b * (d0 + 1), sp.crow.data(), sp.cval.data(), d0, d1, p.stride[1],
                  grad + p.woff[1]);
  } else {
    packed_backward(K, t, a0, d0, rows, ws, grad);
  }
  sc.loss[b] = loss;
  sc.correct[b] = correct;
  if (sc.running) {  // grad = ((p_0 + p_1) + p_2) + ..., as chunk_update sums the blocks
    if (b == 0) {
      std::memcpy(sc.grad.data(), grad, sc.params * sizeof(float));
    } else {
      float* g = sc.grad.data();
      for (size_t i = 0; i < sc.params; ++i) g[i] += grad[i];
    }
  }
}

// Phase 2 for parameter chunk c: the blocks' gradients summed in block order, then the update.
void chunk_update(const kern::Kernels& K, Trainee& t, BatchScratch& sc, size_t c, const Hyper& h,
                  const StepConsts& k) {
  const size_t p0 = c * kChunkParams, len = std::min(kChunkParams, sc.params - p0);
  if (!sc.running) {
    float* g = sc.grad.data() + p0;
    std::memcpy(g, sc.partial.data() + p0, len * sizeof(float));
    for (size_t b = 1; b < sc.blocks; ++b) {
      const float* pb = sc.partial.data() + b * sc.params + p0;
      for (size_t i = 0; i < len; ++i) g[i] += pb[i];
    }
  }
  update_params(K, t, sc.grad.data(), p0, len, h, k);
}

// One full-batch epoch (all threads of the team call it when `team`): the blocks, then, unless the
// stop rule is met, the chunks' update. Every thread reduces the blocks' sums into its own `res`
// (the same values, in block order) and takes the same decision, so the epoch needs only the two
// barriers of its work-sharing loops; the replicate's state (steps, check values, the transposed
// kernels) is written by commit_epoch. Before the first epoch: prepare_optimizer.
EpochResult full_batch_epoch(const kern::Kernels& K, Replicate& rep, Trainee& t, const Dataset& data, const Hyper& h,
                             BatchScratch& sc, Workspace& ws, bool team, ErrorSlot& errors) {
  for_each_unit(sc.blocks, team, errors, [&](size_t b) { block_pass(K, t, data, b, ws, sc); });
  EpochResult res;
  if (errors.failed()) return res;
  for (size_t b = 0; b < sc.blocks; ++b) {
    res.loss += sc.loss[b];
    res.correct += sc.correct[b];
  }
  if (h.stop_at_correct > 0 && res.correct >= h.stop_at_correct) {
    res.stopped = true;
    return res;
  }
  const StepConsts k = step_consts(h, rep.steps + 1);
  const size_t chunks = (sc.params + kChunkParams - 1) / kChunkParams;
  for_each_unit(chunks, team, errors, [&](size_t c) { chunk_update(K, t, sc, c, h, k); });
  return res;
}

// The replicate's state after a full-batch epoch (one thread).
void commit_epoch(Replicate& rep, Trainee& t, const EpochResult& res, size_t n) {
  rep.check_loss = res.loss / static_cast<double>(n);
  rep.check_accuracy = static_cast<double>(res.correct) / static_cast<double>(n);
  if (res.stopped) {
    rep.stopped = true;
  } else {
    rep.steps += 1;
    t.transpose();
  }
  t.sync(rep);
}

// The sparse first layer for this network, when the rows are sparse and its width is small enough.
void use_sparse(BatchScratch& sc, const Net& net, const SparseRows* sp) {
  const size_t w1 = static_cast<size_t>(net.sizes[1]);
  const bool ok = sp != nullptr && kern::padded(w1) <= kern::kMaxSparseStride &&
                  sp->d == static_cast<size_t>(net.sizes[0]);
  sc.sparse = ok ? sp : nullptr;
}

}  // namespace detail
}  // namespace mlp
}  // namespace ricci
