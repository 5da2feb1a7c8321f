#include "search/snippet.h"

#include <algorithm>
#include <unordered_map>
#include <vector>

namespace search {

namespace {

struct Tok {
  std::string stem;
  int start = 0, end = 0;
  int item = -1;  // which query word or phrase it belongs to, -1 for none
};

}  // namespace

std::string make_snippet(Engine& engine, const ParsedQuery& query, std::string_view text, int window) {
  if (text.empty()) return {};
  // The query's items in the index's analysis: words (a word may analyse into several
  // stems, any of which marks it), prefixes, and phrases as stem sequences.
  std::unordered_map<std::string, int> word_item;
  std::vector<std::pair<std::string, int>> prefixes;
  std::vector<std::vector<std::string>> phrases;
  int items = 0;
  for (const auto& w : query.words) {
    if (w.prefix) {
      prefixes.emplace_back(w.text, items++);
      continue;
    }
    bool any = false;
    engine.tokenize(w.text, [&](std::string_view stem, int, int) {
      word_item.emplace(std::string(stem), items);
      any = true;
    });
    items += any;
  }
  for (const auto& p : query.phrases) {
    std::vector<std::string> stems;
    for (const auto& word : p) {
      engine.tokenize(word, [&](std::string_view stem, int, int) { stems.emplace_back(stem); });
    }
    if (!stems.empty()) phrases.push_back(std::move(stems));
  }
  const int phrase_base = items;
  items += static_cast<int>(phrases.size());

  std::vector<Tok> toks;
  engine.tokenize(text, [&](std::string_view stem, int start, int end) {
    Tok t{std::string(stem), start, end, -1};
    if (auto it = word_item.find(t.stem); it != word_item.end()) {
      t.item = it->second;
    } else {
      for (const auto& [prefix, item] : prefixes) {
        if (t.stem.starts_with(prefix)) {
          t.item = item;
          break;
        }
      }
    }
    toks.push_back(std::move(t));
  });
  if (toks.empty()) return {};
  for (std::size_t p = 0; p < phrases.size(); ++p) {
    const auto& stems = phrases[p];
    for (std::size_t i = 0; i + stems.size() <= toks.size(); ++i) {
      bool match = true;
      for (std::size_t k = 0; k < stems.size() && match; ++k) match = toks[i + k].stem == stems[k];
      if (!match) continue;
      for (std::size_t k = 0; k < stems.size(); ++k) toks[i + k].item = phrase_base + static_cast<int>(p);
    }
  }
  // The best window: most distinct items, then most matching tokens, then the earliest;
  // each candidate starts a few tokens before a match, for context.
  const std::size_t n = toks.size();
  const std::size_t w = static_cast<std::size_t>(std::max(window, 1));
  std::size_t best_start = 0;
  long best_score = -1;
  std::vector<char> seen(static_cast<std::size_t>(std::max(items, 1)));
  for (std::size_t i = 0; i < n; ++i) {
    if (toks[i].item < 0) continue;
    std::size_t start = i >= 5 ? i - 5 : 0;
    if (start + w > n) start = n > w ? n - w : 0;
    std::fill(seen.begin(), seen.end(), 0);
    long distinct = 0, hits = 0;
    for (std::size_t k = start; k < std::min(n, start + w); ++k) {
      int item = toks[k].item;
      if (item < 0) continue;
      ++hits;
      if (!seen[static_cast<std::size_t>(item)]) {
        seen[static_cast<std::size_t>(item)] = 1;
        ++distinct;
      }
    }
    long score = distinct * 1000 + hits;
    if (score > best_score) {
      best_score = score;
      best_start = start;
    }
  }
  const std::size_t end = std::min(n, best_start + w);
  std::string out;
  if (best_start > 0) out += "…";
  std::size_t pos = static_cast<std::size_t>(toks[best_start].start);
  for (std::size_t k = best_start; k < end; ++k) {
    const auto& t = toks[k];
    out.append(text.substr(pos, static_cast<std::size_t>(t.start) - pos));
    std::string_view word = text.substr(static_cast<std::size_t>(t.start), static_cast<std::size_t>(t.end - t.start));
    if (t.item >= 0) {
      out += '\x01';
      out.append(word);
      out += '\x02';
    } else {
      out.append(word);
    }
    pos = static_cast<std::size_t>(t.end);
  }
  if (end < n) out += "…";
  return out;
}

}  // namespace search
