#include "threads.h"

#include <algorithm>
#include <thread>

namespace ricci {

int hardware_threads() {
  const unsigned h = std::thread::hardware_concurrency();
  return h == 0 ? 1 : static_cast<int>(h);
}

ThreadBudget& ThreadBudget::global() {
  static ThreadBudget budget;
  return budget;
}

int ThreadBudget::capacity() const {
  std::lock_guard<std::mutex> lock(mu_);
  return capacity_ > 0 ? capacity_ : hardware_threads();
}

void ThreadBudget::set_capacity(int c) {
  std::lock_guard<std::mutex> lock(mu_);
  capacity_ = std::max(1, c);
  cv_.notify_all();
}

int ThreadBudget::acquire(int want) {
  std::unique_lock<std::mutex> lock(mu_);
  const int cap = capacity_ > 0 ? capacity_ : hardware_threads();
  // A call never gets more threads than the budget holds; it waits until its share is free.
  // Threads are granted all at once, so two waiting calls cannot deadlock on partial grants.
  const int granted = std::max(1, std::min(want <= 0 ? cap : want, cap));
  cv_.wait(lock, [&] {
    const int c = capacity_ > 0 ? capacity_ : hardware_threads();
    return in_use_ + granted <= std::max(c, granted);
  });
  in_use_ += granted;
  peak_ = std::max(peak_, in_use_);
  return granted;
}

void ThreadBudget::release(int granted) {
  std::lock_guard<std::mutex> lock(mu_);
  in_use_ = std::max(0, in_use_ - granted);
  cv_.notify_all();
}

int ThreadBudget::in_use() const {
  std::lock_guard<std::mutex> lock(mu_);
  return in_use_;
}

int ThreadBudget::peak() const {
  std::lock_guard<std::mutex> lock(mu_);
  return peak_;
}

ThreadLease::ThreadLease(int threads) : granted_(ThreadBudget::global().acquire(threads)) {}
ThreadLease::~ThreadLease() { ThreadBudget::global().release(granted_); }

}  // namespace ricci
