// Bit primitives of the exact Ollivier solver (ollivier.cpp): 64×64 bit transposes (AVX2 or
// scalar), bit sets, flow bookkeeping on mask rows. Internal to native/core/ollivier*.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>
#if defined(__AVX2__)
#include <immintrin.h>  // AVX2 transpose below; other targets use the scalar stages
#endif

namespace ricci {
namespace oll {

constexpr double kTol = 1e-9;  // scaled units (one unit = (1-α)/(d_a d_b) of mass)
constexpr int kKeyCap = 16;    // greedy row order: partner counts capped here

inline int ctz64(uint64_t w) { return __builtin_ctzll(w); }

// In-place transpose of a 64×64 bit matrix: bit c of a[r] <-> bit r of a[c]. Six swap stages
// (blocks of 32, 16, ..., 1); with AVX2 the rows sit in 16 registers of 4 words, stages 32..4
// pair whole registers and stages 2 and 1 swap words inside a register.
inline void transpose64(uint64_t a[64]) {
#ifdef __AVX2__
  __m256i v[16];
  for (int i = 0; i < 16; ++i) v[i] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + 4 * i));
  auto step = [](__m256i& lo, __m256i& hi, int j, uint64_t mm) {
    const __m256i m = _mm256_set1_epi64x(static_cast<long long>(mm));
    const __m256i t = _mm256_and_si256(_mm256_xor_si256(_mm256_srli_epi64(lo, j), hi), m);
    lo = _mm256_xor_si256(lo, _mm256_slli_epi64(t, j));
    hi = _mm256_xor_si256(hi, t);
  };
  for (int i = 0; i < 8; ++i) step(v[i], v[i + 8], 32, 0x00000000FFFFFFFFull);
  for (int b = 0; b < 16; b += 8)
    for (int i = 0; i < 4; ++i) step(v[b + i], v[b + i + 4], 16, 0x0000FFFF0000FFFFull);
  for (int b = 0; b < 16; b += 4)
    for (int i = 0; i < 2; ++i) step(v[b + i], v[b + i + 2], 8, 0x00FF00FF00FF00FFull);
  for (int b = 0; b < 16; b += 2) step(v[b], v[b + 1], 4, 0x0F0F0F0F0F0F0F0Full);
  const __m256i m2 = _mm256_setr_epi64x(0x3333333333333333ll, 0x3333333333333333ll, 0, 0);
  const __m256i m1 = _mm256_setr_epi64x(0x5555555555555555ll, 0, 0x5555555555555555ll, 0);
  for (int i = 0; i < 16; ++i) {
    __m256i x = v[i];
    // words (0,2), (1,3): the masked difference goes from the low word to the high one
    __m256i t = _mm256_and_si256(_mm256_xor_si256(_mm256_srli_epi64(x, 2), _mm256_permute4x64_epi64(x, 0x4E)), m2);
    x = _mm256_xor_si256(x, _mm256_xor_si256(_mm256_slli_epi64(t, 2), _mm256_permute4x64_epi64(t, 0x4E)));
    // words (0,1), (2,3)
    t = _mm256_and_si256(_mm256_xor_si256(_mm256_srli_epi64(x, 1), _mm256_shuffle_epi32(x, 0x4E)), m1);
    x = _mm256_xor_si256(x, _mm256_xor_si256(_mm256_slli_epi64(t, 1), _mm256_shuffle_epi32(t, 0x4E)));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(a + 4 * i), x);
  }
#else
  uint64_t m = 0x00000000FFFFFFFFull;
  for (int j = 32; j != 0; j >>= 1, m ^= (m << j)) {
    for (int k = 0; k < 64; k = ((k | j) + 1) & ~j) {
      const uint64_t t = ((a[k] >> j) ^ a[k | j]) & m;
      a[k] ^= t << j;
      a[k | j] ^= t;
    }
  }
#endif
}

inline void setbit(uint64_t* m, int x) { m[x >> 6] |= uint64_t(1) << (x & 63); }
inline void clrbit(uint64_t* m, int x) { m[x >> 6] &= ~(uint64_t(1) << (x & 63)); }
inline bool testbit(const uint64_t* m, int x) { return (m[x >> 6] >> (x & 63)) & 1; }

// Adds d to the flow f[i] of the pair whose bit x is in the mask row fm. A flow value is only
// meaningful while its bit is set (a cleared bit means zero flow), so flows are never cleared:
// the first push overwrites whatever an earlier problem left there.
inline void addflow(double* f, size_t i, uint64_t* fm, int x, double d) {
  if (testbit(fm, x)) f[i] += d;
  else { f[i] = d; setbit(fm, x); }
}

// First member of (m & alive & lvl) over `words` words; -1 if none.
inline int pick(const uint64_t* m, const uint64_t* alive, const uint64_t* lvl, int words) {
  for (int q = 0; q < words; ++q) {
    const uint64_t b = m[q] & alive[q] & lvl[q];
    if (b) return q * 64 + ctz64(b);
  }
  return -1;
}

// col[x] (S×RW words) = the rows whose mask (R×W words) holds bit x. Every nonzero block of
// 64 rows goes through a 64×64 transpose (in AVX2 registers that is cheaper than scattering
// even a few dozen bits one by one).
inline void transpose_rows(const uint64_t* mask, int R, int W, std::vector<uint64_t>& colv) {
  const int RW = (R + 63) / 64;
  colv.assign(static_cast<size_t>(64) * W * RW, 0);
  uint64_t* col = colv.data();
  alignas(64) uint64_t blk[64];
  for (int rb = 0; rb < RW; ++rb)
    for (int w = 0; w < W; ++w) {
      uint64_t any = 0;
      const int rows = std::min(64, R - rb * 64);
      for (int i = 0; i < rows; ++i) {
        blk[i] = mask[static_cast<size_t>(rb * 64 + i) * W + w];
        any |= blk[i];
      }
      if (any == 0) continue;
      for (int i = rows; i < 64; ++i) blk[i] = 0;
      transpose64(blk);
      for (int t = 0; t < 64; ++t) col[static_cast<size_t>(w * 64 + t) * RW + rb] = blk[t];
    }
}

// The same in block-major layout: col[q*64W + x] = rows 64q..64q+63 whose mask holds bit x. Each
// 64×64 block is transposed in place where it is stored.
inline void transpose_rows_bm(const uint64_t* mask, int R, int W, std::vector<uint64_t>& colv) {
  const int RW = (R + 63) / 64;
  const size_t S = static_cast<size_t>(64) * W;
  if (colv.size() < S * RW) colv.resize(S * RW);
  uint64_t* col = colv.data();
  for (int rb = 0; rb < RW; ++rb)
    for (int w = 0; w < W; ++w) {
      uint64_t* blk = col + rb * S + w * 64;
      const int rows = std::min(64, R - rb * 64);
      uint64_t any = 0;
      for (int i = 0; i < rows; ++i) {
        blk[i] = mask[static_cast<size_t>(rb * 64 + i) * W + w];
        any |= blk[i];
      }
      for (int i = rows; i < 64; ++i) blk[i] = 0;
      if (any) transpose64(blk);
    }
}

// First member of (m[q*stride] & alive[q] & lvl[q]) over `words` words; -1 if none.
inline int pick_strided(const uint64_t* m, size_t stride, const uint64_t* alive, const uint64_t* lvl, int words) {
  for (int q = 0; q < words; ++q) {
    const uint64_t b = m[q * stride] & alive[q] & lvl[q];
    if (b) return q * 64 + ctz64(b);
  }
  return -1;
}

}  // namespace oll
}  // namespace ricci
