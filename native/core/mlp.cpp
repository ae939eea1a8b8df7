#include "mlp.h"

#include "mlp_kernels.h"

#include <Eigen/Core>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <string>

#ifdef _OPENMP
#include <omp.h>
#endif
#if defined(__x86_64__) && defined(__SSE__)
#include <xmmintrin.h>
#define RICCI_FP_X86 1
#elif defined(__aarch64__)
#define RICCI_FP_ARM64 1
#endif

namespace ricci {
namespace mlp {

// ---- floating-point mode ----------------------------------------------------------------------

namespace {
#if defined(RICCI_FP_X86)
constexpr unsigned kMxcsrFtz = 0x8000, kMxcsrDaz = 0x0040;
inline uint64_t read_fp_mode() { return _mm_getcsr(); }
inline void write_fp_mode(uint64_t m) { _mm_setcsr(static_cast<unsigned>(m)); }
inline uint64_t with_flush(uint64_t m) { return m | kMxcsrFtz | kMxcsrDaz; }
inline uint32_t flags_of(uint64_t m) {
  return ((m & kMxcsrFtz) ? kFpFlushResults : 0u) | ((m & kMxcsrDaz) ? kFpFlushInputs : 0u);
}
#elif defined(RICCI_FP_ARM64)
constexpr uint64_t kFpcrFz = uint64_t(1) << 24;
inline uint64_t read_fp_mode() {
  uint64_t m;
  __asm__ __volatile__("mrs %0, fpcr" : "=r"(m));
  return m;
}
inline void write_fp_mode(uint64_t m) { __asm__ __volatile__("msr fpcr, %0" : : "r"(m)); }
inline uint64_t with_flush(uint64_t m) { return m | kFpcrFz; }
inline uint32_t flags_of(uint64_t m) { return (m & kFpcrFz) ? (kFpFlushResults | kFpFlushInputs) : 0u; }
#else
inline uint64_t read_fp_mode() { return 0; }
inline void write_fp_mode(uint64_t) {}
inline uint64_t with_flush(uint64_t m) { return m; }
inline uint32_t flags_of(uint64_t) { return 0; }
#endif
std::atomic<uint32_t> g_last_training_flags{0};
}  // namespace

uint32_t fp_flush_flags() { return flags_of(read_fp_mode()); }

bool fp_flush_supported() {
#if defined(RICCI_FP_X86) || defined(RICCI_FP_ARM64)
  return true;
#else
  return false;
#endif
}

uint32_t last_training_fp_flags() { return g_last_training_flags.load(std::memory_order_relaxed); }

const char* training_kernel() { return kern::select_kernels().name; }

namespace {
volatile float g_probe_f[4] = {1.5e-39f, 1e-20f, 1e-19f, 1.0f};
volatile double g_probe_d[2] = {1e-310, 1.0};
}  // namespace

std::vector<uint32_t> fp_probe(int threads) {
  threads = std::max(1, threads);
  std::vector<uint32_t> out(static_cast<size_t>(threads), 0);
#pragma omp parallel num_threads(threads)
  {
#ifdef _OPENMP
    const int t = omp_get_thread_num();
#else
    const int t = 0;
#endif
    // Operands read from volatile globals and results written to volatile locals: computed at
    // run time on this thread, under its mode, never folded by the compiler.
    volatile float f_in = g_probe_f[0] * g_probe_f[3];  // subnormal input (DAZ would give 0)
    volatile float f_out = g_probe_f[1] * g_probe_f[2];  // subnormal result (FTZ would give 0)
    volatile double d_in = g_probe_d[0] * g_probe_d[1];
    // Compared as bit patterns: a flushing mode would also flush the operands of a comparison.
    const auto bits32 = [](float v) {
      uint32_t u;
      std::memcpy(&u, &v, sizeof u);
      return u;
    };
    const auto bits64 = [](double v) {
      uint64_t u;
      std::memcpy(&u, &v, sizeof u);
      return u;
    };
    const float f_expect = 1.5e-39f;
    const double d_expect = 1e-310;
    const uint32_t out_bits = bits32(f_out);
    const bool exact = bits32(f_in) == bits32(f_expect) && out_bits != 0 && out_bits < 0x00800000u &&
                       bits64(d_in) == bits64(d_expect);
    if (t < threads) out[static_cast<size_t>(t)] = fp_flush_flags() | (exact ? kFpSubnormalsExact : 0u);
  }
  return out;
}

DenormalsFlushed::DenormalsFlushed(bool flush) {
  if (!flush || !fp_flush_supported()) return;
  saved_ = read_fp_mode();
  write_fp_mode(with_flush(saved_));
  active_ = true;
}

DenormalsFlushed::~DenormalsFlushed() {
  if (active_) write_fp_mode(saved_);
}

// ---- random numbers ---------------------------------------------------------------------------

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

Rng::Rng(uint64_t seed) {
  uint64_t sm = seed;
  for (auto& s : s_) s = splitmix64(sm);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t Rng::next() {
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

float Rng::uniform01() { return static_cast<float>(next() >> 40) * (1.0f / 16777216.0f); }

uint32_t Rng::below(uint32_t bound) {
  // Lemire, "Fast random integer generation in an interval" (2019): unbiased, rarely divides.
  uint64_t m = static_cast<uint64_t>(static_cast<uint32_t>(next() >> 32)) * bound;
  uint32_t low = static_cast<uint32_t>(m);
  if (low < bound) {
    const uint32_t threshold = static_cast<uint32_t>(-bound) % bound;
    while (low < threshold) {
      m = static_cast<uint64_t>(static_cast<uint32_t>(next() >> 32)) * bound;
      low = static_cast<uint32_t>(m);
    }
  }
  return static_cast<uint32_t>(m >> 32);
}

// ---- networks ---------------------------------------------------------------------------------

namespace {

using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatMap = Eigen::Map<RowMat>;
using CMatMap = Eigen::Map<const RowMat>;
using RowVec = Eigen::Matrix<float, 1, Eigen::Dynamic>;
using RowVecMap = Eigen::Map<RowVec>;
using CRowVecMap = Eigen::Map<const RowVec>;
using ArrMap = Eigen::Map<Eigen::ArrayXf>;

constexpr size_t kMaxParams = size_t(1) << 31;  // 8 GiB of float32: far beyond anything sensible
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
void forward_rows(const Net& net, const float* a0, size_t rows, float* const* out, size_t from = 1) {
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

Net init_glorot(const std::vector<int32_t>& sizes, uint64_t seed) {
  validate_sizes(sizes);
  Net net;
  net.sizes = sizes;
  net.params.assign(param_count(sizes), 0.0f);
  Rng rng(seed);
  size_t off = 0;
  for (size_t l = 1; l < sizes.size(); ++l) {
    const size_t in = sizes[l - 1], out = sizes[l];
    const float limit = static_cast<float>(std::sqrt(6.0 / static_cast<double>(in + out)));
    for (size_t i = 0; i < in * out; ++i) net.params[off + i] = limit * (2.0f * rng.uniform01() - 1.0f);
    off += in * out + out;  // biases stay zero
  }
  return net;
}

Net init_pytorch(const std::vector<int32_t>& sizes, uint64_t seed) {
  validate_sizes(sizes);
  Net net;
  net.sizes = sizes;
  net.params.assign(param_count(sizes), 0.0f);
  Rng rng(seed);
  size_t off = 0;
  for (size_t l = 1; l < sizes.size(); ++l) {
    const size_t in = sizes[l - 1], out = sizes[l];
    const float limit = static_cast<float>(1.0 / std::sqrt(static_cast<double>(in)));
    for (size_t i = 0; i < in * out + out; ++i) net.params[off + i] = limit * (2.0f * rng.uniform01() - 1.0f);
    off += in * out + out;
  }
  return net;
}

Net init_network(const std::vector<int32_t>& sizes, uint64_t seed, Init init) {
  return init == Init::PyTorch ? init_pytorch(sizes, seed) : init_glorot(sizes, seed);
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

namespace {

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

}  // namespace

Metrics evaluate(const Net& net, const Dataset& data) {
  Workspace ws(net.sizes, kEvalRows, false);
  return evaluate_with(net, data, ws);
}

// ---- training ---------------------------------------------------------------------------------

void validate_hyper(const Hyper& h) {
  // h.batch == kFullBatch (0) means one step per epoch on every row.
  if (!(h.learning_rate > 0) || !std::isfinite(h.learning_rate)) invalid("learningRate", "must be a positive number");
  if (!(h.rho >= 0 && h.rho < 1)) invalid("rho", "must be in [0, 1)");
  if (!(h.beta1 >= 0 && h.beta1 < 1)) invalid("beta1", "must be in [0, 1)");
  if (!(h.beta2 >= 0 && h.beta2 < 1)) invalid("beta2", "must be in [0, 1)");
  if (!(h.epsilon > 0) || !std::isfinite(h.epsilon)) invalid("epsilon", "must be a positive number");
}

Replicate make_replicate(const std::vector<int32_t>& sizes, uint64_t seed, Init init) {
  return make_replicate(init_network(sizes, seed, init), seed);
}

Replicate make_replicate(Net net, uint64_t seed) {
  Replicate r;
  r.mean_square.assign(net.params.size(), 0.0f);
  r.net = std::move(net);
  r.shuffle = Rng(seed ^ kShuffleSalt);
  return r;
}

namespace {

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
                    Workspace& ws, size_t from = 1) {
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
                             Workspace& ws, float* grad, bool first_kernel = true) {
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

// One optimisation step on the `rows` training rows listed in `idx`. Returns the batch's summed
// loss and adds its correct predictions to `correct`.
double train_batch(const kern::Kernels& K, Replicate& rep, Trainee& t, const Dataset& data, const uint32_t* idx,
                   size_t rows, const Hyper& h, Workspace& ws, FloatBuffer& grad, size_t& correct) {
  const size_t L = rep.net.layers();
  const size_t d0 = data.d;

  // Gather the batch rows into one contiguous block.
  float* a0 = ws.input.data();
  for (size_t i = 0; i < rows; ++i)
    std::memcpy(a0 + i * d0, data.x + static_cast<size_t>(idx[i]) * d0, d0 * sizeof(float));

  packed_forward(K, t, a0, d0, rows, ws);

  // Output delta dL/dz = (sigmoid(z) - y) / rows for the batch-mean BCE.
  const float* z = ws.pact[L].data();
  const size_t zs = t.lay.stride[L];
  float* delta = ws.pdelta[0].data();
  double loss = 0;
  const float inv_rows = 1.0f / static_cast<float>(rows);
  for (size_t i = 0; i < rows; ++i) {
    const float y = data.y[idx[i]], zi = z[i * zs];
    loss += bce_from_logit(zi, y);
    correct += ((zi > 0) == (y > 0.5f)) ? 1 : 0;
    set_output_delta(delta + i * zs, (sigmoid(zi) - y) * inv_rows);
  }
  packed_backward(K, t, a0, d0, rows, ws, grad.data());

  // The optimizer over the whole packed parameter vector.
  rep.steps += 1;
  update_params(K, t, grad.data(), 0, t.lay.total, h, step_consts(h, rep.steps));
  t.transpose();
  return loss;
}

// ---- sparse first layer of full-batch steps ----
//
// Image rows are mostly zeros (Fashion-MNIST 5 vs 7 in [0, 1]: 33 % nonzero), and the first layer
// is most of a step's arithmetic. When the training rows' density is at most kSparseDensity, a
// full-batch call keeps them, per row block, as CSR (for the forward product X·W1) and CSC (for
// the block's gradient X^T·D1), and skips the zeros: a row's z1 = b1 + Σ x_ij W1[j,:] over its
// nonzero j, the block's dW1[j,:] = Σ x_ij D1[i,:] over its rows i with x_ij ≠ 0, each sum in the
// fixed order of kern::Kernels::sparse_product / sparse_grad (four interleaved partial sums, so
// that consecutive terms do not wait on each other). Nothing depends on the thread count.
constexpr double kSparseDensity = 0.5;

}  // namespace

struct SparseRows {
  size_t blocks = 0, d = 0;
  std::vector<uint32_t> row_ptr;  // n + 1: CSR over all rows
  std::vector<uint32_t> col;
  FloatBuffer val;
  std::vector<uint32_t> col_ptr;  // blocks x (d + 1): CSC within each block
  std::vector<uint16_t> crow;     // row within its block
  FloatBuffer cval;
};

std::shared_ptr<const SparseRows> sparse_rows(const Dataset& data) {
  const size_t n = data.n, d = data.d;
  size_t nnz = 0;
  for (size_t i = 0; i < n * d; ++i) nnz += data.x[i] != 0.0f ? 1 : 0;
  if (static_cast<double>(nnz) > kSparseDensity * static_cast<double>(n * d) || nnz >= (size_t(1) << 32))
    return nullptr;
  auto sp = std::make_shared<SparseRows>();
  sp->d = d;
  sp->blocks = (n + kBlockRows - 1) / kBlockRows;
  sp->row_ptr.resize(n + 1);
  sp->col.resize(nnz);
  sp->val.resize(nnz);
  size_t p = 0;
  for (size_t i = 0; i < n; ++i) {
    sp->row_ptr[i] = static_cast<uint32_t>(p);
    for (size_t j = 0; j < d; ++j) {
      const float v = data.x[i * d + j];
      if (v != 0.0f) {
        sp->col[p] = static_cast<uint32_t>(j);
        sp->val[p] = v;
        ++p;
      }
    }
  }
  sp->row_ptr[n] = static_cast<uint32_t>(p);
  sp->col_ptr.assign(sp->blocks * (d + 1), 0);
  sp->crow.resize(nnz);
  sp->cval.resize(nnz);
  for (size_t b = 0; b < sp->blocks; ++b) {
    const size_t r0 = b * kBlockRows, r1 = std::min(n, r0 + kBlockRows);
    uint32_t* cp = sp->col_ptr.data() + b * (d + 1);
    const uint32_t base = sp->row_ptr[r0];
    for (size_t q = sp->row_ptr[r0]; q < sp->row_ptr[r1]; ++q) cp[sp->col[q] + 1] += 1;
    cp[0] = base;
    for (size_t j = 0; j < d; ++j) cp[j + 1] += cp[j];
    std::vector<uint32_t> next(cp, cp + d);
    for (size_t i = r0; i < r1; ++i)  // rows ascending within each column
      for (size_t q = sp->row_ptr[i]; q < sp->row_ptr[i + 1]; ++q) {
        const uint32_t at = next[sp->col[q]]++;
        sp->crow[at] = static_cast<uint16_t>(i - r0);
        sp->cval[at] = sp->val[q];
      }
  }
  return sp;
}

namespace {

// Scratch of full-batch steps: every block's gradient, loss and correct count.
struct BatchScratch {
  size_t blocks = 0, params = 0;
  FloatBuffer partial;  // blocks x params (packed layout)
  FloatBuffer grad;     // params: the summed gradient
  std::vector<double> loss;
  std::vector<size_t> correct;
  const SparseRows* sparse = nullptr;  // the first layer's rows, when sparse enough
  std::unique_ptr<Trainee> trainee;    // team mode: the replicate being trained (shared)
  bool running = false;  // one thread: each block's gradient is added to `grad` as soon as it is done
  // `team`: every block keeps its own partial gradient, summed per chunk after all blocks; else one
  // partial buffer and a running sum (the same additions in the same order, so the same bits).
  void prepare(size_t n, size_t np, bool team) {
    const size_t b = (n + kBlockRows - 1) / kBlockRows;
    if (b == blocks && np == params && running == !team) return;
    blocks = b;
    params = np;
    running = !team;
    partial.assign((running ? 1 : blocks) * params, 0.0f);
    grad.assign(params, 0.0f);
    loss.assign(blocks, 0.0);
    correct.assign(blocks, 0);
  }
};

// Runs f(u) for u in [0, count): shared among the threads of the enclosing parallel region when
// `team` (every thread of the team must call it; implicit barrier at the end), else serially.
template <typename F>
void for_each_unit(size_t count, bool team, ErrorSlot& errors, F&& f) {
  if (!team) {
    for (size_t u = 0; u < count; ++u) f(u);
    return;
  }
#pragma omp for schedule(dynamic, 1)
  for (long long u = 0; u < static_cast<long long>(count); ++u) {
    if (errors.failed()) continue;
    try {
      f(static_cast<size_t>(u));
    } catch (...) {
      errors.capture();
    }
  }
}

// Runs f() once: on one thread of the team (the others wait at the implicit barrier), or here.
template <typename F>
void once(bool team, ErrorSlot& errors, F&& f) {
  if (!team) {
    f();
    return;
  }
#pragma omp single
  {
    try {
      f();
    } catch (...) {
      errors.capture();
    }
  }
}

// Phase 1 of a full-batch step for row block b: forward, loss, backward, the block's gradient.
void block_pass(const kern::Kernels& K, const Trainee& t, const Dataset& data, size_t b, Workspace& ws,
                BatchScratch& sc) {
  const Packed& p = t.lay;
  const size_t n = data.n, d0 = data.d, L = p.layers();
  const size_t r0 = b * kBlockRows, rows = std::min(kBlockRows, n - r0);
  const float* a0 = data.x + r0 * d0;
  if (sc.sparse) {
    const SparseRows& sp = *sc.sparse;
    K.sparse_product(sp.row_ptr.data(), sp.col.data(), sp.val.data(), r0, rows, t.w.data() + p.woff[1], p.stride[1],
                     t.w.data() + p.boff[1], ws.pact[1].data());
    packed_forward(K, t, a0, d0, rows, ws, 2);  // networks have at least one hidden layer (validate_sizes)
  } else {
    packed_forward(K, t, a0, d0, rows, ws);
  }
  const float* z = ws.pact[L].data();
  const size_t zs = p.stride[L];
  float* delta = ws.pdelta[0].data();
  double loss = 0;
  size_t correct = 0;
  const float inv_n = 1.0f / static_cast<float>(n);  // gradient of the mean over all n rows
  for (size_t i = 0; i < rows; ++i) {
    const float y = data.y[r0 + i], zi = z[i * zs];
    loss += bce_from_logit(zi, y);
    correct += ((zi > 0) == (y > 0.5f)) ? 1 : 0;
    set_output_delta(delta + i * zs, (sigmoid(zi) - y) * inv_n);
  }
  float* grad = sc.partial.data() + (sc.running ? 0 : b) * sc.params;
  if (sc.sparse) {
    const SparseRows& sp = *sc.sparse;
    const float* d1 = packed_backward(K, t, a0, d0, rows, ws, grad, false);
    K.sparse_grad(sp.col_ptr.data() + b * (d0 + 1), sp.crow.data(), sp.cval.data(), d0, d1, p.stride[1],
                  grad + p.woff[1]);
  } else {
    packed_backward(K, t, a0, d0, rows, ws, grad);
  }
  sc.loss[b] = loss;
  sc.correct[b] = correct;
  if (sc.running) {  // grad = ((p_0 + p_1) + p_2) + ..., as chunk_update sums the blocks
    if (b == 0) {
      std::memcpy(sc.grad.data(), grad, sc.params * sizeof(float));
    } else {
      float* g = sc.grad.data();
      for (size_t i = 0; i < sc.params; ++i) g[i] += grad[i];
    }
  }
}

// Phase 2 for parameter chunk c: the blocks' gradients summed in block order, then the update.
void chunk_update(const kern::Kernels& K, Trainee& t, BatchScratch& sc, size_t c, const Hyper& h,
                  const StepConsts& k) {
  const size_t p0 = c * kChunkParams, len = std::min(kChunkParams, sc.params - p0);
  if (!sc.running) {
    float* g = sc.grad.data() + p0;
    std::memcpy(g, sc.partial.data() + p0, len * sizeof(float));
    for (size_t b = 1; b < sc.blocks; ++b) {
      const float* pb = sc.partial.data() + b * sc.params + p0;
      for (size_t i = 0; i < len; ++i) g[i] += pb[i];
    }
  }
  update_params(K, t, sc.grad.data(), p0, len, h, k);
}

struct EpochResult {
  double loss = 0;   // summed over rows
  size_t correct = 0;
  bool stopped = false;  // the stop rule was met: no step was taken
};

// One full-batch epoch (all threads of the team call it when `team`): the blocks, then, unless the
// stop rule is met, the chunks' update. Every thread reduces the blocks' sums into its own `res`
// (the same values, in block order) and takes the same decision, so the epoch needs only the two
// barriers of its work-sharing loops; the replicate's state (steps, check values, the transposed
// kernels) is written by commit_epoch. Before the first epoch: prepare_optimizer.
EpochResult full_batch_epoch(const kern::Kernels& K, Replicate& rep, Trainee& t, const Dataset& data, const Hyper& h,
                             BatchScratch& sc, Workspace& ws, bool team, ErrorSlot& errors) {
  for_each_unit(sc.blocks, team, errors, [&](size_t b) { block_pass(K, t, data, b, ws, sc); });
  EpochResult res;
  if (errors.failed()) return res;
  for (size_t b = 0; b < sc.blocks; ++b) {
    res.loss += sc.loss[b];
    res.correct += sc.correct[b];
  }
  if (h.stop_at_correct > 0 && res.correct >= h.stop_at_correct) {
    res.stopped = true;
    return res;
  }
  const StepConsts k = step_consts(h, rep.steps + 1);
  const size_t chunks = (sc.params + kChunkParams - 1) / kChunkParams;
  for_each_unit(chunks, team, errors, [&](size_t c) { chunk_update(K, t, sc, c, h, k); });
  return res;
}

// The replicate's state after a full-batch epoch (one thread).
void commit_epoch(Replicate& rep, Trainee& t, const EpochResult& res, size_t n) {
  rep.check_loss = res.loss / static_cast<double>(n);
  rep.check_accuracy = static_cast<double>(res.correct) / static_cast<double>(n);
  if (res.stopped) {
    rep.stopped = true;
  } else {
    rep.steps += 1;
    t.transpose();
  }
  t.sync(rep);
}

bool params_finite(const Net& net) {
  for (float v : net.params)
    if (!std::isfinite(v)) return false;
  return true;
}

// Bookkeeping after an epoch's steps: divergence check, statistics, validation, callback.
void finish_epoch(Replicate& rep, size_t ri, double loss, size_t correct, const Dataset& train_data,
                  const Dataset* val, Workspace& ws, const EpochCallback& on_epoch) {
  rep.epochs_done += 1;
  EpochStats st;
  st.epoch = rep.epochs_done;
  st.loss = loss / static_cast<double>(train_data.n);
  st.accuracy = static_cast<double>(correct) / static_cast<double>(train_data.n);
  if (!std::isfinite(st.loss) || !params_finite(rep.net))
    invalid("learningRate", "training diverged: network " + std::to_string(ri) + " has a non-finite " +
                                (std::isfinite(st.loss) ? std::string("weight") : std::string("loss")) +
                                " in epoch " + std::to_string(st.epoch) + "; use a smaller learning rate");
  if (val != nullptr && val->n > 0) {
    const Metrics m = evaluate_with(rep.net, *val, ws);
    st.val_loss = m.loss;
    st.val_accuracy = m.accuracy;
  } else {
    st.val_loss = st.val_accuracy = std::numeric_limits<double>::quiet_NaN();
  }
  if (on_epoch) on_epoch(ri, st);
}

constexpr size_t kPoll = 16;  // mini-batches between cancellation polls / progress updates

// The sparse first layer for this network, when the rows are sparse and its width is small enough.
void use_sparse(BatchScratch& sc, const Net& net, const SparseRows* sp) {
  const size_t w1 = static_cast<size_t>(net.sizes[1]);
  const bool ok = sp != nullptr && kern::padded(w1) <= kern::kMaxSparseStride &&
                  sp->d == static_cast<size_t>(net.sizes[0]);
  sc.sparse = ok ? sp : nullptr;
}

// All epochs of one replicate on this thread alone.
void train_serial(const kern::Kernels& K, Replicate& rep, size_t ri, const Dataset& train_data, const Dataset* val,
                  const Hyper& h, int epochs, Control& control, ErrorSlot& errors, const EpochCallback& on_epoch,
                  const SparseRows* sparse) {
  const size_t n = train_data.n;
  const bool full = h.batch == kFullBatch;
  const size_t batch = full ? n : std::min(h.batch, n);
  const size_t batches = (n + batch - 1) / batch;
  Workspace ws(rep.net.sizes, full ? kBlockRows : std::max(batch, kEvalRows), true);
  prepare_optimizer(rep, h);
  Trainee t(rep, h.optimizer == Optimizer::Adam);
  BatchScratch sc;
  FloatBuffer grad;
  if (full) {
    sc.prepare(n, t.lay.total, false);
    use_sparse(sc, rep.net, sparse);
  } else {
    grad.assign(t.lay.total, 0.0f);
  }
  std::vector<uint32_t> order(full ? 0 : n);
  for (int e = 0; e < epochs && !rep.stopped; ++e) {
    double loss = 0;
    size_t correct = 0;
    if (full) {
      const EpochResult res = full_batch_epoch(K, rep, t, train_data, h, sc, ws, false, errors);
      commit_epoch(rep, t, res, n);
      if (res.stopped) break;
      loss = res.loss;
      correct = res.correct;
      if (control.cancelled()) control.throw_if_cancelled();
      if (errors.failed()) break;
      control.advance(1);
    } else {
      if (h.stop_at_correct > 0) {
        size_t right = 0;
        const Metrics m = evaluate_with(rep.net, train_data, ws);
        right = static_cast<size_t>(std::llround(m.accuracy * static_cast<double>(n)));
        rep.check_loss = m.loss;
        rep.check_accuracy = m.accuracy;
        if (right >= h.stop_at_correct) {
          rep.stopped = true;
          break;
        }
      }
      for (size_t i = 0; i < n; ++i) order[i] = static_cast<uint32_t>(i);
      for (size_t i = n - 1; i > 0; --i) std::swap(order[i], order[rep.shuffle.below(static_cast<uint32_t>(i + 1))]);
      size_t pending = 0;
      for (size_t b = 0; b < batches; ++b) {
        const size_t start = b * batch, rows = std::min(batch, n - start);
        loss += train_batch(K, rep, t, train_data, order.data() + start, rows, h, ws, grad, correct);
        if (++pending == kPoll || b + 1 == batches) {
          if (control.cancelled() || errors.failed()) {
            t.sync(rep);
            control.throw_if_cancelled();
          }
          if (errors.failed()) break;
          control.advance(pending);
          pending = 0;
        }
      }
      t.sync(rep);
      if (errors.failed()) break;
    }
    finish_epoch(rep, ri, loss, correct, train_data, val, ws, on_epoch);
  }
}

// All epochs of one replicate with every thread of the team inside each full-batch step.
void train_team(const kern::Kernels& K, Replicate& rep, size_t ri, const Dataset& train_data, const Dataset* val,
                const Hyper& h, int epochs, Control& control, ErrorSlot& errors, const EpochCallback& on_epoch,
                BatchScratch& sc, bool& halt, bool& abort_all, const SparseRows* sparse) {
  std::unique_ptr<Workspace> ws;
  try {
    ws = std::make_unique<Workspace>(rep.net.sizes, kBlockRows, true);
  } catch (...) {
    errors.capture();
  }
  once(true, errors, [&] {
    halt = false;
    prepare_optimizer(rep, h);
    sc.trainee = std::make_unique<Trainee>(rep, h.optimizer == Optimizer::Adam);
    sc.prepare(train_data.n, sc.trainee->lay.total, true);
    use_sparse(sc, rep.net, sparse);
  });
  if (errors.failed()) return;
  Trainee& t = *sc.trainee;
  for (int e = 0; e < epochs; ++e) {
    const EpochResult res = full_batch_epoch(K, rep, t, train_data, h, sc, *ws, true, errors);
    // The third and last barrier of the epoch.
    once(true, errors, [&] {
      if (errors.failed()) {
        halt = abort_all = true;
        return;
      }
      commit_epoch(rep, t, res, train_data.n);
      if (res.stopped) {
        halt = true;
        return;
      }
      if (control.cancelled()) {
        halt = abort_all = true;
        return;
      }
      control.advance(1);
      finish_epoch(rep, ri, res.loss, res.correct, train_data, val, *ws, on_epoch);
    });
    if (halt || errors.failed()) return;
  }
}


}  // namespace

void train(const std::vector<Replicate*>& replicates, const Dataset& train_data, const Dataset* val,
           const Hyper& hyper, int epochs, int threads, Control& control, const EpochCallback& on_epoch) {
  validate_hyper(hyper);
  if (epochs < 0) invalid("epochs", "must be >= 0");
  if (train_data.n == 0) invalid("train", "no rows");
  if (train_data.n > std::numeric_limits<uint32_t>::max()) invalid("train", "too many rows");
  for (const Replicate* r : replicates) {
    if (r == nullptr) invalid("replicates", "null replicate");
    validate_sizes(r->net.sizes);
    if (static_cast<size_t>(r->net.sizes[0]) != train_data.d)
      invalid("train", "rows have " + std::to_string(train_data.d) + " columns, the network expects " +
                           std::to_string(r->net.sizes[0]));
    if (val && static_cast<size_t>(r->net.sizes[0]) != val->d) invalid("validation", "column count differs");
  }
  const size_t n = train_data.n;
  const bool full = hyper.batch == kFullBatch;
  const size_t batch = full ? n : std::min(hyper.batch, n);
  const size_t steps_per_epoch = full ? 1 : (n + batch - 1) / batch;
  std::vector<size_t> live;  // replicates that have not met the stop rule
  for (size_t r = 0; r < replicates.size(); ++r)
    if (!replicates[r]->stopped) live.push_back(r);
  const size_t R = live.size();
  control.start(static_cast<uint64_t>(R) * static_cast<uint64_t>(epochs) * steps_per_epoch);
  if (R == 0 || epochs == 0) return;

  std::shared_ptr<const SparseRows> sparse;
  if (full) sparse = train_data.sparse_checked ? train_data.sparse : sparse_rows(train_data);
  // Full batch with fewer replicates than threads: all threads inside each step.
  const bool team = full && threads > 1 && static_cast<size_t>(threads) > R;
  const int nthreads = team ? threads : std::max(1, std::min<int>(threads, static_cast<int>(R)));
  // The vector kernels (mlp_kernels.h): every variant gives the same bits, so this choice (the
  // CPU's widest, or RICCIFLOW_TRAIN_KERNEL) changes only the speed.
  const kern::Kernels& K = kern::select_kernels();
  ErrorSlot errors;
  std::atomic<uint32_t> seen_flags{kFpFlushResults | kFpFlushInputs};  // AND over the team
  // Shared by the team in `team` mode.
  BatchScratch sc;
  bool halt = false, abort_all = false;  // set in single sections only: every thread reads the same

#pragma omp parallel num_threads(nthreads)
  {
    // Every thread of the team (the calling compute thread included) flushes denormals while it
    // trains and gets its previous mode back at the end of the region (docs/method.md §8c).
    const DenormalsFlushed fp_mode(hyper.flush_denormals);
    seen_flags.fetch_and(fp_flush_flags(), std::memory_order_relaxed);
    if (team) {
      for (size_t i = 0; i < R; ++i) {
        train_team(K, *replicates[live[i]], live[i], train_data, val, hyper, epochs, control, errors, on_epoch, sc,
                   halt, abort_all, sparse.get());
        if (errors.failed() || abort_all) break;  // consistent: both read after a barrier
      }
    } else {
#pragma omp for schedule(dynamic, 1)
      for (long long i = 0; i < static_cast<long long>(R); ++i) {
        if (errors.failed()) continue;
        try {
          const size_t ri = live[static_cast<size_t>(i)];
          train_serial(K, *replicates[ri], ri, train_data, val, hyper, epochs, control, errors, on_epoch,
                       sparse.get());
        } catch (...) {
          errors.capture();
        }
      }
    }
  }  // omp parallel
  g_last_training_flags.store(seen_flags.load(), std::memory_order_relaxed);
  errors.rethrow();
  control.throw_if_cancelled();
}

}  // namespace mlp
}  // namespace ricci

