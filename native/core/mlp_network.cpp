// Networks: the architecture check, the flat parameter layout, the initialisations and weight
// import/export (layout and streams in mlp.h).
#include "mlp.h"

#include <cmath>
#include <string>

namespace ricci {
namespace mlp {

namespace {
constexpr size_t kMaxParams = size_t(1) << 31;  // 8 GiB of float32: far beyond anything sensible
}  // namespace

void validate_sizes(const std::vector<int32_t>& sizes) {
  if (sizes.size() < 3)
    invalid("sizes", "need input size, at least one hidden width and the output size 1 (got " +
                         std::to_string(sizes.size()) + " entries)");
  for (size_t l = 0; l < sizes.size(); ++l)
    if (sizes[l] < 1) invalid("sizes", "layer " + std::to_string(l) + " has size " + std::to_string(sizes[l]));
  if (sizes.back() != 1) invalid("sizes", "the output layer must have exactly 1 unit (sigmoid)");
  size_t total = 0;
  for (size_t l = 1; l < sizes.size(); ++l) {
    total += (static_cast<size_t>(sizes[l - 1]) + 1) * static_cast<size_t>(sizes[l]);
    if (total > kMaxParams) invalid("sizes", "too many parameters");
  }
}

size_t param_count(const std::vector<int32_t>& sizes) {
  size_t total = 0;
  for (size_t l = 1; l < sizes.size(); ++l)
    total += (static_cast<size_t>(sizes[l - 1]) + 1) * static_cast<size_t>(sizes[l]);
  return total;
}

size_t kernel_offset(const std::vector<int32_t>& sizes, size_t l) {
  size_t off = 0;
  for (size_t k = 1; k < l; ++k)
    off += (static_cast<size_t>(sizes[k - 1]) + 1) * static_cast<size_t>(sizes[k]);
  return off;
}

Net init_network(const std::vector<int32_t>& sizes, uint64_t seed, Init init) {
  validate_sizes(sizes);
  Net net;
  net.sizes = sizes;
  net.params.assign(param_count(sizes), 0.0f);
  Rng rng(seed);
  const bool pytorch = init == Init::PyTorch;
  size_t off = 0;
  for (size_t l = 1; l < sizes.size(); ++l) {
    const size_t in = sizes[l - 1], out = sizes[l];
    // Glorot: the kernel only, limit sqrt(6 / (fan_in + fan_out)), biases stay zero. PyTorch: the
    // kernel then the bias, limit 1 / sqrt(fan_in).
    const float limit = pytorch ? static_cast<float>(1.0 / std::sqrt(static_cast<double>(in)))
                                : static_cast<float>(std::sqrt(6.0 / static_cast<double>(in + out)));
    const size_t drawn = pytorch ? in * out + out : in * out;
    for (size_t i = 0; i < drawn; ++i) net.params[off + i] = limit * (2.0f * rng.uniform01() - 1.0f);
    off += in * out + out;
  }
  return net;
}

Net import_weights(const std::vector<int32_t>& sizes, const float* flat, size_t length) {
  validate_sizes(sizes);
  const size_t want = param_count(sizes);
  if (length != want)
    invalid("weights", "expected " + std::to_string(want) + " values for this architecture, got " +
                           std::to_string(length));
  if (flat == nullptr) invalid("weights", "no data");
  for (size_t i = 0; i < length; ++i)
    if (!std::isfinite(flat[i])) invalid("weights", "non-finite value at index " + std::to_string(i));
  Net net;
  net.sizes = sizes;
  net.params.assign(flat, flat + length);
  return net;
}

std::vector<float> export_weights(const Net& net) {
  return std::vector<float>(net.params.begin(), net.params.end());
}

}  // namespace mlp
}  // namespace ricci
