// Dense ReLU binary classifiers (docs/method.md §8): float32 forward/backward passes, binary cross-entropy
// from logits, RMSprop, replicate networks trained in parallel. No N-API here.
//
// A network is a list of layer sizes `sizes = {d0, h1, ..., hL, 1}`: input dimension, hidden ReLU
// widths, one sigmoid output unit. Parameters live in one flat float32 vector, per layer the
// kernel (in x out, row-major, i.e. Keras/tfjs `Dense.kernel` layout) followed by the bias (out),
// layers in order. This is exactly the concatenation of tfjs `model.getWeights()`, so weights move
// between backends without reshaping.
//
// Randomness (documented because results must be reproducible from a seed alone):
// - Generator: xoshiro256** (Blackman & Vigna 2018), state seeded by four outputs of splitmix64.
// - Each replicate has two independent streams derived from its 64-bit seed s:
//     init stream    = xoshiro256**(splitmix64 seeded with s)
//     shuffle stream = xoshiro256**(splitmix64 seeded with s ^ 0x53485546464c4521)  ("SHUFFLE!")
//   so the per-epoch shuffle order does not depend on the architecture.
// - Uniform float in [0,1): top 24 bits of one 64-bit output times 2^-24.
// - Init: Glorot-uniform kernels, w = limit * (2u - 1), limit = sqrt(6 / (fan_in + fan_out)),
//   drawn layer by layer in row-major kernel order; biases zero (Keras/tfjs defaults).
// - Shuffle: every epoch starts from the identity order 0..n-1 and applies a Fisher–Yates shuffle
//   (i = n-1 down to 1, j uniform in [0, i] by Lemire's unbiased multiply-shift rejection).
//
// Two initialisations (docs/method.md §8a, §8b), both from the init stream, layer by layer, kernel
// in row-major order then bias, w = limit * (2u - 1):
// - Glorot-uniform kernels, limit = sqrt(6 / (fan_in + fan_out)), zero biases (Keras/tfjs);
// - PyTorch's `nn.Linear` default: kernel and bias both U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
//
// Training semantics (Keras `model.fit`): the training rows are shuffled every epoch and cut into
// batches of `batch` rows (the last batch may be smaller); loss = mean BCE over the batch;
// RMSprop v = rho v + (1 - rho) g^2, w -= lr g / (sqrt(v) + eps) (Keras 3 / PyTorch form: eps
// outside the square root); v starts at zero. The reported epoch loss/accuracy are the means over
// the epoch's batches as they were seen during training (weighted by batch size, as Keras reports
// them); validation loss/accuracy are computed after the epoch's last update. Accuracy counts
// logit > 0 (p > 0.5) as class 1.
//
// Full batch (docs/method.md §8b, the follow-up's `train_model`): one step per epoch on all training
// rows, in their given order (no shuffle; the shuffle stream is not used). The epoch's loss and
// accuracy are those of the forward pass the step's gradient comes from, i.e. of the weights
// before the step. The step is computed in fixed blocks of kBlockRows rows, each by one thread:
// forward, backward and the block's gradient; the blocks' gradients are then summed in block
// order, parameter chunk by parameter chunk, each chunk by one thread, and the optimizer updates
// that chunk. Nothing depends on the thread count, so the weights are bit-identical for any.
//
// Stop rule (stop_at_correct > 0): before each step the training rows the current weights classify
// correctly are counted and the replicate stops as soon as correct >= stop_at_correct. The rule
// itself (the follow-up's `acc >= threshold_accuracy`, in percent) is written once, in TypeScript
// (src/train/stopping.ts), which hands over the least count that meets it (docs/method.md §8b).
// At full batch the check is the step's own forward pass; with mini-batches it is a forward pass
// over the training rows before each epoch. The epoch at which it stops is not run and not counted.
//
// Adam (torch.optim.Adam, its default single-tensor form): t += 1; m = β1·m + (1-β1)·g;
// v = β2·v + (1-β2)·g²; step = lr / (1 - β1^t); denom = sqrt(v) / sqrt(1 - β2^t) + ε;
// w -= step · m / denom. Bias corrections in double, element arithmetic in float32; m, v start at 0.
//
// Divergence: a replicate whose loss or weights become non-finite stops the call with
// InvalidArgument("learningRate") naming the replicate and epoch.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <new>
#include <vector>

#include "common.h"

namespace ricci {
namespace mlp {

// ---- floating-point mode (docs/method.md §8c) -------------------------------------------------

// Training runs with denormals flushed to zero, as TensorFlow's CPU kernels do: subnormal
// activations and gradients appear late in training and otherwise slow whole epochs several-fold.
// The mode is a per-thread register, so it is set on each thread that does training arithmetic
// (the compute thread and every OpenMP worker of its team) for the duration of the training call
// only, and restored from the saved value afterwards: geometry, curvature and forward passes run
// on the same threads with the IEEE mode they had before.
//   x86-64 (SSE): MXCSR bits FTZ (flush results) and DAZ (treat subnormal inputs as zero).
//   AArch64: FPCR.FZ, which flushes both inputs and results of single/double precision.
//   Other architectures: no change (the guard does nothing and reports no flags).
constexpr uint32_t kFpFlushResults = 1;  // FTZ (x86) / FZ (arm64)
constexpr uint32_t kFpFlushInputs = 2;   // DAZ (x86) / FZ (arm64)
// The calling thread's flush flags (kFpFlush* bits).
uint32_t fp_flush_flags();
// Whether this build can flush denormals (x86-64 with SSE, or AArch64).
bool fp_flush_supported();
// Flags seen by the training threads during the most recent training call (diagnostics).
uint32_t last_training_fp_flags();
// The vector kernels a training call uses now (mlp_kernels.h): "avx512", "avx2" or "portable"; the
// CPU's widest unless RICCIFLOW_TRAIN_KERNEL names another one it can run. All give the same bits.
const char* training_kernel();

// Diagnostics: on each of `threads` OpenMP threads of the calling thread's team, the thread's
// flush flags and whether subnormal float and double arithmetic gives the IEEE result there
// (bit 4 of the entry set when it does).
constexpr uint32_t kFpSubnormalsExact = 4;
std::vector<uint32_t> fp_probe(int threads);

// RAII: sets the flush mode on this thread (when `flush` is true) and restores the saved mode.
class DenormalsFlushed {
 public:
  explicit DenormalsFlushed(bool flush);
  ~DenormalsFlushed();
  DenormalsFlushed(const DenormalsFlushed&) = delete;
  DenormalsFlushed& operator=(const DenormalsFlushed&) = delete;

 private:
  bool active_ = false;
  uint64_t saved_ = 0;
};

// ---- random numbers ---------------------------------------------------------------------------

uint64_t splitmix64(uint64_t& state);

class Rng {
 public:
  explicit Rng(uint64_t seed = 0);
  uint64_t next();
  float uniform01();              // [0, 1), 24-bit resolution
  uint32_t below(uint32_t bound);  // uniform in [0, bound), bound >= 1

 private:
  uint64_t s_[4];
};

constexpr uint64_t kShuffleSalt = 0x53485546464c4521ULL;

// ---- networks ---------------------------------------------------------------------------------

// 64-byte aligned allocation for every buffer the products touch. Eigen's vectorised kernels
// (GEMV heads, reductions) choose their summation order by the operands' alignment, so the base
// alignment must not depend on which thread's malloc arena served the buffer: with it fixed, a
// replicate gives bit-identical results on any thread, with any thread count.
template <typename T>
struct AlignedAllocator {
  using value_type = T;
  static constexpr std::size_t kAlign = 64;
  AlignedAllocator() = default;
  template <typename U>
  AlignedAllocator(const AlignedAllocator<U>&) {}
  T* allocate(std::size_t n) {
    if (n == 0) return nullptr;
    void* p = ::operator new(n * sizeof(T), std::align_val_t(kAlign));
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t) { ::operator delete(p, std::align_val_t(kAlign)); }
  template <typename U>
  bool operator==(const AlignedAllocator<U>&) const { return true; }
  template <typename U>
  bool operator!=(const AlignedAllocator<U>&) const { return false; }
};
using FloatBuffer = std::vector<float, AlignedAllocator<float>>;

// Throws InvalidArgument("sizes") unless sizes = {d0 >= 1, h >= 1 ..., 1} with at least one
// hidden layer, and the parameter count fits comfortably in memory.
void validate_sizes(const std::vector<int32_t>& sizes);
size_t param_count(const std::vector<int32_t>& sizes);
// Offsets of layer l's kernel and bias (l = 1 .. sizes.size()-1) in the flat parameter vector.
size_t kernel_offset(const std::vector<int32_t>& sizes, size_t l);

struct Net {
  std::vector<int32_t> sizes;
  FloatBuffer params;
  size_t layers() const { return sizes.size() - 1; }  // weight layers (hidden + output)
};

enum class Init { Glorot, PyTorch };
// From the init stream of `seed`: Glorot-uniform kernels and zero biases, or PyTorch's nn.Linear
// default, kernels and biases U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (mlp_network.cpp).
Net init_network(const std::vector<int32_t>& sizes, uint64_t seed, Init init);
// Copies flat weights (layout above); throws InvalidArgument("weights") on a length mismatch or
// non-finite values.
Net import_weights(const std::vector<int32_t>& sizes, const float* flat, size_t length);
std::vector<float> export_weights(const Net& net);

struct SparseRows;  // the rows as full-batch steps read them when mostly zeros (mlp_full_batch.h)
struct RowTiles;    // the rows as mini-batch steps read them when mostly zeros (mlp_full_batch.h)

// A row-major float32 matrix owned by the caller plus optional labels (0 or 1).
struct Dataset {
  const float* x = nullptr;
  const float* y = nullptr;  // n labels, may be null for forward passes
  size_t n = 0;
  size_t d = 0;
  // Optional cache of sparse_rows(*this) for full-batch training (sparse_checked: computed, maybe
  // null); train() computes it per call when absent.
  std::shared_ptr<const SparseRows> sparse;
  bool sparse_checked = false;
  // The same for row_tiles(*this), read by mini-batch training.
  std::shared_ptr<const RowTiles> row_tiles;
  bool row_tiles_checked = false;
};
// The rows' sparse form for the first layer of full-batch steps, or null when more than half of
// the values are nonzero (dense products are then faster). See mlp_full_batch.cpp.
std::shared_ptr<const SparseRows> sparse_rows(const Dataset& data);
// The rows' nonzero tiles for the first layer of mini-batch steps, or null under the same rule.
std::shared_ptr<const RowTiles> row_tiles(const Dataset& data);
// Throws InvalidArgument(arg) on shape mismatch with `d0`, non-finite values, or labels not 0/1.
void validate_dataset(const Dataset& data, size_t d0, bool need_labels, const std::string& arg);

// Every layer's activations on `x` (n rows): [input (if include_input), each hidden ReLU layer,
// the sigmoid output], each row-major n x width. Computed in row blocks on the calling thread.
std::vector<std::vector<float>> forward_activations(const Net& net, const Dataset& x,
                                                    bool include_input = true);
// Logits (n values) of the output unit.
std::vector<float> forward_logits(const Net& net, const Dataset& x);

struct Metrics {
  double loss = 0;      // mean binary cross-entropy
  double accuracy = 0;  // share of rows with (logit > 0) == label
};
Metrics evaluate(const Net& net, const Dataset& data);

// ---- training ---------------------------------------------------------------------------------

enum class Optimizer { RMSprop, Adam };
constexpr size_t kFullBatch = 0;      // Hyper::batch: one step per epoch on all rows
constexpr size_t kBlockRows = 256;    // row block of full-batch steps (fixed: never the thread count)
constexpr size_t kChunkParams = 4096; // parameter chunk of the full-batch reduction and update

struct Hyper {
  size_t batch = 32;  // rows per step, or kFullBatch
  Optimizer optimizer = Optimizer::RMSprop;
  double learning_rate = 1e-3;
  float rho = 0.9f;      // RMSprop
  double beta1 = 0.9;    // Adam
  double beta2 = 0.999;  // Adam
  float epsilon = 1e-7f;
  size_t stop_at_correct = 0;   // > 0: the stop rule, as the least count of correct rows (see above)
  bool flush_denormals = true;  // FTZ/DAZ on the training threads (see above)
};
void validate_hyper(const Hyper& h);

// One network being trained: weights, optimizer state and its shuffle stream. Training a
// replicate for e1 epochs then e2 epochs gives exactly the same result as e1 + e2 at once.
struct Replicate {
  Net net;
  FloatBuffer mean_square;  // RMSprop accumulator / Adam second moment, same layout as net.params
  FloatBuffer first_moment; // Adam first moment (allocated on the first Adam step)
  Rng shuffle;
  int epochs_done = 0;
  int64_t steps = 0;        // optimizer steps taken (Adam's bias correction)
  bool stopped = false;     // the stop rule was met: further epochs are skipped
  double check_loss = std::numeric_limits<double>::quiet_NaN();      // last stop-rule check
  double check_accuracy = std::numeric_limits<double>::quiet_NaN();
};
Replicate make_replicate(const std::vector<int32_t>& sizes, uint64_t seed, Init init = Init::Glorot);
// From given weights (the shuffle stream still comes from `seed`).
Replicate make_replicate(Net net, uint64_t seed);

struct EpochStats {
  int epoch = 0;  // 1-based, counted over the replicate's whole life
  double loss = 0, accuracy = 0;
  double val_loss = 0, val_accuracy = 0;  // NaN without validation data
};

// Called from compute threads, once per replicate and epoch, as soon as that epoch is done
// (must be thread-safe across distinct replicates).
using EpochCallback = std::function<void(size_t replicate, const EpochStats& stats)>;

// Trains each replicate `epochs` more epochs on the same data (replicates that met the stop rule
// are skipped). Mini-batches: replicates run in parallel, one per thread (OpenMP, dynamic
// schedule), each replicate's arithmetic on a single thread in a fixed order. Full batch: the
// same when there are at least as many replicates as threads, else the replicates run one after
// another with all threads inside each step (fixed blocks and chunks, see above). Either way the
// results do not depend on `threads`. `val` may be null. Control: total work = steps over all
// replicates; cancellation is polled every few steps (throws Cancelled after the parallel
// section). Inputs must have been validated (validate_dataset); for bit-identical results across
// calls the training rows should sit in a 64-byte aligned buffer (FloatBuffer), as the binding's.
// Full-batch steps with the team inside each step need scratch of (n / kBlockRows + 1) x param_count
// floats (every block's gradient); on one thread, 2 x param_count (a running sum in block order).
void train(const std::vector<Replicate*>& replicates, const Dataset& train_data, const Dataset* val,
           const Hyper& hyper, int epochs, int threads, Control& control,
           const EpochCallback& on_epoch);

}  // namespace mlp
}  // namespace ricci
