// Background work on its own thread: `work` runs at start, then every `interval` (at once
// after wake()), until stop(). A round that throws is logged under `name` and counts as a
// failure, as does one that returns false: the next waits twice as long each time, up to
// `max_backoff`, then the interval again after a success. The thread never dies of a
// failing round. The one shape of the server's background loops (billing housekeeping,
// scheduled backups, webhooks, scheduled newsletters). Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace core {

class Periodic {
 public:
  Periodic(std::string name, std::chrono::milliseconds interval, std::function<bool()> work,
           std::chrono::milliseconds max_backoff = std::chrono::milliseconds(0));
  ~Periodic();  // stops
  Periodic(const Periodic&) = delete;
  Periodic& operator=(const Periodic&) = delete;

  void start();  // once; later calls do nothing
  void stop();   // waits for the round in progress; idempotent
  void wake();   // the next round now (work arrived)
  bool stopping() const;
  bool running() const { return thread_.joinable(); }

 private:
  void run();

  std::string name_;
  std::chrono::milliseconds interval_, max_backoff_;
  std::function<bool()> work_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool woken_ = false;
  std::thread thread_;
};

}  // namespace core
