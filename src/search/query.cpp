#include "search/query.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

#include "core/text.h"
#include "search/search.h"

namespace search {

namespace {

// A short English list: words that carry no topic on their own.
constexpr std::array<std::string_view, 64> kStopWords = {
    "a", "about", "after", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been",
    "but", "by", "can", "could", "did", "do", "does", "for", "from", "had", "has", "have", "how",
    "i", "if", "in", "into", "is", "it", "its", "may", "more", "most", "must", "no", "not", "of",
    "on", "or", "other", "should", "so", "such", "than", "that", "the", "their", "then", "there",
    "these", "they", "this", "to", "was", "were", "what", "when", "which", "with"};

// Splits text into lower-case word tokens the way the index tokenizer does (letters and
// digits; everything else separates), folding common accents.
std::vector<std::string> words_of(std::string_view s) {
  // Apostrophes separate words here, as they do in the index ("d'Ivoire" -> d, ivoire).
  std::string spaced(s);
  for (std::size_t k = 0; k < spaced.size(); ++k) {
    if (spaced[k] == '\'') spaced[k] = ' ';
    if (spaced.compare(k, 3, "\xE2\x80\x99") == 0) spaced.replace(k, 3, "   ");
  }
  std::vector<std::string> out;
  for (const auto& piece : core::split(core::slugify(spaced), '-')) {
    if (!piece.empty()) out.push_back(piece);
  }
  return out;
}

}  // namespace

bool is_stop_word(std::string_view word) {
  return std::find(kStopWords.begin(), kStopWords.end(), word) != kStopWords.end();
}

core::Result<ParsedQuery> parse_query(std::string_view text) {
  if (text.size() > kMaxQueryBytes) {
    return core::fail(core::ErrorCode::kInvalidInput,
                      "That search is too long. Please use fewer than " +
                          std::to_string(kMaxQueryBytes) + " characters.");
  }
  if (!core::valid_utf8(text)) {
    return core::fail(core::ErrorCode::kInvalidInput, "That search contains invalid characters.");
  }
  ParsedQuery q;
  std::vector<Term> stop_words;
  std::size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
      continue;
    }
    bool negated = false;
    if (c == '-' && i + 1 < text.size() && text[i + 1] != ' ') {
      negated = true;
      ++i;
      c = text[i];
    }
    if (c == '"') {
      auto end = text.find('"', i + 1);
      std::string_view inner =
          text.substr(i + 1, end == std::string_view::npos ? std::string_view::npos : end - i - 1);
      i = end == std::string_view::npos ? text.size() : end + 1;
      auto words = words_of(inner);
      if (words.empty()) continue;
      if (negated) {
        q.excluded.push_back(words);
      } else if (words.size() == 1) {
        q.words.push_back({words[0], false});
      } else {
        q.phrases.push_back(words);
      }
      continue;
    }
    std::size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t' && text[i] != '\n' &&
           text[i] != '\r' && text[i] != '"') {
      ++i;
    }
    std::string_view token = text.substr(start, i - start);
    bool prefix = token.size() > 1 && token.back() == '*';
    auto words = words_of(token);
    if (words.empty()) continue;
    if (negated) {
      q.excluded.push_back(words);
      continue;
    }
    // "two-dimensional": its words, each optional; proximity ranking rewards them together.
    if (words.size() > 1) {
      for (const auto& w : words) {
        if (w.size() > 1 && !is_stop_word(w)) q.words.push_back({w, false});
      }
      continue;
    }
    Term t{words[0], prefix && words[0].size() >= 2};
    if (!t.prefix && is_stop_word(t.text)) {
      stop_words.push_back(t);
    } else {
      q.words.push_back(t);
    }
  }
  if (q.words.empty() && q.phrases.empty()) q.words = stop_words;  // "the who"
  // Drop repeats, cap the size.
  std::vector<Term> unique;
  for (auto& w : q.words) {
    bool seen = false;
    for (auto& u : unique) seen = seen || (u.text == w.text && u.prefix == w.prefix);
    if (!seen) unique.push_back(w);
  }
  q.words = std::move(unique);
  if (q.words.size() > kMaxTerms) q.words.resize(kMaxTerms);
  if (q.phrases.size() > 8) q.phrases.resize(8);
  if (q.excluded.size() > 8) q.excluded.resize(8);
  if (q.empty()) {
    if (!q.excluded.empty()) {
      return core::fail(core::ErrorCode::kInvalidInput,
                        "Add at least one word to look for, not only words to leave out.");
    }
    return core::fail(core::ErrorCode::kInvalidInput, "Type a word or two to search for.");
  }
  return q;
}

std::string RankParams::invalid() const {
  struct Knob {
    const char* name;
    double value, lo, hi;
  };
  const Knob knobs[] = {
      {"k1", k1, 0.01, 10},
      {"b", b, 0, 1},
      {"headline", w_headline, 0, 100},
      {"dek", w_dek, 0, 100},
      {"body", w_body, 0, 100},
      {"people", w_people, 0, 100},
      {"places", w_places, 0, 100},
      {"coverage", coverage, 0, 10},
      {"feedback_docs", static_cast<double>(feedback_docs), 0, 100},
      {"feedback_terms", static_cast<double>(feedback_terms), 0, 50},
      {"feedback_weight", feedback_weight, 0, 10},
      {"feedback_max_hits", static_cast<double>(feedback_max_hits), 0, 1000000},
      {"feedback_depth", static_cast<double>(feedback_depth), 0, 1000},
      {"proximity", proximity, 0, 100},
  };
  for (const auto& k : knobs) {
    if (!std::isfinite(k.value) || k.value < k.lo || k.value > k.hi) {
      std::ostringstream out;
      out << k.name << " must be a number from " << k.lo << " to " << k.hi;
      return out.str();
    }
  }
  return {};
}

RankParams rank_params_from_env() {
  RankParams p;
  const char* env = std::getenv("MERIDIAN_RANK");
  if (!env) return p;
  auto number = [](const std::string& item) {
    double v = 0;
    auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
    if (ec != std::errc() || end != item.data() + item.size()) {
      throw std::invalid_argument("MERIDIAN_RANK: '" + item + "' is not a number");
    }
    return v;
  };
  auto whole = [&](const std::string& item) {
    double v = number(item);
    if (v != std::floor(v) || std::fabs(v) > 1e9) {
      throw std::invalid_argument("MERIDIAN_RANK: '" + item + "' is not a whole number");
    }
    return static_cast<int>(v);
  };
  std::stringstream ss(env);
  double* fields[] = {&p.k1, &p.b, &p.w_headline, &p.w_dek, &p.w_body, &p.w_people, &p.w_places,
                      &p.coverage};
  std::string item;
  for (double* f : fields) {
    if (!std::getline(ss, item, ',')) break;
    *f = number(item);
  }
  if (std::getline(ss, item, ',')) p.feedback_docs = whole(item);
  if (std::getline(ss, item, ',')) p.feedback_terms = whole(item);
  if (std::getline(ss, item, ',')) p.feedback_weight = number(item);
  if (std::getline(ss, item, ',')) p.proximity = number(item);
  if (std::getline(ss, item, ',')) throw std::invalid_argument("MERIDIAN_RANK: too many values");
  if (auto why = p.invalid(); !why.empty()) throw std::invalid_argument("MERIDIAN_RANK: " + why);
  return p;
}

}  // namespace search
