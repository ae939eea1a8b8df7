// Full-batch steps: the rows' sparse form, each row block's pass, the chunked sum of the blocks'
// gradients and the update, in orders that never depend on the thread count (mlp.h).
#include "mlp_full_batch.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace ricci {
namespace mlp {

namespace {

// ---- sparse first layer of full-batch steps ----
//
// Image rows are mostly zeros (Fashion-MNIST 5 vs 7 in [0, 1]: 33 % nonzero), and the first layer
// is most of a step's arithmetic. When the training rows' density is at most kSparseDensity, a
// full-batch call keeps, per row block, the row's tiles of kern::kTile consecutive columns that
// hold a nonzero (pixels cluster, so 4-column tiles carry 1.28 slots per nonzero on Fashion-MNIST
// 5 vs 7), grouped by column group. One layout serves both products of the block, each with the
// group's weights or gradient sums held in registers:
//   - forward X·W1: per group, the kTile weight rows are loaded once and every tile of the group
//     adds its row's kTile terms to that row's z (the block's z rows stay in L1);
//   - gradient X^T·D1: per group, the kTile gradient rows are sums in registers and every tile
//     adds x_c · D1[row, :] (one D1 row load serves kTile columns);
// each sum in the fixed order of kern::Kernels::tile_product / tile_grad. Nothing depends on the
// thread count.
constexpr double kSparseDensity = 0.5;
static_assert(kBlockRows <= kern::kMaxTileRows, "a tile's row index is one byte");

// The rows' values as one-byte codes k into level[k] (the same floats in a quarter of the memory),
// when every value is +0 (code 0) or, for k in 1..255, either every nonzero x has k = round(255 x)
// and all values of one k are the same float (unit-scaled 8-bit pixels), or every nonzero x is the
// integer k (raw 8-bit pixels). Else none.
struct ValueCodes {
  enum Rule { kNone, kUnit, kInteger } rule = kNone;
  FloatBuffer level;
  uint32_t code_of(float x) const {
    if (x == 0.0f) return 0u;
    return static_cast<uint32_t>(rule == kUnit ? std::nearbyint(x * 255.0f) : x);
  }
};

ValueCodes value_codes(const Dataset& data) {
  bool unit = true, integer = true;
  std::vector<uint32_t> level_bits(256, 0);
  std::vector<bool> level_set(256, false);
  level_set[0] = true;  // +0
  for (size_t i = 0; i < data.n * data.d && (unit || integer); ++i) {
    const float x = data.x[i];
    uint32_t bits;
    std::memcpy(&bits, &x, sizeof bits);
    if (bits == 0) continue;
    integer = integer && x >= 1.0f && x <= 255.0f && x == std::nearbyint(x);
    if (!unit) continue;
    const float k = std::nearbyint(x * 255.0f);
    if (!(k >= 1.0f && k <= 255.0f)) {
      unit = false;
      continue;
    }
    const size_t c = static_cast<size_t>(k);
    if (!level_set[c]) {
      level_set[c] = true;
      level_bits[c] = bits;
    } else if (level_bits[c] != bits) {
      unit = false;
    }
  }
  ValueCodes vc;
  if (unit) {
    vc.rule = ValueCodes::kUnit;
    vc.level.assign(256, 0.0f);
    std::memcpy(vc.level.data(), level_bits.data(), 256 * sizeof(float));
  } else if (integer) {
    vc.rule = ValueCodes::kInteger;
    vc.level.assign(256, 0.0f);
    for (size_t k = 0; k < 256; ++k) vc.level[k] = static_cast<float>(k);
  }
  return vc;
}

// The number of nonzeros among the kTile values at x (len of them).
inline size_t tile_nonzeros(const float* x, size_t len) {
  if (len == kern::kTile) {  // nonzero <=> a bit other than the sign is set (the rows are finite)
    static_assert(kern::kTile == 4, "four columns per group");
    uint32_t u[4];
    std::memcpy(u, x, sizeof u);
    return static_cast<size_t>((u[0] << 1) != 0) + static_cast<size_t>((u[1] << 1) != 0) +
           static_cast<size_t>((u[2] << 1) != 0) + static_cast<size_t>((u[3] << 1) != 0);
  }
  size_t c = 0;
  for (size_t j = 0; j < len; ++j) c += x[j] != 0.0f ? 1 : 0;
  return c;
}

}  // namespace

std::shared_ptr<const SparseRows> sparse_rows(const Dataset& data) {
  const size_t n = data.n, d = data.d, T = kern::kTile;
  const size_t G = (d + T - 1) / T, words = (G + 63) / 64;
  // One pass over the rows: the nonzero count and, per row, which column groups hold a nonzero.
  std::vector<uint64_t> mask(n * words, 0);
  size_t nnz = 0;
  for (size_t i = 0; i < n; ++i) {
    const float* x = data.x + i * d;
    uint64_t* m = mask.data() + i * words;
    for (size_t g = 0; g < G; ++g) {
      const size_t c = tile_nonzeros(x + g * T, std::min(T, d - g * T));
      nnz += c;
      m[g / 64] |= static_cast<uint64_t>(c != 0) << (g % 64);
    }
  }
  if (static_cast<double>(nnz) > kSparseDensity * static_cast<double>(n * d) || nnz >= (size_t(1) << 32))
    return nullptr;
  // Calls f(g) for the groups of row i that hold a nonzero, ascending.
  auto each_group = [&](size_t i, auto&& f) {
    for (size_t w = 0; w < words; ++w)
      for (uint64_t bits = mask[i * words + w]; bits != 0; bits &= bits - 1)
        f(w * 64 + static_cast<size_t>(__builtin_ctzll(bits)));
  };
  auto sp = std::make_shared<SparseRows>();
  sp->d = d;
  sp->groups = G;
  sp->blocks = (n + kBlockRows - 1) / kBlockRows;
  sp->group_ptr.assign(sp->blocks * (G + 1), 0);
  uint32_t tiles = 0;  // at most nnz
  for (size_t b = 0; b < sp->blocks; ++b) {
    const size_t r0 = b * kBlockRows, r1 = std::min(n, r0 + kBlockRows);
    uint32_t* gp = sp->group_ptr.data() + b * (G + 1);
    for (size_t i = r0; i < r1; ++i) each_group(i, [&](size_t g) { gp[g + 1] += 1; });
    gp[0] = tiles;
    for (size_t g = 0; g < G; ++g) gp[g + 1] += gp[g];
    tiles = gp[G];
  }
  sp->row.resize(tiles);
  const ValueCodes vc = value_codes(data);
  if (vc.rule != ValueCodes::kNone) {
    sp->level = vc.level;
    sp->code.assign(tiles, 0);
  } else {
    sp->val.assign(static_cast<size_t>(tiles) * T, 0.0f);
  }
  const bool coded = vc.rule != ValueCodes::kNone;
  std::vector<uint32_t> next(G);
  for (size_t b = 0; b < sp->blocks; ++b) {
    const size_t r0 = b * kBlockRows, r1 = std::min(n, r0 + kBlockRows);
    std::copy(sp->group_ptr.begin() + b * (G + 1), sp->group_ptr.begin() + b * (G + 1) + G, next.begin());
    for (size_t i = r0; i < r1; ++i)  // rows ascending within each group
      each_group(i, [&](size_t g) {
        const uint32_t t = next[g]++;
        sp->row[t] = static_cast<uint8_t>(i - r0);
        const float* x = data.x + i * d + g * T;
        const size_t len = std::min(d - g * T, T);
        if (coded) {
          uint32_t c = 0;
          for (size_t k = 0; k < len; ++k) c |= vc.code_of(x[k]) << (8 * k);
          sp->code[t] = c;
        } else {
          std::copy(x, x + len, sp->val.data() + static_cast<size_t>(t) * T);
        }
      });
  }
  return sp;
}

// Mini-batch steps' sparse first layer (mlp_train.cpp): the same density rule and value codes,
// every row's nonzero tiles in row order. Two branch-free passes: count, then fill (a tile is
// written at the next slot and kept when it holds a nonzero).
std::shared_ptr<const RowTiles> row_tiles(const Dataset& data) {
  const size_t n = data.n, d = data.d, T = kern::kTile, G = (d + T - 1) / T;
  if (G > 65535) return nullptr;
  size_t nnz = 0, tiles = 0;
  for (size_t i = 0; i < n; ++i)
    for (size_t g = 0; g < G; ++g) {
      const size_t c = tile_nonzeros(data.x + i * d + g * T, std::min(T, d - g * T));
      nnz += c;
      tiles += c != 0 ? 1 : 0;
    }
  if (static_cast<double>(nnz) > kSparseDensity * static_cast<double>(n * d) || tiles >= (size_t(1) << 32))
    return nullptr;
  auto rt = std::make_shared<RowTiles>();
  ValueCodes vc = value_codes(data);
  const bool coded = vc.rule != ValueCodes::kNone;
  rt->groups = G;
  rt->ptr.assign(n + 1, 0);
  rt->group.assign(tiles + 1, 0);  // + 1: the slot of a dropped last tile
  if (coded) {
    rt->level = std::move(vc.level);
    rt->code.assign(tiles + 1, 0);
  } else {
    rt->val.assign((tiles + 1) * T, 0.0f);
  }
  size_t t = 0;
  for (size_t i = 0; i < n; ++i) {
    for (size_t g = 0; g < G; ++g) {
      const float* x = data.x + i * d + g * T;
      const size_t len = std::min(T, d - g * T);
      rt->group[t] = static_cast<uint16_t>(g);
      if (coded) {
        uint32_t c = 0;
        for (size_t k = 0; k < len; ++k) c |= vc.code_of(x[k]) << (8 * k);
        rt->code[t] = c;
      } else {
        float* v = rt->val.data() + t * T;
        for (size_t k = 0; k < T; ++k) v[k] = k < len ? x[k] : 0.0f;
      }
      t += tile_nonzeros(x, len) != 0 ? 1 : 0;
    }
    rt->ptr[i + 1] = static_cast<uint32_t>(t);
  }
  return rt;
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
    K.tile_product(sp.block(b), d0, rows, t.w.data() + p.woff[1], p.stride[1], t.w.data() + p.boff[1],
                   ws.pact[1].data());
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
    K.tile_grad(sp.block(b), d0, d1, p.stride[1], grad + p.woff[1]);
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
