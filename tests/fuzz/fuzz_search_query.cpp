// The reader's search language: words, "phrases", -exclusions, prefix*.
#include <cstdint>
#include <string>

#include "search/query.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)search::parse_query(std::string(reinterpret_cast<const char*>(data), size));
  return 0;
}
