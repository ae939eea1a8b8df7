// Thread budget shared by every call in flight, so that concurrent calls (several AsyncWorkers
// at once, each with its own OpenMP team) never oversubscribe the machine's cores.
#pragma once
#include <condition_variable>
#include <functional>
#include <mutex>

namespace ricci {

int hardware_threads();

// Process-wide budget of compute threads; capacity defaults to the core count.
class ThreadBudget {
 public:
  static ThreadBudget& global();
  int capacity() const;
  void set_capacity(int c);
  // Blocks until min(want, capacity) threads are free; returns how many were granted (>= 1).
  int acquire(int want);
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
// How many compute threads exist (diagnostics).
int compute_thread_count();

}  // namespace ricci
