// Internal to the trainer: a replicate's packed training state (parameters and optimizer moments
// in the layout of mlp_kernels.h), the packed forward and backward passes, and the optimizer step.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "mlp.h"
#include "mlp_internal.h"
#include "mlp_kernels.h"

namespace ricci {
namespace mlp {
namespace detail {

// ---- the packed training state ----
//
// While a call trains, a replicate's parameters and optimizer moments live in the packed layout
// of mlp_kernels.h: per layer the kernel (in x S, S = padded(width), zeros beyond the width)
// followed by the bias (S). Padded entries get zero gradients, so they stay zero under either
// optimizer, and the arithmetic on the real entries is exactly that of the flat layout. The flat
// vectors (Net::params, the moments) are written back after every epoch.
struct Packed {
  std::vector<size_t> in, width, stride, woff, boff;  // per layer l = 1..L (index 0 unused)
  std::vector<size_t> toff;  // the transposed kernels of layers l >= 2: width x padded(in), at toff[l]
  size_t total = 0, ttotal = 0, flat = 0;
  explicit Packed(const std::vector<int32_t>& sizes) {
    const size_t L = sizes.size() - 1;
    in.assign(L + 1, 0);
    width = stride = woff = boff = toff = in;
    for (size_t l = 1; l <= L; ++l) {
      in[l] = static_cast<size_t>(sizes[l - 1]);
      width[l] = static_cast<size_t>(sizes[l]);
      stride[l] = kern::padded(width[l]);
      woff[l] = total;
      total += in[l] * stride[l];
      boff[l] = total;
      total += stride[l];
      if (l >= 2) {
        toff[l] = ttotal;
        ttotal += width[l] * kern::padded(in[l]);
      }
    }
    flat = param_count(sizes);
  }
  size_t layers() const { return in.size() - 1; }
  void pack(const float* src, float* dst) const {
    std::fill(dst, dst + total, 0.0f);
    size_t f = 0;
    for (size_t l = 1; l <= layers(); ++l) {
      for (size_t k = 0; k <= in[l]; ++k, f += width[l])  // kernel rows, then the bias row
        std::memcpy(dst + woff[l] + k * stride[l], src + f, width[l] * sizeof(float));
    }
  }
  void unpack(const float* src, float* dst) const {
    size_t f = 0;
    for (size_t l = 1; l <= layers(); ++l)
      for (size_t k = 0; k <= in[l]; ++k, f += width[l])
        std::memcpy(dst + f, src + woff[l] + k * stride[l], width[l] * sizeof(float));
  }
};

// One replicate's packed parameters and moments for the duration of a call.
struct Trainee {
  Packed lay;
  FloatBuffer w, m, v, wt;  // parameters, Adam first moment, second moment / RMSprop accumulator
  Trainee(const Replicate& rep, bool adam) : lay(rep.net.sizes) {
    w.resize(lay.total);
    v.resize(lay.total);
    lay.pack(rep.net.params.data(), w.data());
    lay.pack(rep.mean_square.data(), v.data());
    if (adam) {
      m.resize(lay.total);
      lay.pack(rep.first_moment.data(), m.data());
    }
    wt.assign(lay.ttotal, 0.0f);
    transpose();
  }
  // The transposed kernels of layers >= 2 (for the backward product D · W^T), from w.
  void transpose() {
    for (size_t l = 2; l <= lay.layers(); ++l) {
      const size_t in = lay.in[l], width = lay.width[l], S = lay.stride[l], St = kern::padded(in);
      const float* W = w.data() + lay.woff[l];
      float* T = wt.data() + lay.toff[l];
      for (size_t k = 0; k < in; ++k)
        for (size_t c = 0; c < width; ++c) T[c * St + k] = W[k * S + c];
    }
  }
  // Back into the replicate's flat vectors.
  void sync(Replicate& rep) const {
    lay.unpack(w.data(), rep.net.params.data());
    lay.unpack(v.data(), rep.mean_square.data());
    if (!m.empty()) lay.unpack(m.data(), rep.first_moment.data());
  }
};

// Forward pass of `rows` rows (input rows at a0, row stride lda0) in the packed layout into
// ws.pact[l], layers from..L; hidden layers get ReLU, pact[L] holds the logits in column 0.
void packed_forward(const kern::Kernels& K, const Trainee& t, const float* a0, size_t lda0, size_t rows,
                    Workspace& ws, size_t from = 1);

// Backward pass (see mlp_trainee.cpp); with `first_kernel` false it returns the buffer of dL/dZ_1.
const float* packed_backward(const kern::Kernels& K, const Trainee& t, const float* a0, size_t lda0, size_t rows,
                             Workspace& ws, float* grad, bool first_kernel = true);

// Output delta of a row, dL/dz = (sigmoid(z) - y) * scale, into column 0 of its padded row.
inline void set_output_delta(float* row, float value) {
  std::fill(row, row + kern::kPad, 0.0f);
  row[0] = value;
}

// Optimizer constants of one step.
struct StepConsts {
  float lr = 0;                   // RMSprop
  float b1 = 0, omb1 = 0, b2 = 0, omb2 = 0, step = 0, bc2_sqrt = 0;  // Adam
};

StepConsts step_consts(const Hyper& h, int64_t t);

// Optimizer update of packed entries [p0, p0 + len) (multiples of kern::kPad) from `grad`.
void update_params(const kern::Kernels& K, Trainee& t, const float* grad, size_t p0, size_t len, const Hyper& h,
                   const StepConsts& c);

// Adam's first moment, allocated (zero) before the first step.
void prepare_optimizer(Replicate& rep, const Hyper& h);

}  // namespace detail
}  // namespace mlp
}  // namespace ricci
