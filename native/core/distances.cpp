#include "distances.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>

namespace ricci {

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
  if (mx == 0 || (mx >= std::ldexp(1.0, -40) && mx <= std::ldexp(1.0, 40))) return 1.0;
  int e = 0;
  std::frexp(mx, &e);  // mx = f 2^e, f in [0.5, 1)
  return std::ldexp(1.0, -e);
}

CentredF32 centre_f32(const PointsView& p, double scale) {
  const size_t n = p.n, d = p.d;
  std::vector<double> mean(d, 0.0);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < d; ++j) mean[j] += p.at(i, j) * scale;
  for (double& m : mean) m /= static_cast<double>(n);
  CentredF32 c;
  c.scale = scale;
  c.x.resize(n * d);
  c.sq.resize(n);
  for (size_t i = 0; i < n; ++i) {
    double s = 0;
    for (size_t j = 0; j < d; ++j) {
      const float v = static_cast<float>(p.at(i, j) * scale - mean[j]);
      c.x[i * d + j] = v;
      s += static_cast<double>(v) * v;
    }
    c.sq[i] = static_cast<float>(s);
    c.max_sq = std::max(c.max_sq, s);
  }
  return c;
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

IntegerPoints integer_points(const PointsView& p) {
  IntegerPoints r;
  double mx = 0;
  const size_t len = p.n * p.d;
  for (size_t i = 0; i < len; ++i) {
    const double v = p.dtype == DType::F32 ? static_cast<const float*>(p.data)[i] : static_cast<const double*>(p.data)[i];
    if (v != std::floor(v) || std::fabs(v) > 16383.0) return r;
    mx = std::max(mx, std::fabs(v));
  }
  if (static_cast<double>(p.d) * (2 * mx) * (2 * mx) >= 2147483647.0) return r;
  r.d = p.d;
  r.x.resize(len);
  for (size_t i = 0; i < len; ++i)
    r.x[i] = static_cast<int16_t>(p.dtype == DType::F32 ? static_cast<const float*>(p.data)[i] : static_cast<const double*>(p.data)[i]);
  return r;
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
