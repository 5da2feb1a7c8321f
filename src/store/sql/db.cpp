#include "store/sql/db.h"

#include <chrono>
#include <random>
#include <thread>

namespace store::sql {

void retry_pause(int attempt) {
  thread_local std::minstd_rand rng(std::random_device{}());
  int ceiling_us = std::min(50000, 500 << std::min(attempt, 7));
  std::uniform_int_distribution<int> pause(0, ceiling_us);
  std::this_thread::sleep_for(std::chrono::microseconds(pause(rng)));
}

}  // namespace store::sql
