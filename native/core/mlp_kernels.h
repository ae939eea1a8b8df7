// Vector kernels of the dense-network trainer (docs/method.md §8c), chosen at run time: AVX-512
// where the CPU has it, else AVX2+FMA (the build's x86-64-v3 baseline), else portable C++. No
// Eigen here: the AVX-512 variant is compiled for that ISA inside this file only (GCC target
// pragmas), so no inline function shared with other translation units is ever built for it.
//
// Layout ("packed"): every matrix row is padded with zeros to a multiple of kPad floats, so a row
// is a whole number of vectors in either variant. The kernels vectorise across OUTPUT columns
// only and accumulate each output element over its reduction index in one fixed order with one
// fused multiply-add per term (the order is part of each kernel's contract below), so the AVX2,
// AVX-512 and portable-with-FMA variants give bit-identical results; the vector width only decides
// how many elements are computed at once.
#pragma once
#include <cstddef>
#include <cstdint>

namespace ricci {
namespace mlp {
namespace kern {

constexpr size_t kPad = 16;  // floats per padded unit (one AVX-512 vector, two AVX2 vectors)
inline size_t padded(size_t w) { return (w + kPad - 1) / kPad * kPad; }
// The sparse first layer reads its rows in tiles of kTile consecutive input columns (pixels) of
// one row: a row block's tiles, grouped by column group g (columns kTile·g .. kTile·g + kTile-1)
// and rows ascending within a group, each tile with the row's index in its block and kTile values
// (zeros included; columns beyond the input width count as zeros). Gradient sums alternate tiles
// between kTileSums partial sums.
constexpr size_t kTile = 4;
constexpr int kTileSums = 2;
constexpr size_t kMaxSparseStride = 64;  // sparse first layer for padded widths up to this
constexpr size_t kMaxTileRows = 256;     // a tile's row index is one byte

// One row block's tiles. Tile t (an index into row/code/val) has row row[t] and values x_c,
// c < kTile: level[(code[t] >> 8c) & 255] when code is non-null (rows with at most 256 distinct
// values, one byte each: the same floats in a quarter of the memory), else val[kTile·t + c].
struct Tiles {
  const uint32_t* group_ptr;  // group g's tiles are [group_ptr[g], group_end[g])
  const uint32_t* group_end;  // (group_ptr + 1 when the groups are contiguous)
  const uint8_t* row;
  const uint32_t* code;
  const float* level;  // 256 values
  const float* val;
};

struct Kernels {
  const char* name;  // "avx512", "avx2" or "portable"
  // Z[i, :] = post(init + Σ_k A[i,k] · W[k, :]) for rows i < rows, k = 0 .. in-1 ascending
  // (init = bias[:] or 0 when bias is null); W is in x S (row stride S), Z rows x S (stride S).
  // post: relu (max(z, 0)) when relu; when mask is non-null, z where mask[i, :] > 0 else 0 (mask
  // rows x S). A has row stride lda.
  void (*product)(const float* A, size_t lda, size_t rows, size_t in, const float* W, size_t S, const float* bias,
                  bool relu, const float* mask, float* Z);
  // dW[k, :] = Σ_i A[i,k] · D[i, :], i = 0 .. rows-1 ascending, for k < in (dW in x S); when db is
  // non-null, db[:] = Σ_i D[i, :] (additions, i ascending; computed as FMAs with 1, which round
  // the same). D has row stride S.
  void (*grad_w)(const float* A, size_t lda, size_t rows, size_t in, const float* D, size_t S, float* dW, float* db);
  // The sparse first layer, forward, for one row block's tiles. For every row i < rows:
  // Z[i, :] = relu(z) with z = bias, then z = fma(x_c, W[kTile·g + c, :], z) for each of the row's
  // tiles in ascending group order (g < ceil(in / kTile)) and c = 0 .. kTile-1 within a tile (one
  // FMA chain from the bias; a column beyond `in` has x = 0 and a zero weight row).
  // S <= kMaxSparseStride.
  void (*tile_product)(const Tiles& T, size_t in, size_t rows, const float* W, size_t S, const float* bias, float* Z);
  // Its gradient for the same block: dW[kTile·g + c, :] = s_0 + s_1 (columns < in), s_m the FMA
  // chain from 0 over group g's tiles at positions ≡ m (mod kTileSums), ascending, of
  // x_c · D[row, :].
  void (*tile_grad)(const Tiles& T, size_t in, const float* D, size_t S, float* dW);
  // The same gradient as one FMA chain per element: dW[kTile·g + c, :] = the chain from 0 over all
  // of group g's tiles, ascending, of x_c · D[row, :]. With a row block's rows ascending within a
  // group, this is grad_w's order with the zero terms left out (mini-batch steps: the same bits).
  void (*tile_grad_chain)(const Tiles& T, size_t in, const float* D, size_t S, float* dW);
  // Optimizer updates of n elements (docs/method.md §8a/§8b; separate multiplies and additions,
  // no fused operations, so every variant rounds the same):
  //   RMSprop: v = rho·v + (1-rho)·(g·g); w -= (lr·g) / (sqrt(v) + eps)
  //   Adam:    m = m·b1 + g·omb1; v = v·b2 + (g·g)·omb2; w -= step · (m / (sqrt(v) / bc2 + eps))
  void (*rmsprop)(float* w, float* v, const float* g, size_t n, float rho, float omrho, float lr, float eps);
  void (*adam)(float* w, float* m, float* v, const float* g, size_t n, float b1, float omb1, float b2, float omb2,
               float step, float bc2_sqrt, float eps);
};

// The best variant this CPU runs, or the one named by RICCIFLOW_TRAIN_KERNEL (avx512, avx2,
// portable; a variant the CPU cannot run falls back to the best one that it can).
const Kernels& select_kernels();
// Whether the CPU (and this build) can run the named variant.
bool kernels_available(const char* name);

}  // namespace kern
}  // namespace mlp
}  // namespace ricci
