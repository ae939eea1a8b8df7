// Pairwise Euclidean distances (dense; the caller asked for the n x n matrix).
#pragma once
#include <vector>

#include "common.h"

namespace ricci {

// Row-major n x n Euclidean distances in double precision (diagonal exactly 0).
std::vector<double> pairwise_distances(const PointsView& points, int threads);

// Centred float32 copy of the points and the squared row norms (used by the kNN Gram product).
struct CentredF32 {
  std::vector<float> x;     // n x d, row-major, mean-centred
  std::vector<float> sq;    // n squared norms (computed in double, rounded)
  double max_sq = 0;        // largest squared norm
};
CentredF32 centre_f32(const PointsView& points);

// Exact squared distance between rows i and j (double accumulation, no Gram shortcut).
double exact_sqdist(const PointsView& p, size_t i, size_t j);

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
