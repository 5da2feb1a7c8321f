// Result and error types used at every module boundary.
// Errors carry a small domain code; only src/web maps codes to HTTP statuses.
#pragma once

#include <expected>
#include <string>
#include <utility>

namespace core {

// kRateLimited: refused for now because of too many attempts (HTTP 429), unlike
// kForbidden, which will not change by waiting.
enum class ErrorCode {
  kNotFound,
  kInvalidInput,
  kConflict,
  kForbidden,
  kRateLimited,
  kUnavailable,
  kInternal
};

struct Error {
  ErrorCode code;
  std::string message;
};

template <typename T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(ErrorCode code, std::string message) {
  return std::unexpected<Error>(Error{code, std::move(message)});
}

const char* to_string(ErrorCode code);

}  // namespace core
