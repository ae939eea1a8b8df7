// Float32 Gram blocks for the exact kNN's candidate search (core/knn.cpp, docs/method.md §2), with
// vector kernels chosen at run time: AVX-512 where the CPU has it, else AVX2+FMA; "eigen" (Eigen's
// product, the portable fallback) otherwise or when RICCIFLOW_KNN_KERNEL=eigen.
//
// Each product is a float dot product whose summation order depends on the kernel. The exact kNN
// never depends on that order: its error bound holds for any order (gamma_d), and every candidate
// whose rank rounding could change is re-ranked by exact distances, so all kernels give the same
// neighbour lists (tested).
#pragma once
#include <cstddef>

namespace ricci {
namespace gram {

// Rows are zero-padded to a multiple of kPad floats (one AVX-512 vector).
constexpr size_t kPad = 16;
inline size_t padded(size_t d) { return (d + kPad - 1) / kPad * kPad; }

struct Kernel {
  const char* name;  // "avx512" or "avx2"
  // C[a * ldc + b] = Σ_t A[a * ld + t] · B[b * ld + t] for a < ra, b < rb, t < dp (dp and ld
  // multiples of kPad, padding zeros). When `mirror` is non-null it also receives the transpose:
  // mirror[b * ldc + a] = C[a * ldc + b]. When `lower` is set (a diagonal block, A == B), only the
  // register tiles that meet the lower triangle b <= a are computed and every computed value is
  // also mirrored, which fills the whole block.
  void (*block)(const float* A, size_t ra, const float* B, size_t rb, size_t ld, size_t dp, float* C, size_t ldc,
                float* mirror, bool lower);
};

// The widest kernel this CPU runs, or the one named by RICCIFLOW_KNN_KERNEL (avx512, avx2); null
// for "eigen" or when none runs here (the caller then uses Eigen's product).
const Kernel* select_kernel();
// The name of select_kernel()'s choice ("eigen" when null).
const char* kernel_name();

}  // namespace gram
}  // namespace ricci
