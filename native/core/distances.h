// Pairwise Euclidean distances (dense; the caller asked for the n x n matrix).
#pragma once
#include <vector>

#include "common.h"

namespace ricci {

// Row-major n x n Euclidean distances in double precision (diagonal exactly 0).
std::vector<double> pairwise_distances(const PointsView& points, int threads);

// Centred float32 copy of the points and the squared row norms (used by the kNN Gram product).
struct CentredF32 {
  std::vector<float> x;     // n x d, row-major, mean-centred, times `scale`
  std::vector<float> sq;    // n squared norms (computed in double, rounded)
  double max_sq = 0;        // largest squared norm
  double scale = 1;         // the power of two the points were multiplied by (distance_scale)
};
CentredF32 centre_f32(const PointsView& points, double scale = 1);

// A power of two 2^-e that brings the largest |coordinate| into [0.5, 1) when it lies outside
// [2^-40, 2^40], else 1. Multiplying by a power of two is exact in float and double (the data are
// far from subnormal there), so squared distances of the scaled points order exactly as those of
// the inputs would, but neither the float32 Gram product (which overflows past ~1e19) nor double
// squares (past ~1e154, or below ~1e-154) overflow or underflow. Data inside the range are left
// as they are, so results there are bit for bit those of the unscaled computation.
double distance_scale(const PointsView& points);

// Exact squared distance between rows i and j (double accumulation, no Gram shortcut) of the
// points multiplied by `scale` (a power of two from distance_scale).
double exact_sqdist(const PointsView& p, size_t i, size_t j, double scale = 1);

// Integer-valued data (e.g. raw pixels): an int16 copy on which squared distances are computed
// exactly in int32 (vectorised multiply-add), much faster than the double loop. Empty when the
// data are not all integers with |x| <= 16383 and d * (2 max|x|)^2 < 2^31.
struct IntegerPoints {
  std::vector<int16_t> x;
  size_t d = 0;
  bool usable() const { return !x.empty(); }
  double sqdist(size_t i, size_t j) const {
    const int16_t* a = x.data() + i * d;
    const int16_t* b = x.data() + j * d;
    int32_t s = 0;
    for (size_t t = 0; t < d; ++t) {
      const int32_t diff = static_cast<int32_t>(a[t]) - static_cast<int32_t>(b[t]);
      s += diff * diff;
    }
    return static_cast<double>(s);
  }
};
IntegerPoints integer_points(const PointsView& p);

}  // namespace ricci
