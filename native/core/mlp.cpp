#include "mlp.h"

#include <Eigen/Core>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
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
      delta[0].assign(rows * widest, 0.0f);
      delta[1].assign(rows * widest, 0.0f);
      grad.assign(param_count(sizes), 0.0f);
    }
  }
};

// Forward pass of `rows` rows starting at `a0` (row-major, d0 columns) into out[l] (l = 1..L,
// row-major rows x sizes[l]); hidden layers get ReLU, out[L] holds the logits.
void forward_rows(const Net& net, const float* a0, size_t rows, float* const* out) {
  const auto& sz = net.sizes;
  const size_t L = net.layers();
  const float* prev = a0;
  size_t off = 0;
  for (size_t l = 1; l <= L; ++l) {
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
  if (h.batch < 1) invalid("batchSize", "must be >= 1");
  if (!(h.learning_rate > 0) || !std::isfinite(h.learning_rate)) invalid("learningRate", "must be a positive number");
  if (!(h.rho >= 0 && h.rho < 1)) invalid("rho", "must be in [0, 1)");
  if (!(h.epsilon > 0) || !std::isfinite(h.epsilon)) invalid("epsilon", "must be a positive number");
}

Replicate make_replicate(const std::vector<int32_t>& sizes, uint64_t seed) {
  return make_replicate(init_glorot(sizes, seed), seed);
}

Replicate make_replicate(Net net, uint64_t seed) {
  Replicate r;
  r.mean_square.assign(net.params.size(), 0.0f);
  r.net = std::move(net);
  r.shuffle = Rng(seed ^ kShuffleSalt);
  return r;
}

namespace {

// One optimisation step on the `rows` training rows listed in `idx`. Returns the batch's summed
// loss and adds its correct predictions to `correct`.
double train_batch(Replicate& rep, const Dataset& data, const uint32_t* idx, size_t rows,
                   const Hyper& h, Workspace& ws, const std::vector<float*>& act, size_t& correct) {
  Net& net = rep.net;
  const auto& sz = net.sizes;
  const size_t L = net.layers();
  const size_t d0 = data.d;

  // Gather the batch rows into one contiguous block (the products want dense operands).
  float* a0 = ws.input.data();
  for (size_t i = 0; i < rows; ++i)
    std::memcpy(a0 + i * d0, data.x + static_cast<size_t>(idx[i]) * d0, d0 * sizeof(float));

  forward_rows(net, a0, rows, act.data());

  // Output delta dL/dz = (sigmoid(z) - y) / rows for the batch-mean BCE.
  const float* z = ws.act[L].data();
  float* delta = ws.delta[0].data();
  double loss = 0;
  const float inv_rows = 1.0f / static_cast<float>(rows);
  for (size_t i = 0; i < rows; ++i) {
    const float y = data.y[idx[i]];
    loss += bce_from_logit(z[i], y);
    correct += ((z[i] > 0) == (y > 0.5f)) ? 1 : 0;
    delta[i] = (sigmoid(z[i]) - y) * inv_rows;
  }

  // Backward, last layer first. `cur` holds dL/dZ_l (rows x sizes[l]).
  int cur = 0;
  for (size_t l = L; l >= 1; --l) {
    const Eigen::Index in = sz[l - 1], width = sz[l];
    const size_t off = kernel_offset(sz, l);
    const float* prev = l > 1 ? ws.act[l - 1].data() : a0;
    CMatMap A(prev, rows, in);
    CMatMap D(ws.delta[cur].data(), rows, width);
    MatMap dW(ws.grad.data() + off, in, width);
    RowVecMap db(ws.grad.data() + off + in * width, width);
    dW.noalias() = A.transpose() * D;
    db.noalias() = D.colwise().sum();
    if (l > 1) {
      CMatMap W(net.params.data() + off, in, width);
      MatMap P(ws.delta[1 - cur].data(), rows, in);
      P.noalias() = D * W.transpose();
      // ReLU derivative: pass the gradient where the unit was active (act > 0).
      P = (A.array() > 0.0f).select(P.array(), 0.0f).matrix();
      cur = 1 - cur;
    }
  }

  // RMSprop over the whole flat parameter vector.
  const Eigen::Index np = static_cast<Eigen::Index>(net.params.size());
  ArrMap w(net.params.data(), np);
  ArrMap v(rep.mean_square.data(), np);
  Eigen::Map<const Eigen::ArrayXf> g(ws.grad.data(), np);
  v = h.rho * v + (1.0f - h.rho) * g.square();
  w -= h.learning_rate * g / (v.sqrt() + h.epsilon);
  return loss;
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
  const size_t batch = std::min(hyper.batch, n);
  const size_t batches = (n + batch - 1) / batch;
  const size_t R = replicates.size();
  control.start(static_cast<uint64_t>(R) * static_cast<uint64_t>(epochs) * batches);
  if (R == 0 || epochs == 0) return;

  const int nthreads = std::max(1, std::min<int>(threads, static_cast<int>(R)));
  ErrorSlot errors;
  constexpr size_t kPoll = 16;  // batches between cancellation polls / progress updates

  std::atomic<uint32_t> seen_flags{kFpFlushResults | kFpFlushInputs};  // AND over the team
#pragma omp parallel num_threads(nthreads)
  {
  // Every thread of the team (the calling compute thread included) flushes denormals while it
  // trains and gets its previous mode back at the end of the region (docs/method.md §8c).
  const DenormalsFlushed fp_mode(hyper.flush_denormals);
  seen_flags.fetch_and(fp_flush_flags(), std::memory_order_relaxed);
#pragma omp for schedule(dynamic, 1)
  for (long long ri = 0; ri < static_cast<long long>(R); ++ri) {
    if (errors.failed()) continue;
    try {
      Replicate& rep = *replicates[static_cast<size_t>(ri)];
      Workspace ws(rep.net.sizes, std::max(batch, kEvalRows), true);
      auto act = act_pointers(ws);
      std::vector<uint32_t> order(n);
      for (int e = 0; e < epochs; ++e) {
        for (size_t i = 0; i < n; ++i) order[i] = static_cast<uint32_t>(i);
        for (size_t i = n - 1; i > 0; --i)
          std::swap(order[i], order[rep.shuffle.below(static_cast<uint32_t>(i + 1))]);
        double loss = 0;
        size_t correct = 0;
        size_t pending = 0;
        for (size_t b = 0; b < batches; ++b) {
          const size_t start = b * batch, rows = std::min(batch, n - start);
          loss += train_batch(rep, train_data, order.data() + start, rows, hyper, ws, act, correct);
          if (++pending == kPoll || b + 1 == batches) {
            if (control.cancelled() || errors.failed()) control.throw_if_cancelled();
            if (errors.failed()) break;
            control.advance(pending);
            pending = 0;
          }
        }
        if (errors.failed()) break;
        rep.epochs_done += 1;
        EpochStats st;
        st.epoch = rep.epochs_done;
        st.loss = loss / static_cast<double>(n);
        st.accuracy = static_cast<double>(correct) / static_cast<double>(n);
        if (val != nullptr && val->n > 0) {
          const Metrics m = evaluate_with(rep.net, *val, ws);
          st.val_loss = m.loss;
          st.val_accuracy = m.accuracy;
        } else {
          st.val_loss = st.val_accuracy = std::numeric_limits<double>::quiet_NaN();
        }
        if (on_epoch) on_epoch(static_cast<size_t>(ri), st);
      }
    } catch (...) {
      errors.capture();
    }
  }
  }  // omp parallel
  g_last_training_flags.store(seen_flags.load(), std::memory_order_relaxed);
  errors.rethrow();
  control.throw_if_cancelled();
}

}  // namespace mlp
}  // namespace ricci
