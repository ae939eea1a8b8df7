#include "common.h"

#include <cmath>

namespace ricci {

void validate_points(const PointsView& p, const std::string& arg) {
  if (p.data == nullptr) invalid(arg, "no data");
  if (p.d < 1) invalid(arg, "d must be >= 1 (got " + std::to_string(p.d) + ")");
  if (p.n < 2) invalid(arg, "need at least 2 points (got n = " + std::to_string(p.n) + ")");
  const size_t len = p.n * p.d;
  size_t bad = len;
  if (p.dtype == DType::F32) {
    const float* x = static_cast<const float*>(p.data);
    for (size_t i = 0; i < len; ++i)
      if (!std::isfinite(x[i])) { bad = i; break; }
  } else {
    const double* x = static_cast<const double*>(p.data);
    for (size_t i = 0; i < len; ++i)
      if (!std::isfinite(x[i])) { bad = i; break; }
  }
  if (bad != len) {
    invalid(arg, "non-finite value (NaN or Infinity) at row " + std::to_string(bad / p.d) +
                     ", column " + std::to_string(bad % p.d));
  }
}

}  // namespace ricci
