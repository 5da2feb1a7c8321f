#include "events/recorder.h"

#include <cstdio>

#include "core/time.h"

namespace events {

Recorder::Recorder(store::EventStore& store, const core::Clock& clock, std::string timezone,
                   int flush_seconds)
    : store_(store), clock_(clock), timezone_(std::move(timezone)), flush_seconds_(flush_seconds),
      thread_([this] { run(); }) {}

Recorder::~Recorder() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
  flush();
}

void Recorder::record(const std::string& kind, long long article_id,
                      const std::string& reader_state) {
  auto d = core::local_date(clock_.now(), timezone_);
  char day[16];
  std::snprintf(day, sizeof day, "%04d-%02u-%02u", d.year, d.month, d.day);
  std::lock_guard lock(mu_);
  ++pending_[{day, article_id, kind, reader_state}];
}

void Recorder::flush() {
  std::vector<store::EventCount> batch;
  {
    std::lock_guard lock(mu_);
    for (const auto& [key, count] : pending_) {
      batch.push_back({std::get<0>(key), std::get<1>(key), std::get<2>(key), std::get<3>(key),
                       count});
    }
    pending_.clear();
  }
  if (batch.empty()) return;
  if (auto ok = store_.add_events(batch); !ok) {
    std::fprintf(stderr, "meridian: could not record events: %s\n", ok.error().message.c_str());
    std::lock_guard lock(mu_);  // keep them for the next attempt
    for (const auto& e : batch) pending_[{e.day, e.article_id, e.kind, e.reader_state}] += e.count;
  }
}

void Recorder::run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, std::chrono::seconds(flush_seconds_));
    if (stop_) break;
    lock.unlock();
    try {
      flush();
    } catch (const std::exception& e) {  // counts stay pending for the next flush
      std::fprintf(stderr, "meridian: event recorder: %s\n", e.what());
    }
    lock.lock();
  }
}

}  // namespace events
