// The bounded worker pool behind password checks and account mail.
#include "core/work_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

TEST(WorkPool, RefusesBeyondItsWorkersAndQueue) {
  core::WorkPool pool("test", 1, 1);
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::atomic<int> ran{0};
  auto job = [&] {
    gate.wait();
    ++ran;
  };
  EXPECT_TRUE(pool.try_post(job));   // the worker's
  EXPECT_TRUE(pool.try_post(job));   // the one waiting
  EXPECT_FALSE(pool.try_post(job));  // refused, not queued
  release.set_value();
  pool.wait_idle();
  EXPECT_EQ(ran.load(), 2);
  EXPECT_TRUE(pool.try_post(job));  // room again
  pool.wait_idle();
  EXPECT_EQ(ran.load(), 3);
}

TEST(WorkPool, AThrowingJobDoesNotStopTheWorker) {
  core::WorkPool pool("test", 1, 4);
  std::atomic<int> ran{0};
  EXPECT_TRUE(pool.try_post([] { throw std::runtime_error("database is locked"); }));
  EXPECT_TRUE(pool.try_post([&] { ++ran; }));
  pool.wait_idle();
  EXPECT_EQ(ran.load(), 1);
}

TEST(WorkPool, ShutdownRunsWhatIsQueuedThenRefuses) {
  std::atomic<int> ran{0};
  core::WorkPool pool("test", 1, 10);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(pool.try_post([&] { ++ran; }));
  pool.shutdown();
  EXPECT_EQ(ran.load(), 5);
  EXPECT_FALSE(pool.try_post([&] { ++ran; }));
  pool.shutdown();  // idempotent
}
