// Run-time instruction-set checks shared by the hand-written vector kernels (the kNN's Gram blocks
// in gram.cpp, the trainer's kernels in mlp_kernels.cpp), and the intrinsic wrappers their x86
// variants spell alike. The build targets x86-64-v3; wider variants are compiled under GCC target
// pragmas and chosen only when cpu_runs() says this CPU has them.
#pragma once

namespace ricci {

// Whether this CPU runs the kernel family `isa`: "portable" (always), "avx2" (AVX2 + FMA),
// "avx512" (AVX-512F + AVX2 + FMA). Any other name: false.
bool cpu_runs(const char* isa);

}  // namespace ricci

#if defined(__x86_64__) && defined(__GNUC__)
// Members of a kernel variant's `Ops` (vector type V) for intrinsic prefix P (_mm256 or _mm512).
#define RICCI_X86_VEC_OPS(P)                                    \
  static V zero() { return P##_setzero_ps(); }                  \
  static V set1(float a) { return P##_set1_ps(a); }             \
  static V load(const float* p) { return P##_loadu_ps(p); }     \
  static void store(float* p, V v) { P##_storeu_ps(p, v); }     \
  static V fma(V a, V b, V c) { return P##_fmadd_ps(a, b, c); } \
  static V add(V a, V b) { return P##_add_ps(a, b); }           \
  static V sub(V a, V b) { return P##_sub_ps(a, b); }           \
  static V mul(V a, V b) { return P##_mul_ps(a, b); }           \
  static V div(V a, V b) { return P##_div_ps(a, b); }           \
  static V sqrt(V a) { return P##_sqrt_ps(a); }
#endif
