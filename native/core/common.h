// Shared vocabulary of the ricciflow core: errors, views over caller memory, thread budget,
// progress/cancellation. No N-API here: the core is plain C++17.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>

namespace ricci {

// Every error the core raises. `code` is stable (the JS side maps it to an error class),
// `arg` names the offending argument when there is one.
enum class ErrorCode { InvalidArgument, Cancelled, Internal };

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, std::string arg, const std::string& message)
      : std::runtime_error(message), code_(code), arg_(std::move(arg)) {}
  ErrorCode code() const { return code_; }
  const std::string& arg() const { return arg_; }

 private:
  ErrorCode code_;
  std::string arg_;
};

[[noreturn]] inline void invalid(const std::string& arg, const std::string& message) {
  throw Error(ErrorCode::InvalidArgument, arg, arg + ": " + message);
}

// An exception must never escape an OpenMP region (it would call std::terminate).
// Loops catch into an ErrorSlot and the caller rethrows after the parallel section.
class ErrorSlot {
 public:
  void capture() {
    std::lock_guard<std::mutex> lock(mu_);
    if (!first_) first_ = std::current_exception();
    failed_.store(true, std::memory_order_relaxed);
  }
  bool failed() const { return failed_.load(std::memory_order_relaxed); }
  void rethrow() {
    if (first_) std::rethrow_exception(first_);
  }

 private:
  std::mutex mu_;
  std::exception_ptr first_;
  std::atomic<bool> failed_{false};
};

// Progress and cancellation for long computations. The binding owns one per call;
// the core polls `cancelled()` at coarse granularity and bumps `done`.
struct Control {
  std::atomic<bool> cancel{false};
  std::atomic<uint64_t> done{0};
  std::atomic<uint64_t> total{0};
  // Optional observer, called from compute threads (must be thread-safe) about every 1% of work.
  std::function<void(uint64_t done, uint64_t total)> on_progress;

  void start(uint64_t work_total) {
    done.store(0);
    total.store(work_total);
    if (on_progress) on_progress(0, work_total);
  }
  void advance(uint64_t by) {
    const uint64_t t = total.load(std::memory_order_relaxed);
    const uint64_t d = done.fetch_add(by, std::memory_order_relaxed) + by;
    if (!on_progress || t == 0) return;
    const uint64_t step = t / 100 + 1;
    if (d / step != (d - by) / step || d == t) on_progress(d, t);
  }
  bool cancelled() const { return cancel.load(std::memory_order_relaxed); }
  void throw_if_cancelled() const {
    if (cancelled()) throw Error(ErrorCode::Cancelled, "", "cancelled");
  }
};

// Element type of caller-provided point data.
enum class DType { F32, F64 };

// A read-only row-major n x d matrix owned by the caller (read without copying).
struct PointsView {
  const void* data = nullptr;
  DType dtype = DType::F64;
  size_t n = 0;
  size_t d = 0;
  double at(size_t i, size_t j) const {
    return dtype == DType::F32 ? static_cast<const float*>(data)[i * d + j]
                               : static_cast<const double*>(data)[i * d + j];
  }
};

// Validates shape and finiteness; throws InvalidArgument naming `arg`.
void validate_points(const PointsView& p, const std::string& arg = "points");

}  // namespace ricci
