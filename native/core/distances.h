// Pairwise Euclidean distances (dense; the caller asked for the n x n matrix).
#pragma once
#include <vector>

#include "buffer.h"
#include "common.h"

namespace ricci {

// Row-major n x n Euclidean distances in double precision (diagonal exactly 0).
std::vector<double> pairwise_distances(const PointsView& points, int threads);

// Centred float32 copy of the points and the squared row norms (used by the kNN Gram product).
struct CentredF32 {
  Buffer<float> x;          // n x d, mean-centred, times `scale`; row stride ld, zero-padded
  size_t d = 0;
  size_t ld = 0;            // d rounded up to a multiple of 16 floats (gram::kPad)
  std::vector<float> sq;    // n squared norms (computed in double, rounded)
  double max_sq = 0;        // largest squared norm
  double scale = 1;         // the power of two the points were multiplied by (distance_scale)
};
// Mean-centred copy of points multiplied by `scale` (a power of two from distance_scale); the
// passes run on `threads` threads, every value computed the same way for any thread count.
CentredF32 centre_f32(const PointsView& points, double scale = 1, int threads = 1);

// One pass over the points (on `threads` threads): whether every value is finite, the largest
// |value| (0 when some value is not finite), and whether every value is a whole number.
struct PointsScan {
  bool finite = true;
  bool integral = true;
  double max_abs = 0;
};
PointsScan scan_points(const PointsView& points, int threads = 1);

// A power of two 2^-e that brings the largest |coordinate| into [0.5, 1) when it lies outside
// [2^-40, 2^40], else 1. Multiplying by a power of two is exact in float and double (the data are
// far from subnormal there), so squared distances of the scaled points order exactly as those of
// the inputs would, but neither the float32 Gram product (which overflows past ~1e19) nor double
// squares (past ~1e154, or below ~1e-154) overflow or underflow. Data inside the range are left
// as they are, so results there are bit for bit those of the unscaled computation.
double distance_scale(const PointsView& points);
// The same power of two, from the largest |coordinate|.
double scale_for_max(double max_abs);

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
    // |a - b| <= 2 max|x| <= 32766 fits int16, and the whole sum fits int32 (see below), so the
    // products pair up in 32-bit lanes (one multiply-add of 16-bit values, vpmaddwd).
    int32_t s = 0;
    for (size_t t = 0; t < d; ++t) {
      const int16_t diff = static_cast<int16_t>(a[t] - b[t]);
      s += static_cast<int32_t>(diff) * diff;
    }
    return static_cast<double>(s);
  }
};
IntegerPoints integer_points(const PointsView& p, const PointsScan& scan, int threads = 1);

}  // namespace ricci
