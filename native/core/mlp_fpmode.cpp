// Floating-point mode of the training threads: FTZ/DAZ (x86 MXCSR) or FZ (arm64 FPCR) held for a
// scope, the flags read back, and a probe of what each thread of a team actually computes
// (docs/method.md §8c).
#include "mlp.h"
#include "mlp_internal.h"

#include <algorithm>
#include <atomic>
#include <cstring>

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

namespace detail {
void set_last_training_fp_flags(uint32_t flags) { g_last_training_flags.store(flags, std::memory_order_relaxed); }
}  // namespace detail

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

}  // namespace mlp
}  // namespace ricci
