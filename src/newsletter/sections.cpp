#include "newsletter/sections.h"

#include <nlohmann/json.hpp>

#include "core/text.h"

namespace newsletter {

using nlohmann::json;

std::string to_json(const Sections& s) {
  json j = {{"intro", s.intro}, {"radar", s.radar}, {"ahead", s.ahead}};
  j["briefs"] = json::array();
  for (const auto& b : s.briefs) {
    j["briefs"].push_back({{"headline", b.headline},
                           {"take", b.take},
                           {"source_url", b.source_url},
                           {"source_name", b.source_name}});
  }
  if (s.items) {
    j["items"] = json::array();
    for (const auto& i : *s.items) j["items"].push_back({{"slug", i.slug}, {"note", i.note}});
  }
  return j.dump();
}

core::Result<void> validate(const Sections& s) {
  auto bad = [](const std::string& m) { return core::fail(core::ErrorCode::kInvalidInput, m); };
  if (s.intro.size() > 4000) return bad("Introduction: keep it under 4,000 characters.");
  if (s.briefs.size() > 20) return bad("Briefs: at most 20.");
  for (const auto& b : s.briefs) {
    if (b.headline.empty()) return bad("Briefs: each brief needs a headline.");
    if (b.headline.size() > 300 || b.take.size() > 2000) return bad("Briefs: '" + b.headline + "' is too long.");
    if (!b.source_url.empty() && !b.source_url.starts_with("https://") &&
        !b.source_url.starts_with("http://")) {
      return bad("Briefs: the source link of '" + b.headline + "' must start with https:// or http://.");
    }
    if (b.source_url.find_first_of(" \"<>") != std::string::npos) {
      return bad("Briefs: the source link of '" + b.headline + "' is not a valid address.");
    }
  }
  if (s.radar.size() > 30 || s.ahead.size() > 30) return bad("Lists: at most 30 lines each.");
  for (const auto* list : {&s.radar, &s.ahead}) {
    for (const auto& line : *list) {
      if (line.size() > 1000) return bad("Lists: keep each line under 1,000 characters.");
    }
  }
  return {};
}

core::Result<Sections> sections_from_json(std::string_view text) {
  Sections s;
  try {
    json j = json::parse(text);
    s.intro = j.value("intro", "");
    for (const auto& b : j.value("briefs", json::array())) {
      s.briefs.push_back({b.value("headline", ""), b.value("take", ""), b.value("source_url", ""),
                          b.value("source_name", "")});
    }
    s.radar = j.value("radar", std::vector<std::string>{});
    s.ahead = j.value("ahead", std::vector<std::string>{});
    if (j.contains("items") && j["items"].is_array()) {
      s.items.emplace();
      for (const auto& i : j["items"]) s.items->push_back({i.value("slug", ""), i.value("note", "")});
    }
  } catch (const json::exception& e) {
    return core::fail(core::ErrorCode::kInvalidInput, std::string("edition draft: ") + e.what());
  }
  if (auto ok = validate(s); !ok) return std::unexpected(ok.error());
  return s;
}

}  // namespace newsletter
