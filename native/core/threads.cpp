#include "threads.h"

#include <algorithm>
#include <chrono>
#include <deque>
#include <exception>
#include <memory>
#include <system_error>
#include <thread>
#include <vector>

namespace ricci {

int hardware_threads() {
  // Read once: std::thread::hardware_concurrency() opens /sys/devices/system/cpu/online on every
  // call, and every native call asks (the thread budget), which cost microseconds per call.
  static const int h = [] {
    const unsigned c = std::thread::hardware_concurrency();
    return c == 0 ? 1 : static_cast<int>(c);
  }();
  return h;
}

int max_threads() { return std::min(1024, std::max(64, 4 * hardware_threads())); }

ThreadBudget& ThreadBudget::global() {
  // Never destroyed: compute threads may still use it while the process exits.
  static ThreadBudget* budget = new ThreadBudget();
  return *budget;
}

int ThreadBudget::capacity() const {
  std::lock_guard<std::mutex> lock(mu_);
  return capacity_ > 0 ? capacity_ : hardware_threads();
}

void ThreadBudget::set_capacity(int c) {
  std::lock_guard<std::mutex> lock(mu_);
  capacity_ = std::max(1, std::min(c, max_threads()));
  cv_.notify_all();
}

int ThreadBudget::acquire(int want) { return acquire(want, nullptr); }

int ThreadBudget::acquire(int want, const std::function<bool()>& cancelled) {
  std::unique_lock<std::mutex> lock(mu_);
  const int cap = capacity_ > 0 ? capacity_ : hardware_threads();
  // A call never gets more threads than the budget holds; it waits until its share is free.
  // Threads are granted all at once, so two waiting calls cannot deadlock on partial grants.
  const int granted = std::max(1, std::min(want <= 0 ? cap : want, cap));
  auto fits = [&] {
    const int c = capacity_ > 0 ? capacity_ : hardware_threads();
    return in_use_ + granted <= std::max(c, granted);
  };
  if (cancelled) {
    // Cancellation does not notify the budget: look at it every 10 ms while waiting.
    while (!fits()) {
      if (cancelled()) return 0;
      cv_.wait_for(lock, std::chrono::milliseconds(10));
    }
  } else {
    cv_.wait(lock, fits);
  }
  in_use_ += granted;
  peak_ = std::max(peak_, in_use_);
  return granted;
}

int ThreadBudget::try_acquire(int want) {
  std::lock_guard<std::mutex> lock(mu_);
  const int cap = capacity_ > 0 ? capacity_ : hardware_threads();
  const int granted = std::max(1, std::min(want <= 0 ? cap : want, cap));
  if (in_use_ + granted > std::max(cap, granted)) return 0;
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
  std::function<void()> owned;                 // an asynchronous job (submit_compute)
  std::exception_ptr error;
  bool busy = false;  // guarded by the pool's mutex

  void loop() {
    std::unique_lock<std::mutex> lock(mu);
    for (;;) {
      cv.wait(lock, [&] { return job != nullptr || owned != nullptr; });
      if (owned) {
        std::function<void()> j = std::move(owned);
        owned = nullptr;
        lock.unlock();
        try {
          j();
        } catch (...) {
        }
        j = nullptr;
        lock.lock();
        continue;
      }
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

namespace {
struct Pending {
  int threads;
  std::function<bool()> cancelled;
  std::function<void(int)> work;
  std::function<void()> after;
};

// One thread takes submitted calls in order and waits for each one's lease, so that calls waiting
// for the budget hold no compute thread (compute threads never outnumber leased threads).
class Dispatcher {
 public:
  void submit(Pending p) {
    std::lock_guard<std::mutex> lock(mu_);
    // Fast path: nobody is in line (queued, or taken and waiting for its lease) and the lease is
    // free now: hand the call to a compute thread from here. Order is kept: a call only skips the
    // dispatcher when no earlier call is still waiting for it.
    if (queue_.empty() && waiting_ == 0 && !p.cancelled()) {
      const int granted = ThreadBudget::global().try_acquire(p.threads);
      if (granted > 0) {
        if (ComputeThread* t = compute_pool().claim()) {
          hand_over(std::move(p), granted, t);
          return;
        }
        ThreadBudget::global().release(granted);
      }
    }
    if (!started_) {
      std::thread(&Dispatcher::loop, this).detach();  // may throw std::system_error
      started_ = true;
    }
    queue_.push_back(std::move(p));
    cv_.notify_one();
  }

 private:
  // Runs p's work on t (or here, when t is null) with its lease, then releases both.
  static void hand_over(Pending p, int granted, ComputeThread* t) {
    ComputePool& pool = compute_pool();
    auto body = [p = std::move(p), granted, t, &pool]() mutable {
      try {
        p.work(granted);
      } catch (...) {
      }
      if (granted > 0) ThreadBudget::global().release(granted);
      if (t) pool.release(t);
      try {
        p.after();
      } catch (...) {
      }
    };
    if (t == nullptr) {
      body();  // cancelled before it started, or no thread to be had: run it here
      return;
    }
    std::lock_guard<std::mutex> lock(t->mu);
    t->owned = std::move(body);
    t->cv.notify_all();
  }

  void loop() {
    for (;;) {
      Pending p;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return !queue_.empty(); });
        p = std::move(queue_.front());
        queue_.pop_front();
        ++waiting_;
      }
      const int granted = p.cancelled() ? 0 : ThreadBudget::global().acquire(p.threads, p.cancelled);
      ComputeThread* t = granted > 0 ? compute_pool().claim() : nullptr;
      {
        std::lock_guard<std::mutex> lock(mu_);
        --waiting_;
      }
      hand_over(std::move(p), granted, t);
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;
  int waiting_ = 0;  // taken from the queue, lease not yet granted
  bool started_ = false;
};

Dispatcher& dispatcher() {
  static Dispatcher* d = new Dispatcher();  // never destroyed: its thread is detached
  return *d;
}
}  // namespace

void submit_compute(int threads, std::function<bool()> cancelled, std::function<void(int granted)> work,
                    std::function<void()> after) {
  dispatcher().submit(Pending{threads, std::move(cancelled), std::move(work), std::move(after)});
}

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
