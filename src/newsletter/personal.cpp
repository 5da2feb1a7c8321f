#include "newsletter/personal.h"

#include <algorithm>
#include <charconv>

namespace newsletter {

namespace {

// Control characters that never occur in composed text (every field is checked as text
// without control characters before it is stored).
constexpr char kOpen = '\x1e';
constexpr char kEndIds = '\x1f';
constexpr char kClose = '\x1d';

bool carries(std::string_view ids, const std::vector<long long>& followed) {
  while (!ids.empty()) {
    auto comma = ids.find(',');
    std::string_view one = ids.substr(0, comma);
    long long id = 0;
    auto [p, ec] = std::from_chars(one.data(), one.data() + one.size(), id);
    if (ec == std::errc() && std::find(followed.begin(), followed.end(), id) != followed.end()) {
      return true;
    }
    if (comma == std::string_view::npos) break;
    ids.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

std::string item_open(const std::vector<long long>& term_ids) {
  std::string out(1, kOpen);
  for (std::size_t i = 0; i < term_ids.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(term_ids[i]);
  }
  out += kEndIds;
  return out;
}

std::string item_close() { return std::string(1, kClose); }

std::string reorder(const std::string& body, const std::vector<long long>& followed) {
  if (body.find(kOpen) == std::string::npos) return body;
  std::string out;
  out.reserve(body.size());
  std::size_t pos = 0;
  while (pos < body.size()) {
    std::size_t start = body.find(kOpen, pos);
    if (start == std::string::npos) {
      out.append(body, pos, std::string::npos);
      break;
    }
    out.append(body, pos, start - pos);
    // A run of items back to back: followed ones first, each group in order.
    std::string first, rest;
    std::size_t at = start;
    while (at < body.size() && body[at] == kOpen) {
      std::size_t ids_end = body.find(kEndIds, at);
      std::size_t close = ids_end == std::string::npos ? std::string::npos : body.find(kClose, ids_end);
      if (close == std::string::npos) {  // malformed: keep the text, drop the marks
        at = body.size();
        break;
      }
      std::string_view ids(body.data() + at + 1, ids_end - at - 1);
      std::string_view item(body.data() + ids_end + 1, close - ids_end - 1);
      (carries(ids, followed) ? first : rest).append(item);
      at = close + 1;
    }
    out += first;
    out += rest;
    pos = at;
  }
  std::erase_if(out, [](char c) { return c == kOpen || c == kEndIds || c == kClose; });
  return out;
}

store::Edition for_reader(const store::Edition& e, const std::vector<long long>& followed) {
  store::Edition out = e;
  out.text = reorder(e.text, followed);
  out.html = reorder(e.html, followed);
  return out;
}

}  // namespace newsletter
