#include "content/recut.h"

#include <chrono>
#include <cstdio>

namespace content {

Recut::Recut(ContentService& content, store::ContentStore& store, int paragraphs)
    : content_(content), store_(store), paragraphs_(paragraphs) {}

Recut::~Recut() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Recut::start() {
  int total = store_.count_cut_otherwise(paragraphs_);
  if (total == 0 || thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    progress_ = Progress{true, 0, total, ""};
  }
  std::fprintf(stderr, "meridian: cutting %d teasers again at %d paragraphs, in the background\n",
               total, paragraphs_);
  thread_ = std::thread([this] { run(); });
}

Recut::Progress Recut::progress() const {
  std::lock_guard lock(mu_);
  return progress_;
}

void Recut::wait() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return !progress_.running; });
}

void Recut::run() {
  auto backoff = std::chrono::seconds(1);
  for (;;) {
    std::string error;
    std::size_t did = 0;
    try {
      auto batch = store_.cut_otherwise(paragraphs_, static_cast<int>(ContentService::kImportBatch));
      if (batch.empty()) {
        std::lock_guard lock(mu_);
        progress_.running = false;
        progress_.error.clear();
        cv_.notify_all();
        std::fprintf(stderr, "meridian: teasers cut again (%d articles)\n", progress_.done);
        return;
      }
      if (auto r = content_.import_articles(batch); !r) {
        error = r.error().message;
      } else {
        did = batch.size();
      }
    } catch (const std::exception& e) {
      error = e.what();
    }
    std::unique_lock lock(mu_);
    progress_.done += static_cast<int>(did);
    progress_.error = error;
    if (!error.empty()) {
      std::fprintf(stderr, "meridian: cutting teasers: %s (trying again)\n", error.c_str());
      cv_.wait_for(lock, backoff, [this] { return stop_; });
      backoff = std::min<std::chrono::seconds>(backoff * 2, std::chrono::minutes(5));
    } else {
      backoff = std::chrono::seconds(1);
    }
    if (stop_) {
      progress_.running = false;
      cv_.notify_all();
      return;
    }
  }
}

}  // namespace content
