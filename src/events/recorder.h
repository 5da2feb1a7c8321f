// Server-side counting of reader events (views by reader state, wall impressions,
// registrations, credits spent, gift-link opens, subscriptions started), per article
// and day in the publication's zone. Counts are summed in memory and written in one
// transaction every few seconds (and on flush()/destruction), so a page view never
// waits for a database write. Thread-safe.
#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>

#include "core/clock.h"
#include "store/store.h"

namespace events {

class Recorder {
 public:
  Recorder(store::EventStore& store, const core::Clock& clock, std::string timezone,
           int flush_seconds = 5);
  ~Recorder();
  void record(const std::string& kind, long long article_id, const std::string& reader_state);
  void flush();

 private:
  void run();

  store::EventStore& store_;
  const core::Clock& clock_;
  std::string timezone_;
  int flush_seconds_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::map<std::tuple<std::string, long long, std::string, std::string>, long long> pending_;
  std::thread thread_;
};

}  // namespace events
