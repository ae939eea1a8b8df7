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

}  // namespace ricci
