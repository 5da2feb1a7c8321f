#include "events/recorder.h"

#include <atomic>
#include <cstdio>

#include "core/time.h"

namespace events {

namespace {
std::atomic<unsigned long long> recorders{0};
}  // namespace

Recorder::Recorder(store::EventStore& store, const core::Clock& clock, std::string timezone,
                   int flush_seconds, const std::string& data_dir)
    : store_(store), clock_(clock), timezone_(std::move(timezone)), flush_seconds_(flush_seconds),
      id_(++recorders) {
  if (!data_dir.empty()) journal_ = EventJournal::open(data_dir);
  thread_ = std::thread([this] { run(); });
}

Recorder::~Recorder() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
  flush();
  std::lock_guard serial(flush_mu_);
  std::lock_guard lock(mu_);
  // All stored: the journal goes; else it stays for the next process to store.
  if (journal_ && unstored_.empty() && pending_.empty()) {
    journal_->retire();
    if (stored_any_) store_.forget_event_source(journal_->source());
  }
}

void Recorder::record(const std::string& kind, long long article_id,
                      const std::string& reader_state) {
  // The day in the publication's zone, worked out once a second per thread.
  thread_local unsigned long long for_recorder = 0;
  thread_local core::UnixTime for_second = 0;
  thread_local char day[16];
  auto now = clock_.now();
  if (for_recorder != id_ || for_second != now) {
    auto d = core::local_date(now, timezone_);
    std::snprintf(day, sizeof day, "%04d-%02u-%02u", d.year, d.month, d.day);
    for_recorder = id_;
    for_second = now;
  }
  std::string_view day_view(day);
  std::lock_guard lock(mu_);
  // Looked up without building the key's strings; they are made once, for a new key.
  auto key = std::make_tuple(day_view, article_id, std::string_view(kind),
                             std::string_view(reader_state));
  auto it = pending_.lower_bound(key);
  if (it == pending_.end() || it->first != key) {
    it = pending_.emplace_hint(it, std::make_tuple(std::string(day_view), article_id, kind,
                                                   reader_state), 0);
  }
  ++it->second;
  if (journal_) journal_->append(day_view, article_id, kind, reader_state);
}

void Recorder::flush() {
  std::lock_guard serial(flush_mu_);
  std::vector<store::EventCount> batch;
  bool journalled = false;
  {
    std::lock_guard lock(mu_);
    for (const auto& [key, count] : pending_) {
      batch.push_back({std::get<0>(key), std::get<1>(key), std::get<2>(key), std::get<3>(key),
                       count});
    }
    pending_.clear();
    if (journal_ && !batch.empty()) {
      // The generation closes with exactly the counts taken: later events go to the next.
      unstored_.push_back(journal_->rotate());
      unstored_.back().counts = std::move(batch);
      journalled = true;
    }
  }
  if (journal_) {
    // Journals of processes that ended since (a killed command beside the server).
    for (auto& o : journal_->take_orphans()) orphans_.push_back(std::move(o));
  }
  if (!orphans_.empty()) store_orphans();
  if (journalled || !unstored_.empty()) {
    store_generations();
    return;
  }
  if (batch.empty()) return;
  if (auto ok = store_.add_events(batch); !ok) {
    std::fprintf(stderr, "meridian: could not record events: %s\n", ok.error().message.c_str());
    std::lock_guard lock(mu_);  // keep them for the next attempt
    for (const auto& e : batch) pending_[{e.day, e.article_id, e.kind, e.reader_state}] += e.count;
  }
}

void Recorder::store_orphans() {  // with flush_mu_ held
  std::size_t done = 0;
  for (; done < orphans_.size(); ++done) {
    auto& o = orphans_[done];
    std::size_t stored = 0;
    for (; stored < o.generations.size(); ++stored) {
      const auto& g = o.generations[stored];
      // Each once: the store skips a generation of the source it already holds.
      if (auto ok = store_.add_events_once(g.counts, o.source, g.number); !ok) {
        std::fprintf(stderr, "meridian: could not record events: %s (kept for the next attempt)\n",
                     ok.error().message.c_str());
        break;
      }
      EventJournal::stored(g);
    }
    o.generations.erase(o.generations.begin(),
                        o.generations.begin() + static_cast<std::ptrdiff_t>(stored));
    if (!o.generations.empty()) break;
    o.remove();
    store_.forget_event_source(o.source);
  }
  orphans_.erase(orphans_.begin(), orphans_.begin() + static_cast<std::ptrdiff_t>(done));
}

void Recorder::store_generations() {  // with flush_mu_ held
  std::size_t done = 0;
  std::string source;
  {
    std::lock_guard lock(mu_);
    if (journal_) source = journal_->source();
  }
  for (; done < unstored_.size(); ++done) {
    const auto& g = unstored_[done];
    // In order, each once: the store skips a generation of this source it already holds.
    auto ok = store_.add_events_once(g.counts, source, g.number);
    if (!ok) {
      std::fprintf(stderr, "meridian: could not record events: %s (kept for the next attempt)\n",
                   ok.error().message.c_str());
      break;
    }
    stored_any_ = true;
    EventJournal::stored(g);
  }
  unstored_.erase(unstored_.begin(), unstored_.begin() + static_cast<std::ptrdiff_t>(done));
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
