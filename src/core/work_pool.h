// A fixed set of worker threads with a bounded queue, for work that must not hold up the
// threads that serve pages (password hashing) or the request that asked for it (account
// mail). try_post refuses rather than letting the queue grow: the caller answers "busy"
// (429) or drops a best-effort job. A job that throws is logged and the worker carries
// on. Thread-safe; the destructor runs what is queued, then joins.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace core {

class WorkPool {
 public:
  WorkPool(std::string name, int threads, std::size_t queue_limit);
  ~WorkPool();
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  // False (and `job` not run) when every worker is busy and `queue_limit` jobs already wait.
  bool try_post(std::function<void()> job);
  // Jobs waiting or running.
  std::size_t pending() const;
  // Blocks until nothing waits or runs.
  void wait_idle();
  // Runs what is queued, then stops the workers; try_post refuses from now on. Idempotent.
  void shutdown();

 private:
  void run();

  std::string name_;
  const std::size_t workers_;
  const std::size_t queue_limit_;
  mutable std::mutex mu_;
  std::mutex join_mu_;
  std::condition_variable cv_;
  std::condition_variable idle_;
  std::deque<std::function<void()>> queue_;
  std::size_t running_ = 0;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace core
