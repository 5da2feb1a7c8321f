// Server-side counting of reader events (views by reader state, wall impressions,
// registrations, credits spent, gift-link opens, subscriptions started), per article
// and day in the publication's zone. Counts are summed in memory and written in one
// transaction every few seconds (and on flush()/destruction), so a page view never
// waits for a database write. Given a data folder, each event is also journalled there
// (events/journal.h), so a killed process loses no count: the next process on the folder
// stores them.
// Thread-safe.
#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>

#include "core/clock.h"
#include "events/journal.h"
#include "store/store.h"

namespace events {

class Recorder {
 public:
  // `data_dir` empty: no journal (counts of a killed process are lost).
  Recorder(store::EventStore& store, const core::Clock& clock, std::string timezone,
           int flush_seconds = 5, const std::string& data_dir = "");
  ~Recorder();
  void record(const std::string& kind, long long article_id, const std::string& reader_state);
  // Stores what was counted (and what an earlier, killed process journalled).
  void flush();

 private:
  void run();
  void store_orphans();
  void store_generations();

  store::EventStore& store_;
  const core::Clock& clock_;
  std::string timezone_;
  int flush_seconds_;
  unsigned long long id_;  // tells this recorder's cached day from another's
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::map<std::tuple<std::string, long long, std::string, std::string>, long long, std::less<>>
      pending_;
  std::unique_ptr<EventJournal> journal_;  // guarded by mu_
  std::mutex flush_mu_;                    // one flush at a time, generations in order
  std::vector<EventJournal::Generation> unstored_;  // guarded by flush_mu_
  std::vector<EventJournal::Orphan> orphans_;       // guarded by flush_mu_
  bool stored_any_ = false;  // a generation of this journal reached the store (flush_mu_)
  std::thread thread_;
};

}  // namespace events
