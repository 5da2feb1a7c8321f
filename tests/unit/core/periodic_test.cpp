// The one background loop: a round at start, another on wake(), a throwing round logged
// and survived, and nothing after stop().
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "core/periodic.h"

namespace {

using namespace std::chrono_literals;

bool eventually(const std::function<bool()>& done) {
  for (int i = 0; i < 500; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return done();
}

TEST(Periodic, RunsAtStartAndWhenWokenAndSurvivesAThrowingRound) {
  std::atomic<int> rounds{0};
  core::Periodic loop("test loop", 1h, [&] {
    int n = ++rounds;
    if (n == 2) throw std::runtime_error("a bad round");
    return true;
  });
  loop.start();
  ASSERT_TRUE(eventually([&] { return rounds >= 1; }));
  loop.wake();  // the second round throws...
  ASSERT_TRUE(eventually([&] { return rounds >= 2; }));
  // ...and the thread carries on: a failed round waits its back-off (here the hour-long
  // interval), but work that arrives still wakes it.
  loop.wake();
  ASSERT_TRUE(eventually([&] { return rounds >= 3; }));
  loop.stop();
  int after = rounds;
  loop.wake();
  loop.start();  // stopped for good
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(rounds, after);
  EXPECT_TRUE(loop.stopping());
}

}  // namespace
