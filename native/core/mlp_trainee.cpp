// The packed forward and backward passes of training and the optimizer step (RMSprop, Adam).
#include "mlp_trainee.h"

#include <cmath>

namespace ricci {
namespace mlp {
namespace detail {

// Forward pass of `rows` rows (input rows at a0, row stride lda0) in the packed layout into
// ws.pact[l], layers from..L; hidden layers get ReLU, pact[L] holds the logits in column 0.
void packed_forward(const kern::Kernels& K, const Trainee& t, const float* a0, size_t lda0, size_t rows,
                    Workspace& ws, size_t from) {
  const Packed& p = t.lay;
  const size_t L = p.layers();
  for (size_t l = from; l <= L; ++l) {
    const float* A = l == 1 ? a0 : ws.pact[l - 1].data();
    const size_t lda = l == 1 ? lda0 : p.stride[l - 1];
    K.product(A, lda, rows, p.in[l], t.w.data() + p.woff[l], p.stride[l], t.w.data() + p.boff[l], l < L, nullptr,
              ws.pact[l].data());
  }
}

// Backward pass of `rows` rows whose forward pass is in ws.pact and whose output delta dL/dz is
// in ws.pdelta[0] (row stride padded(1), other columns zero); writes the gradient (packed layout)
// to `grad`. With `first_kernel` false the first layer's kernel gradient is left to the caller
// (its bias gradient is written); the return value is then the buffer holding dL/dZ_1.
const float* packed_backward(const kern::Kernels& K, const Trainee& t, const float* a0, size_t lda0, size_t rows,
                             Workspace& ws, float* grad, bool first_kernel) {
  const Packed& p = t.lay;
  int cur = 0;
  for (size_t l = p.layers(); l >= 1; --l) {
    const float* A = l > 1 ? ws.pact[l - 1].data() : a0;
    const size_t lda = l > 1 ? p.stride[l - 1] : lda0;
    const float* D = ws.pdelta[cur].data();
    K.grad_w(A, lda, rows, (l > 1 || first_kernel) ? p.in[l] : 0, D, p.stride[l], grad + p.woff[l], grad + p.boff[l]);
    if (l == 1) return D;
    // dL/dA_{l-1} = D · W^T, passed where the unit was active (ReLU derivative: act > 0).
    K.product(D, p.stride[l], rows, p.width[l], t.wt.data() + p.toff[l], p.stride[l - 1], nullptr, false,
              ws.pact[l - 1].data(), ws.pdelta[1 - cur].data());
    cur = 1 - cur;
  }
  return nullptr;
}

StepConsts step_consts(const Hyper& h, int64_t t) {
  StepConsts c;
  c.lr = static_cast<float>(h.learning_rate);
  if (h.optimizer == Optimizer::Adam) {
    // As torch.optim.Adam: Python floats (double) for the bias corrections and the step size,
    // cast to the tensors' float32 where they meet the elements.
    const double td = static_cast<double>(t);
    const double bc1 = 1.0 - std::pow(h.beta1, td);
    const double bc2 = 1.0 - std::pow(h.beta2, td);
    c.b1 = static_cast<float>(h.beta1);
    c.omb1 = static_cast<float>(1.0 - h.beta1);
    c.b2 = static_cast<float>(h.beta2);
    c.omb2 = static_cast<float>(1.0 - h.beta2);
    c.step = static_cast<float>(h.learning_rate / bc1);
    c.bc2_sqrt = static_cast<float>(std::sqrt(bc2));
  }
  return c;
}

// Optimizer update of packed entries [p0, p0 + len) (multiples of kern::kPad) from `grad`.
void update_params(const kern::Kernels& K, Trainee& t, const float* grad, size_t p0, size_t len, const Hyper& h,
                   const StepConsts& c) {
  if (h.optimizer == Optimizer::RMSprop)
    K.rmsprop(t.w.data() + p0, t.v.data() + p0, grad + p0, len, h.rho, 1.0f - h.rho, c.lr, h.epsilon);
  else
    K.adam(t.w.data() + p0, t.m.data() + p0, t.v.data() + p0, grad + p0, len, c.b1, c.omb1, c.b2, c.omb2, c.step,
           c.bc2_sqrt, h.epsilon);
}

void prepare_optimizer(Replicate& rep, const Hyper& h) {
  if (h.optimizer == Optimizer::Adam && rep.first_moment.size() != rep.net.params.size())
    rep.first_moment.assign(rep.net.params.size(), 0.0f);
}

}  // namespace detail
}  // namespace mlp
}  // namespace ricci
