// Variants of the kNN's Gram block kernel (see gram.h). Each variant is the same source,
// gram_block.inc, compiled inside its own anonymous namespace with its own `Ops` under a GCC target
// pragma, so only those functions use the wider ISA and the selection below runs them only on CPUs
// that have it. No Eigen and no standard-library templates are instantiated in the target regions.
#include "gram.h"

#include "cpu_isa.h"

#include <cstdlib>
#include <cstring>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define RICCI_GRAM_X86 1
#endif

namespace ricci {
namespace gram {

#if defined(RICCI_GRAM_X86)
// ---- AVX2 + FMA (the x86-64-v3 baseline, checked at run time all the same) ---------------------
#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace {
namespace avx2 {
typedef __m256 V;
constexpr const char* kName = "avx2";
struct Ops {
  static constexpr int kL = 8;
  static constexpr size_t kMR = 3, kNR = 4;  // 12 accumulators + 4 operands = 16 registers
  RICCI_X86_VEC_OPS(_mm256)
  static void in_register(V& v) { __asm__("" : "+x"(v)); }
  static float hsum(V v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
  }
  // out[b] (+)= the sum of v[b]'s lanes, b < N (N = 1 or kNR).
  template <int N>
  static void sums(const V* v, float* out, bool add) {
    if constexpr (N == 1) {
      out[0] = add ? out[0] + hsum(v[0]) : hsum(v[0]);
    } else {
      static_assert(N == 4, "AVX2 register tiles are 4 wide");
      const __m256 u = _mm256_hadd_ps(_mm256_hadd_ps(v[0], v[1]), _mm256_hadd_ps(v[2], v[3]));
      __m128 s = _mm_add_ps(_mm256_castps256_ps128(u), _mm256_extractf128_ps(u, 1));
      if (add) s = _mm_add_ps(s, _mm_loadu_ps(out));
      _mm_storeu_ps(out, s);
    }
  }
};
#include "gram_block.inc"
}  // namespace avx2
}  // namespace
#pragma GCC pop_options

// ---- AVX-512 (F; 512-bit FMA datapath on Zen 4/5 and Intel server cores) ------------------------
// GCC 12's _mm512_extractf64x4_pd trips a false -Wmaybe-uninitialized inside its own header.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC push_options
#pragma GCC target("avx512f,avx2,fma")
namespace {
namespace avx512 {
typedef __m512 V;
constexpr const char* kName = "avx512";
struct Ops {
  static constexpr int kL = 16;
  static constexpr size_t kMR = 3, kNR = 8;  // 24 accumulators + 4 operands of 32 registers
  RICCI_X86_VEC_OPS(_mm512)
  static void in_register(V& v) { __asm__("" : "+v"(v)); }
  static __m256 halves(V v) {
    return _mm256_add_ps(_mm512_castps512_ps256(v), _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
  }
  // The two 256-bit halves added, then summed as the AVX2 variant sums a vector (same operations).
  static float hsum(V v) { return avx2::Ops::hsum(halves(v)); }
  template <int N>
  static void sums(const V* v, float* out, bool add) {
    if constexpr (N == 1) {
      out[0] = add ? out[0] + hsum(v[0]) : hsum(v[0]);
    } else {
      static_assert(N == 8, "AVX-512 register tiles are 8 wide");
      __m256 h[8];
      for (int b = 0; b < 8; ++b) h[b] = halves(v[b]);
      // [s0 .. s3 | s0' .. s3'] and [s4 .. s7 | s4' .. s7'] (per 128-bit lane), then lane halves added.
      const __m256 u0 = _mm256_hadd_ps(_mm256_hadd_ps(h[0], h[1]), _mm256_hadd_ps(h[2], h[3]));
      const __m256 u1 = _mm256_hadd_ps(_mm256_hadd_ps(h[4], h[5]), _mm256_hadd_ps(h[6], h[7]));
      __m256 s = _mm256_add_ps(_mm256_permute2f128_ps(u0, u1, 0x20), _mm256_permute2f128_ps(u0, u1, 0x31));
      if (add) s = _mm256_add_ps(s, _mm256_loadu_ps(out));
      _mm256_storeu_ps(out, s);
    }
  }
};
#include "gram_block.inc"
}  // namespace avx512
}  // namespace
#pragma GCC pop_options
#pragma GCC diagnostic pop
#endif

namespace {
const Kernel* by_name(const char* name) {
#if defined(RICCI_GRAM_X86)
  if (cpu_runs(name)) {
    if (std::strcmp(name, "avx512") == 0) return &avx512::kKernel;
    if (std::strcmp(name, "avx2") == 0) return &avx2::kKernel;
  }
#endif
  (void)name;
  return nullptr;
}

const Kernel* best() {
  static const Kernel* k = by_name("avx512") ? by_name("avx512") : by_name("avx2");
  return k;
}
}  // namespace

const Kernel* select_kernel() {
  const char* e = std::getenv("RICCIFLOW_KNN_KERNEL");
  if (e != nullptr && *e != '\0') {
    if (std::strcmp(e, "eigen") == 0) return nullptr;
    if (const Kernel* k = by_name(e)) return k;
  }
  return best();
}

const char* kernel_name() {
  const Kernel* k = select_kernel();
  return k ? k->name : "eigen";
}

}  // namespace gram
}  // namespace ricci
