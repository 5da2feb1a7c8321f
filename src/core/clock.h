// The clock is injected so tests can move time (month boundaries, schedules).
// Times are Unix seconds in UTC throughout; time zones apply only at the edges.
#pragma once

#include <cstdint>

namespace core {

using UnixTime = std::int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual UnixTime now() const = 0;
};

class SystemClock final : public Clock {
 public:
  UnixTime now() const override;
};

// A clock a test sets by hand. Not thread-safe for concurrent set/now.
class FixedClock final : public Clock {
 public:
  explicit FixedClock(UnixTime t) : t_(t) {}
  UnixTime now() const override { return t_; }
  void set(UnixTime t) { t_ = t; }

 private:
  UnixTime t_;
};

}  // namespace core
