// Thread budget shared by every call in flight, so that concurrent calls (several AsyncWorkers
// at once, each with its own OpenMP team) never oversubscribe the machine's cores.
#pragma once
#include <condition_variable>
#include <functional>
#include <mutex>

namespace ricci {

int hardware_threads();
// Largest thread budget or per-call default accepted: max(64, 4 x cores). Beyond it, a budget
// would let one call ask OpenMP for more threads than the system can create.
int max_threads();

// Process-wide budget of compute threads; capacity defaults to the core count.
class ThreadBudget {
 public:
  static ThreadBudget& global();
  int capacity() const;
  void set_capacity(int c);
  // Blocks until min(want, capacity) threads are free; returns how many were granted (>= 1).
  int acquire(int want);
  // As acquire(), but gives up and returns 0 once `cancelled()` turns true (checked while waiting).
  int acquire(int want, const std::function<bool()>& cancelled);
  // As acquire(), but only when the threads are free now; else 0 without waiting.
  int try_acquire(int want);
  void release(int granted);
  int in_use() const;
  // Largest number of threads ever leased at once (for tests and diagnostics).
  int peak() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  int capacity_ = 0;
  int in_use_ = 0;
  int peak_ = 0;
};

// RAII lease of threads from the global budget. `threads <= 0` means the budget's capacity.
class ThreadLease {
 public:
  explicit ThreadLease(int threads);
  ~ThreadLease();
  ThreadLease(const ThreadLease&) = delete;
  ThreadLease& operator=(const ThreadLease&) = delete;
  int count() const { return granted_; }

 private:
  int granted_;
};

// Runs `job` on a long-lived compute thread and blocks until it returns (rethrowing what it
// threw). The job goes to the lowest-numbered idle compute thread, created on first need, so
// calls made one after another all run on thread 0 and find its OpenMP team awake and its
// malloc arena and thread-local scratch warm; concurrent calls spill to threads 1, 2, ... An
// OpenMP team belongs to the thread that opened it, so running jobs from whichever libuv worker
// happens to pick them up would keep several teams alive, some spinning while another works.
void run_on_compute_thread(const std::function<void()>& job);
// Runs `work(granted)` asynchronously: a dispatcher thread takes calls in order, waits for a lease
// of `threads` (<= 0: the budget's capacity) from the global budget, then hands the work to the
// lowest-numbered idle compute thread (as run_on_compute_thread). When no call is waiting and the
// lease is free at once, the caller hands the work over itself (one thread wake-up fewer). `granted` is 0 when
// `cancelled()` turned true before the lease was granted (the work must then only report that).
// After `work` returns, the lease is released, the compute thread is marked idle, and `after()`
// runs on that thread. `work` and `after` must not throw (anything thrown is dropped).
// Throws std::system_error only if the dispatcher thread cannot be created.
void submit_compute(int threads, std::function<bool()> cancelled, std::function<void(int granted)> work,
                    std::function<void()> after);
// How many compute threads exist (diagnostics).
int compute_thread_count();

}  // namespace ricci
