#include "threads.h"

#include <algorithm>
#include <exception>
#include <memory>
#include <system_error>
#include <thread>
#include <vector>

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

namespace {
struct ComputeThread {
  std::mutex mu;
  std::condition_variable cv;
  const std::function<void()>* job = nullptr;  // set by the caller, cleared when done
  std::exception_ptr error;
  bool busy = false;  // guarded by the pool's mutex

  void loop() {
    std::unique_lock<std::mutex> lock(mu);
    for (;;) {
      cv.wait(lock, [&] { return job != nullptr; });
      const std::function<void()>* j = job;
      lock.unlock();
      std::exception_ptr err;
      try {
        (*j)();
      } catch (...) {
        err = std::current_exception();
      }
      lock.lock();
      error = err;
      job = nullptr;
      cv.notify_all();
    }
  }
};

class ComputePool {
 public:
  ComputeThread* claim() {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& t : threads_)
      if (!t->busy) {
        t->busy = true;
        return t.get();
      }
    auto t = std::make_unique<ComputeThread>();
    t->busy = true;
    try {
      std::thread(&ComputeThread::loop, t.get()).detach();  // lives as long as the process
    } catch (const std::system_error&) {
      return nullptr;  // no thread to be had (resource limits): the caller runs the job itself
    }
    threads_.push_back(std::move(t));
    return threads_.back().get();
  }
  void release(ComputeThread* t) {
    std::lock_guard<std::mutex> lock(mu_);
    t->busy = false;
  }
  int count() {
    std::lock_guard<std::mutex> lock(mu_);
    return static_cast<int>(threads_.size());
  }

 private:
  std::mutex mu_;
  std::vector<std::unique_ptr<ComputeThread>> threads_;
};

ComputePool& compute_pool() {
  static ComputePool* pool = new ComputePool();  // never destroyed: its threads are detached
  return *pool;
}
}  // namespace

int compute_thread_count() { return compute_pool().count(); }

void run_on_compute_thread(const std::function<void()>& job) {
  ComputePool& pool = compute_pool();
  ComputeThread* t = pool.claim();
  if (t == nullptr) {
    job();
    return;
  }
  std::exception_ptr err;
  {
    std::unique_lock<std::mutex> lock(t->mu);
    t->job = &job;
    t->cv.notify_all();
    t->cv.wait(lock, [&] { return t->job == nullptr; });
    err = t->error;
    t->error = nullptr;
  }
  pool.release(t);
  if (err) std::rethrow_exception(err);
}

}  // namespace ricci
