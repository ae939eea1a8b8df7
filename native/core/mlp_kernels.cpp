// Variants of the trainer's vector kernels (see mlp_kernels.h). Each variant is the same source,
// mlp_kernels.inc, compiled inside its own anonymous namespace with its own `Ops`; the x86 ones
// under a GCC target pragma, so only those functions use the wider ISA and the selection below runs
// them only on CPUs that have it. No Eigen and no standard-library templates are instantiated in
// the target regions (everything there has internal linkage).
//
// Multiplications and additions are never contracted into fused operations here (fp-contract=off):
// the only FMAs are the explicit Ops::fma, so each variant rounds every element the same way.
#pragma GCC optimize("fp-contract=off")
#include "mlp_kernels.h"

#include "cpu_isa.h"

#include <cmath>
#include <cstdlib>
#include <cstring>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define RICCI_MLP_X86 1
#endif

namespace ricci {
namespace mlp {
namespace kern {

// ---- portable: 8-lane GCC vectors, lane-wise fmaf (exact fused multiply-add) --------------------
namespace {
namespace portable {
typedef float V __attribute__((vector_size(32)));
constexpr const char* kName = "portable";
struct Ops {
  static constexpr int kL = 8;
  static constexpr int kRegs = 16;
  static V zero() { return V{}; }
  static V set1(float a) { return V{a, a, a, a, a, a, a, a}; }
  static V load(const float* p) {
    V v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
  static void store(float* p, V v) { std::memcpy(p, &v, sizeof v); }
  static V fma(V a, V b, V c) {
    V r;
    for (int l = 0; l < kL; ++l) r[l] = __builtin_fmaf(a[l], b[l], c[l]);
    return r;
  }
  static V add(V a, V b) { return a + b; }
  static V sub(V a, V b) { return a - b; }
  static V mul(V a, V b) { return a * b; }
  static V div(V a, V b) { return a / b; }
  static V sqrt(V a) {
    V r;
    for (int l = 0; l < kL; ++l) r[l] = __builtin_sqrtf(a[l]);
    return r;
  }
  static V max0(V a) {
    const V z{};
    return a > z ? a : z;
  }
  static V keep_where_positive(V a, V m) {
    const V z{};
    return m > z ? a : z;
  }
};
#include "mlp_kernels.inc"
}  // namespace portable
}  // namespace

#if defined(RICCI_MLP_X86)

// ---- AVX2 + FMA (the x86-64-v3 baseline, checked at run time all the same) ---------------------
#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace {
namespace avx2 {
typedef __m256 V;
constexpr const char* kName = "avx2";
struct Ops {
  static constexpr int kL = 8;
  static constexpr int kRegs = 16;
  RICCI_X86_VEC_OPS(_mm256)
  // max(a, 0) as `a > 0 ? a : 0` (the portable form: -0 and NaN give +0 alike)
  static V max0(V a) { return _mm256_and_ps(a, _mm256_cmp_ps(a, _mm256_setzero_ps(), _CMP_GT_OQ)); }
  static V keep_where_positive(V a, V m) { return _mm256_and_ps(a, _mm256_cmp_ps(m, _mm256_setzero_ps(), _CMP_GT_OQ)); }
};
#include "mlp_kernels.inc"
}  // namespace avx2
}  // namespace
#pragma GCC pop_options

// ---- AVX-512 (F; 512-bit FMA datapath on Zen 4/5 and Intel server cores) ------------------------
// GCC 12's _mm512_sqrt_ps trips a false -Wmaybe-uninitialized inside its own header.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC push_options
#pragma GCC target("avx512f,avx2,fma")
namespace {
namespace avx512 {
typedef __m512 V;
constexpr const char* kName = "avx512";
struct Ops {
  static constexpr int kL = 16;
  static constexpr int kRegs = 32;
  RICCI_X86_VEC_OPS(_mm512)
  static V max0(V a) { return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(a, _mm512_setzero_ps(), _CMP_GT_OQ), a); }
  static V keep_where_positive(V a, V m) {
    return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(m, _mm512_setzero_ps(), _CMP_GT_OQ), a);
  }
};
#include "mlp_kernels.inc"
}  // namespace avx512
}  // namespace
#pragma GCC pop_options
#pragma GCC diagnostic pop
#endif

namespace {
const Kernels& by_name(const char* name) {
#if defined(RICCI_MLP_X86)
  if (std::strcmp(name, "avx512") == 0) return avx512::kTable;
  if (std::strcmp(name, "avx2") == 0) return avx2::kTable;
#endif
  (void)name;
  return portable::kTable;
}

const Kernels& best() {
  static const Kernels& k = cpu_runs("avx512") ? by_name("avx512") : cpu_runs("avx2") ? by_name("avx2") : by_name("portable");
  return k;
}
}  // namespace

bool kernels_available(const char* name) {
  return name != nullptr && cpu_runs(name) && std::strcmp(by_name(name).name, name) == 0;
}

const Kernels& select_kernels() {
  const char* e = std::getenv("RICCIFLOW_TRAIN_KERNEL");
  if (e != nullptr && *e != '\0' && kernels_available(e)) return by_name(e);
  return best();
}

}  // namespace kern
}  // namespace mlp
}  // namespace ricci
