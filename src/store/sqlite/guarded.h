// Turns a StoreError thrown by a write into a Result (internal to store/sqlite):
// write methods return Result, reads throw (see store/store.h).
#pragma once

#include <type_traits>

#include "core/result.h"
#include "store/store.h"

namespace store::sqlite {

// Runs `f` (returning void or a value) and wraps its outcome in a Result.
template <typename F>
auto guarded(F&& f) -> core::Result<decltype(f())> {
  try {
    if constexpr (std::is_void_v<decltype(f())>) {
      f();
      return {};
    } else {
      return f();
    }
  } catch (const StoreError& e) {
    return core::fail(core::ErrorCode::kUnavailable, e.what());
  }
}

// For bodies that already return a Result.
template <typename F>
auto guarded_result(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const StoreError& e) {
    return core::fail(core::ErrorCode::kUnavailable, e.what());
  }
}

}  // namespace store::sqlite
