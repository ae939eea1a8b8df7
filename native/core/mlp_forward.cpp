// Evaluation outside training: the plain (flat-layout, Eigen) forward pass in row blocks of
// kEvalRows, the activations and logits it returns, the loss and accuracy, and the dataset check.
#include "mlp.h"
#include "mlp_internal.h"

#include <Eigen/Core>
#include <algorithm>
#include <string>

namespace ricci {
namespace mlp {

namespace {
using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatMap = Eigen::Map<RowMat>;
using CMatMap = Eigen::Map<const RowMat>;
using RowVec = Eigen::Matrix<float, 1, Eigen::Dynamic>;
using RowVecMap = Eigen::Map<RowVec>;
using CRowVecMap = Eigen::Map<const RowVec>;
using ArrMap = Eigen::Map<Eigen::ArrayXf>;
}  // namespace

namespace detail {

void forward_rows(const Net& net, const float* a0, size_t rows, float* const* out, size_t from) {
  const auto& sz = net.sizes;
  const size_t L = net.layers();
  const float* prev = from == 1 ? a0 : out[from - 1];
  size_t off = kernel_offset(sz, from);
  for (size_t l = from; l <= L; ++l) {
    const Eigen::Index in = sz[l - 1], width = sz[l];
    CMatMap A(prev, rows, in);
    CMatMap W(net.params.data() + off, in, width);
    CRowVecMap b(net.params.data() + off + in * width, width);
    MatMap Z(out[l], rows, width);
    Z.noalias() = A * W;
    Z.rowwise() += b;
    if (l < L) Z = Z.cwiseMax(0.0f);
    off += static_cast<size_t>(in * width + width);
    prev = out[l];
  }
}

std::vector<float*> act_pointers(Workspace& ws) {
  std::vector<float*> p(ws.act.size(), nullptr);
  for (size_t l = 1; l < ws.act.size(); ++l) p[l] = ws.act[l].data();
  return p;
}

Metrics evaluate_with(const Net& net, const Dataset& data, Workspace& ws) {
  auto ptr = act_pointers(ws);
  double loss = 0;
  size_t correct = 0;
  const size_t chunk = std::min(ws.rows, kEvalRows);
  for (size_t r0 = 0; r0 < data.n; r0 += chunk) {
    const size_t rows = std::min(chunk, data.n - r0);
    forward_rows(net, data.x + r0 * data.d, rows, ptr.data());
    const float* z = ws.act.back().data();
    for (size_t i = 0; i < rows; ++i) {
      const float y = data.y[r0 + i];
      loss += bce_from_logit(z[i], y);
      correct += ((z[i] > 0) == (y > 0.5f)) ? 1 : 0;
    }
  }
  Metrics m;
  m.loss = loss / static_cast<double>(data.n);
  m.accuracy = static_cast<double>(correct) / static_cast<double>(data.n);
  return m;
}

}  // namespace detail

using detail::act_pointers;
using detail::evaluate_with;
using detail::forward_rows;
using detail::kEvalRows;
using detail::sigmoid;
using detail::Workspace;

void validate_dataset(const Dataset& data, size_t d0, bool need_labels, const std::string& arg) {
  if (data.n == 0) invalid(arg, "no rows");
  if (data.x == nullptr) invalid(arg, "no data");
  if (data.d != d0)
    invalid(arg, "rows have " + std::to_string(data.d) + " columns, the network expects " + std::to_string(d0));
  const size_t len = data.n * data.d;
  for (size_t i = 0; i < len; ++i)
    if (!std::isfinite(data.x[i]))
      invalid(arg, "non-finite value at row " + std::to_string(i / data.d) + ", column " +
                       std::to_string(i % data.d));
  if (need_labels) {
    if (data.y == nullptr) invalid(arg, "labels missing");
    for (size_t i = 0; i < data.n; ++i)
      if (data.y[i] != 0.0f && data.y[i] != 1.0f)
        invalid(arg, "label at row " + std::to_string(i) + " is " + std::to_string(data.y[i]) + ", expected 0 or 1");
  }
}

std::vector<std::vector<float>> forward_activations(const Net& net, const Dataset& x, bool include_input) {
  validate_sizes(net.sizes);
  const size_t L = net.layers();
  std::vector<std::vector<float>> out;
  out.reserve(L + 2);
  if (include_input) out.emplace_back(x.x, x.x + x.n * x.d);
  const size_t first = out.size();
  for (size_t l = 1; l <= L; ++l) out.emplace_back(x.n * static_cast<size_t>(net.sizes[l]));
  // Computed in aligned scratch (see AlignedAllocator: the summation order must not depend on
  // where the result vectors landed), then copied: row-major layers keep each block contiguous.
  Workspace ws(net.sizes, kEvalRows, false);
  auto ptr = act_pointers(ws);
  for (size_t r0 = 0; r0 < x.n; r0 += kEvalRows) {
    const size_t rows = std::min(kEvalRows, x.n - r0);
    forward_rows(net, x.x + r0 * x.d, rows, ptr.data());
    for (size_t l = 1; l <= L; ++l) {
      const size_t w = static_cast<size_t>(net.sizes[l]);
      std::copy(ws.act[l].begin(), ws.act[l].begin() + rows * w, out[first + l - 1].begin() + r0 * w);
    }
  }
  for (float& z : out.back()) z = sigmoid(z);
  return out;
}

std::vector<float> forward_logits(const Net& net, const Dataset& x) {
  validate_sizes(net.sizes);
  const size_t L = net.layers();
  std::vector<float> logits(x.n);
  Workspace ws(net.sizes, kEvalRows, false);
  auto ptr = act_pointers(ws);
  for (size_t r0 = 0; r0 < x.n; r0 += kEvalRows) {
    const size_t rows = std::min(kEvalRows, x.n - r0);
    forward_rows(net, x.x + r0 * x.d, rows, ptr.data());
    std::copy(ws.act[L].begin(), ws.act[L].begin() + rows, logits.begin() + r0);
  }
  return logits;
}

Metrics evaluate(const Net& net, const Dataset& data) {
  Workspace ws(net.sizes, kEvalRows, false);
  return evaluate_with(net, data, ws);
}

}  // namespace mlp
}  // namespace ricci
