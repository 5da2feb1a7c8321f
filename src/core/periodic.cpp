#include "core/periodic.h"

#include <algorithm>
#include <cstdio>
#include <exception>

namespace core {

Periodic::Periodic(std::string name, std::chrono::milliseconds interval, std::function<bool()> work,
                   std::chrono::milliseconds max_backoff)
    : name_(std::move(name)),
      interval_(interval),
      max_backoff_(std::max(max_backoff, interval)),
      work_(std::move(work)) {}

Periodic::~Periodic() { stop(); }

void Periodic::start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable() || stop_) return;
  thread_ = std::thread([this] { run(); });
}

void Periodic::stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void Periodic::wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

bool Periodic::stopping() const {
  std::lock_guard lock(mu_);
  return stop_;
}

void Periodic::run() {
  auto backoff = interval_;
  for (;;) {
    bool ok = false;
    try {
      ok = work_();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "meridian: %s: %s (trying again later)\n", name_.c_str(), e.what());
    } catch (...) {
      std::fprintf(stderr, "meridian: %s: failed (trying again later)\n", name_.c_str());
    }
    // After a failure: the current back-off, and twice that next time; after a success,
    // the interval again.
    auto wait = ok ? interval_ : backoff;
    backoff = ok ? interval_ : std::min<std::chrono::milliseconds>(backoff * 2, max_backoff_);
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, wait, [this] { return stop_ || woken_; });
    woken_ = false;
    if (stop_) return;
  }
}

}  // namespace core
