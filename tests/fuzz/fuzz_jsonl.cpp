// Meridian's JSON Lines import, and the member CSV import.
#include <cstdint>
#include <string_view>

#include "accounts/members_csv.h"
#include "importers/jsonl.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto file = importers::parse_jsonl(text)) {
    for (const auto& a : file->articles) (void)importers::to_jsonl_line(a);
  }
  (void)accounts::parse_members_csv(text);
  return 0;
}
