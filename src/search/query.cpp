#include "search/query.h"

#include <cstdlib>
#include <sstream>

#include "search/search.h"

#include <algorithm>
#include <array>

#include "core/text.h"

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

RankParams rank_params_from_env() {
  RankParams p;
  const char* env = std::getenv("MERIDIAN_RANK");
  if (!env) return p;
  std::stringstream ss(env);
  double* fields[] = {&p.k1, &p.b, &p.w_headline, &p.w_dek, &p.w_body, &p.w_people, &p.w_places,
                      &p.coverage};
  std::string item;
  for (double* f : fields) {
    if (!std::getline(ss, item, ',')) return p;
    *f = std::atof(item.c_str());
  }
  if (std::getline(ss, item, ',')) p.feedback_docs = std::atoi(item.c_str());
  if (std::getline(ss, item, ',')) p.feedback_terms = std::atoi(item.c_str());
  if (std::getline(ss, item, ',')) p.feedback_weight = std::atof(item.c_str());
  if (std::getline(ss, item, ',')) p.proximity = std::atof(item.c_str());
  return p;
}

}  // namespace search
