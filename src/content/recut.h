// Cutting teasers again after the teaser setting changes, in the background: batches of
// ContentService::kImportBatch articles, each its own transaction, so neither a request
// thread nor other writers wait on it. It works on whatever was cut with another setting
// (articles.cut_paragraphs), so it resumes where it stopped after a restart or failure,
// and a mix of cuts never lasts. Pages serve an article's old cut until its batch commits.
// Owns one thread; thread-safe.
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "content/service.h"
#include "store/store.h"

namespace content {

class Recut {
 public:
  struct Progress {
    bool running = false;
    int done = 0;
    int total = 0;
    std::string error;  // the last failure, while it retries
  };

  // `content` renders with the current teaser setting, `paragraphs`.
  Recut(ContentService& content, store::ContentStore& store, int paragraphs);
  ~Recut();  // stops after the batch in hand

  // Starts the thread when some article was cut otherwise; else nothing.
  void start();
  Progress progress() const;
  // Blocks until the work is done (tests).
  void wait();

 private:
  void run();

  ContentService& content_;
  store::ContentStore& store_;
  int paragraphs_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  Progress progress_;
  std::thread thread_;
};

}  // namespace content
