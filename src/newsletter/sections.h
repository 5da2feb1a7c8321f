// What editors add to an edition at the newsletter desk: briefs on the day's news with
// the publication's take and a source link, "On our radar", the weekly "What's to come",
// an introduction, and the order and notes of the automatic items. Stored as JSON with
// the edition's draft. Plain values and pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace newsletter {

struct Brief {
  std::string headline;
  std::string take;        // the publication's view, a sentence or two
  std::string source_url;  // http(s) only
  std::string source_name;
};

struct ItemNote {
  std::string slug;
  std::string note;  // shown under the item
};

struct Sections {
  std::string intro;
  std::vector<Brief> briefs;
  std::vector<std::string> radar;  // "On our radar": one line each
  std::vector<std::string> ahead;  // "What's to come" (weekly): one line each
  // The automatic items in the editor's order, with notes; nullopt: automatic order.
  std::optional<std::vector<ItemNote>> items;
  bool empty() const {
    return intro.empty() && briefs.empty() && radar.empty() && ahead.empty() && !items;
  }
};

std::string to_json(const Sections& s);
// kInvalidInput naming the problem (a source link that is not http(s), too long text).
core::Result<Sections> sections_from_json(std::string_view json);
// Checks what an editor typed (used by both the desk and from_json).
core::Result<void> validate(const Sections& s);

}  // namespace newsletter
