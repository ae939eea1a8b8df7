// Exact Euclidean k-nearest neighbours (docs/method.md §2): self excluded, ties broken by the lower index.
#pragma once
#include <cstdint>
#include <vector>

#include "common.h"

namespace ricci {

// Row-major n x k neighbour indices, each row ordered by (distance, index).
// Candidates come from a float32 Gram product (symmetric tiles); any candidate whose order could be
// affected by rounding (within a proven error bound) is re-ranked by the exact double-precision
// squared distance, so the result equals the exact ordering on the input values.
std::vector<int32_t> knn(const PointsView& points, int32_t k, int threads, Control* control = nullptr);

}  // namespace ricci
