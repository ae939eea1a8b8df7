#include "distances.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>

#include "gram.h"

namespace ricci {

double scale_for_max(double mx) {
  if (mx == 0 || (mx >= std::ldexp(1.0, -40) && mx <= std::ldexp(1.0, 40))) return 1.0;
  int e = 0;
  std::frexp(mx, &e);  // mx = f 2^e, f in [0.5, 1)
  return std::ldexp(1.0, -e);
}

double distance_scale(const PointsView& p) {
  double mx = 0;
  const size_t len = p.n * p.d;
  if (p.dtype == DType::F32) {
    const float* x = static_cast<const float*>(p.data);
    float m = 0;
    for (size_t i = 0; i < len; ++i) m = std::max(m, std::fabs(x[i]));
    mx = m;
  } else {
    const double* x = static_cast<const double*>(p.data);
    for (size_t i = 0; i < len; ++i) mx = std::max(mx, std::fabs(x[i]));
  }
  return scale_for_max(mx);
}

namespace {
// Largest |x| as the bit pattern of |x| (for non-negative floats and doubles, integer order is
// value order, and every NaN or infinity lies at or above the infinity's pattern), and whether
// some value is not a whole number.
template <typename T, typename U>
void scan_typed(const T* x, size_t len, int threads, PointsScan& r) {
  constexpr U kAbs = ~U(0) >> 1;
  constexpr U kInf = std::is_same<T, float>::value ? U(0x7F800000u) : U(0x7FF0000000000000ull);
  const T kRound = std::is_same<T, float>::value ? T(12582912.0) : T(6755399441055744.0);  // 1.5 * 2^23, 1.5 * 2^52
  U mb = 0;
  int frac = 0;
  const long chunks = static_cast<long>((len + 4095) / 4096);
#pragma omp parallel for schedule(static) reduction(max : mb) reduction(| : frac) num_threads(threads)
  for (long c = 0; c < chunks; ++c) {
    const size_t i0 = static_cast<size_t>(c) * 4096, i1 = std::min(len, i0 + 4096);
    U m = 0;
    uint32_t f = 0;
    for (size_t i = i0; i < i1; ++i) {
      U b;
      std::memcpy(&b, x + i, sizeof b);
      const U a = b & kAbs;
      m = m > a ? m : a;
      // Whole number test (vectorises, unlike trunc): adding and subtracting 1.5 * 2^(mantissa
      // bits) rounds |x| < 2^22 (2^51 for double) to an integer; larger values may fail the test,
      // but the integer path needs max |x| <= 16383 anyway, and NaN or infinity fail it.
      const T r = (x[i] + kRound) - kRound;
      f |= static_cast<uint32_t>(r != x[i]);
    }
    mb = std::max(mb, m);
    frac |= f;
  }
  r.finite = mb < kInf;
  T v;
  std::memcpy(&v, &mb, sizeof v);
  r.max_abs = r.finite ? static_cast<double>(v) : 0.0;
  r.integral = r.finite && frac == 0;
}

template <typename T>
CentredF32 centre_typed(const T* x, size_t n, size_t d, double scale, int threads) {
  // Column means, each summed over the rows in order (columns split between threads).
  std::vector<double> mean(d, 0.0);
  const long col_blocks = static_cast<long>((d + 63) / 64);
#pragma omp parallel for schedule(static) num_threads(threads)
  for (long cb = 0; cb < col_blocks; ++cb) {
    const size_t j0 = static_cast<size_t>(cb) * 64, j1 = std::min(d, j0 + 64);
    double* m = mean.data();
    for (size_t i = 0; i < n; ++i) {
      const T* row = x + i * d;
      for (size_t j = j0; j < j1; ++j) m[j] += static_cast<double>(row[j]) * scale;
    }
  }
  for (double& m : mean) m /= static_cast<double>(n);
  CentredF32 c;
  c.scale = scale;
  c.d = d;
  c.ld = gram::padded(d);
  c.x.resize(n * c.ld);
  c.sq.resize(n);
  double max_sq = 0;
#pragma omp parallel for schedule(static) reduction(max : max_sq) num_threads(threads)
  for (long il = 0; il < static_cast<long>(n); ++il) {
    const size_t i = static_cast<size_t>(il);
    const T* row = x + i * d;
    float* out = c.x.data() + i * c.ld;
    for (size_t j = 0; j < d; ++j) out[j] = static_cast<float>(static_cast<double>(row[j]) * scale - mean[j]);
    for (size_t j = d; j < c.ld; ++j) out[j] = 0.0f;
    // The squared norm in double, over eight fixed partial sums (vectorised; any order is well
    // inside the kNN's error bound, and this one is the same for any thread count).
    double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t j = 0;
    for (; j + 8 <= d; j += 8)
      for (int l = 0; l < 8; ++l) acc[l] += static_cast<double>(out[j + l]) * out[j + l];
    double s = 0;
    for (; j < d; ++j) s += static_cast<double>(out[j]) * out[j];
    s += ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    c.sq[i] = static_cast<float>(s);
    max_sq = std::max(max_sq, s);
  }
  c.max_sq = max_sq;
  return c;
}

template <typename T>
void integer_copy(const T* x, size_t len, int threads, std::vector<int16_t>& out) {
  out.resize(len);
  const long chunks = static_cast<long>((len + 4095) / 4096);
#pragma omp parallel for schedule(static) num_threads(threads)
  for (long c = 0; c < chunks; ++c) {
    const size_t i0 = static_cast<size_t>(c) * 4096, i1 = std::min(len, i0 + 4096);
    for (size_t i = i0; i < i1; ++i) out[i] = static_cast<int16_t>(x[i]);
  }
}
}  // namespace

PointsScan scan_points(const PointsView& p, int threads) {
  PointsScan r;
  const size_t len = p.n * p.d;
  if (p.dtype == DType::F32) scan_typed<float, uint32_t>(static_cast<const float*>(p.data), len, threads, r);
  else scan_typed<double, uint64_t>(static_cast<const double*>(p.data), len, threads, r);
  return r;
}

CentredF32 centre_f32(const PointsView& p, double scale, int threads) {
  return p.dtype == DType::F32 ? centre_typed(static_cast<const float*>(p.data), p.n, p.d, scale, threads)
                               : centre_typed(static_cast<const double*>(p.data), p.n, p.d, scale, threads);
}

IntegerPoints integer_points(const PointsView& p, const PointsScan& scan, int threads) {
  IntegerPoints r;
  const double mx = scan.max_abs;
  if (!scan.integral || mx > 16383.0 || static_cast<double>(p.d) * (2 * mx) * (2 * mx) >= 2147483647.0) return r;
  r.d = p.d;
  const size_t len = p.n * p.d;
  if (p.dtype == DType::F32) integer_copy(static_cast<const float*>(p.data), len, threads, r.x);
  else integer_copy(static_cast<const double*>(p.data), len, threads, r.x);
  return r;
}

double exact_sqdist(const PointsView& p, size_t i, size_t j, double scale) {
  const size_t d = p.d;
  double s = 0;
  if (scale != 1.0) {
    for (size_t t = 0; t < d; ++t) {
      const double diff = p.at(i, t) * scale - p.at(j, t) * scale;
      s += diff * diff;
    }
    return s;
  }
  if (p.dtype == DType::F32) {
    const float* a = static_cast<const float*>(p.data) + i * d;
    const float* b = static_cast<const float*>(p.data) + j * d;
#pragma omp simd reduction(+ : s)
    for (size_t t = 0; t < d; ++t) {
      const double diff = static_cast<double>(a[t]) - static_cast<double>(b[t]);
      s += diff * diff;
    }
  } else {
    const double* a = static_cast<const double*>(p.data) + i * d;
    const double* b = static_cast<const double*>(p.data) + j * d;
#pragma omp simd reduction(+ : s)
    for (size_t t = 0; t < d; ++t) {
      const double diff = a[t] - b[t];
      s += diff * diff;
    }
  }
  return s;
}

std::vector<double> pairwise_distances(const PointsView& p, int threads) {
  validate_points(p);
  const Eigen::Index n = static_cast<Eigen::Index>(p.n), d = static_cast<Eigen::Index>(p.d);
  // Centre in double (distances are translation invariant; centring shrinks the Gram's rounding),
  // on points scaled by a power of two when their magnitude would overflow or underflow squares.
  const double scale = distance_scale(p);
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> X(n, d);
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < d; ++j) X(i, j) = p.at(i, j) * scale;
  X.rowwise() -= X.colwise().mean();
  Eigen::VectorXd sq = X.rowwise().squaredNorm();
  std::vector<double> out(static_cast<size_t>(n) * n);
  const Eigen::Index B = 256;
  const Eigen::Index blocks = (n + B - 1) / B;
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (Eigen::Index b = 0; b < blocks; ++b) {
    const Eigen::Index r0 = b * B, rows = std::min(B, n - r0);
    Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> G =
        X.middleRows(r0, rows) * X.transpose();
    for (Eigen::Index i = 0; i < rows; ++i) {
      double* row = out.data() + static_cast<size_t>(r0 + i) * n;
      for (Eigen::Index j = 0; j < n; ++j)
        row[j] = std::sqrt(std::max(0.0, sq[r0 + i] + sq[j] - 2.0 * G(i, j))) / scale;
      row[r0 + i] = 0.0;
    }
  }
  // Exact symmetry: the lower triangle mirrors the upper one.
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < i; ++j) out[static_cast<size_t>(i) * n + j] = out[static_cast<size_t>(j) * n + i];
  return out;
}

}  // namespace ricci
