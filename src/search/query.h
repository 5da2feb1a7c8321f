// The reader's search language, parsed into a backend-neutral form:
//   words            all preferred, none required (ranking rewards matching more of them)
//   "exact phrase"   must appear as written (after stemming)
//   -word, -"phrase" must not appear
//   word*            prefix
// Stop words are dropped from plain words (not from phrases) unless nothing else is left.
// Pure and thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace search {

struct Term {
  std::string text;  // lower-case letters and digits; words joined by single spaces form a phrase
  bool prefix = false;
};

struct ParsedQuery {
  std::vector<Term> words;                     // optional, ranked by how many match
  std::vector<std::vector<std::string>> phrases;  // required
  std::vector<std::vector<std::string>> excluded; // each a word or a phrase
  bool empty() const { return words.empty() && phrases.empty(); }
};

inline constexpr std::size_t kMaxQueryBytes = 512;
inline constexpr std::size_t kMaxTerms = 32;

// kInvalidInput with a reader-facing message for queries that cannot be searched
// (too long, only exclusions, nothing searchable).
core::Result<ParsedQuery> parse_query(std::string_view text);

bool is_stop_word(std::string_view word);

}  // namespace search
