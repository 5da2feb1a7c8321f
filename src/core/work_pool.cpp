#include "core/work_pool.h"

#include <cstdio>
#include <exception>

namespace core {

WorkPool::WorkPool(std::string name, int threads, std::size_t queue_limit)
    : name_(std::move(name)), workers_(static_cast<std::size_t>(threads)), queue_limit_(queue_limit) {
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
}

WorkPool::~WorkPool() { shutdown(); }

void WorkPool::shutdown() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  std::lock_guard join_lock(join_mu_);
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

bool WorkPool::try_post(std::function<void()> job) {
  {
    std::lock_guard lock(mu_);
    // Room for one job per worker plus `queue_limit` waiting.
    if (stop_ || queue_.size() + running_ >= workers_ + queue_limit_) return false;
    queue_.push_back(std::move(job));
  }
  cv_.notify_one();
  return true;
}

std::size_t WorkPool::pending() const {
  std::lock_guard lock(mu_);
  return queue_.size() + running_;
}

void WorkPool::wait_idle() {
  std::unique_lock lock(mu_);
  idle_.wait(lock, [&] { return queue_.empty() && running_ == 0; });
}

void WorkPool::run() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to do
      job = std::move(queue_.front());
      queue_.pop_front();
      ++running_;
    }
    try {
      job();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "meridian: %s job failed: %s\n", name_.c_str(), e.what());
    } catch (...) {
      std::fprintf(stderr, "meridian: %s job failed\n", name_.c_str());
    }
    std::lock_guard lock(mu_);
    if (--running_ == 0 && queue_.empty()) idle_.notify_all();
  }
}

}  // namespace core
