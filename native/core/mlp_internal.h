// Internal to the trainer (native/core/mlp_*.cpp): the scratch memory and the plain forward pass
// shared by evaluation and training, the loss and the sigmoid. Not part of the core API (mlp.h).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "mlp.h"
#include "mlp_kernels.h"

namespace ricci {
namespace mlp {
namespace detail {

constexpr size_t kEvalRows = 256;               // row block for forward passes outside training

// Binary cross-entropy from a logit, stable for any z: max(z,0) - z*y + log1p(exp(-|z|)).
inline double bce_from_logit(float z, float y) {
  const double zd = z;
  return std::max(zd, 0.0) - zd * y + std::log1p(std::exp(-std::abs(zd)));
}

inline float sigmoid(float z) {
  if (z >= 0) return 1.0f / (1.0f + std::exp(-z));
  const float e = std::exp(z);
  return e / (1.0f + e);
}

// Scratch memory of one network's passes over at most `rows` rows: allocated once per call, so
// the inner loop never allocates.
struct Workspace {
  size_t rows = 0;
  FloatBuffer input;               // rows x d0 (gathered training rows)
  std::vector<FloatBuffer> act;    // act[l], l = 1..L: rows x sizes[l] (act[L] = logits)
  FloatBuffer delta[2];            // rows x max width, ping-pong
  FloatBuffer grad;                // same layout as params
  // Training passes (packed layout of mlp_kernels.h: rows padded to kern::kPad floats):
  std::vector<FloatBuffer> pact;   // pact[l], l = 1..L: rows x padded(sizes[l])
  FloatBuffer pdelta[2];           // rows x padded(max width), ping-pong

  Workspace(const std::vector<int32_t>& sizes, size_t rows_, bool training) : rows(rows_) {
    const size_t L = sizes.size() - 1;
    act.resize(L + 1);
    size_t widest = 1;
    for (size_t l = 1; l <= L; ++l) {
      act[l].assign(rows * sizes[l], 0.0f);
      widest = std::max(widest, static_cast<size_t>(sizes[l]));
    }
    if (training) {
      input.assign(rows * sizes[0], 0.0f);
      pact.resize(L + 1);
      size_t pwidest = kern::kPad;
      for (size_t l = 1; l <= L; ++l) {
        pact[l].assign(rows * kern::padded(sizes[l]), 0.0f);
        pwidest = std::max(pwidest, kern::padded(sizes[l]));
      }
      pdelta[0].assign(rows * pwidest, 0.0f);
      pdelta[1].assign(rows * pwidest, 0.0f);
    }
  }
};

// Forward pass of `rows` rows starting at `a0` (row-major, d0 columns) into out[l] (l = 1..L,
// row-major rows x sizes[l]); hidden layers get ReLU, out[L] holds the logits.
// With from = 2, layer 1 is already in out[1] (a0 unused).
void forward_rows(const Net& net, const float* a0, size_t rows, float* const* out, size_t from = 1);

std::vector<float*> act_pointers(Workspace& ws);

// Mean loss and accuracy of `net` on `data` (labels required), in row blocks of ws.rows (at most
// kEvalRows).
Metrics evaluate_with(const Net& net, const Dataset& data, Workspace& ws);

// The flags every thread of the last train() call saw (read by last_training_fp_flags()).
void set_last_training_fp_flags(uint32_t flags);

}  // namespace detail
}  // namespace mlp
}  // namespace ricci
