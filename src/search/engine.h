// What a storage backend provides for search. The policy — filters, facets, recency,
// pseudo-relevance feedback, paging, snippets from public text — is search::run
// (search/searcher.h), the same on every backend; an engine only finds and scores matches
// and reads what the policy asks for. SQLite FTS5 implements it in store/sqlite; a
// PostgreSQL engine implements the same interface.
//
// The paywall rule: `full_text` false means only public columns (headline, dek, teaser or
// a free article's whole body, authors, topics, countries) may match, be counted or feed
// snippets and feedback. An engine never lets gated text through when it is false.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "content/article.h"
#include "core/clock.h"
#include "search/query.h"
#include "search/search.h"

namespace search {

// What filters and facets need of every article, kept in memory per content version.
struct DocMeta {
  long long id = 0;
  core::UnixTime published_at = 0;
  content::ArticleType type = content::ArticleType::kAnalysis;
  bool draft = false;  // drafts never match
  int year = 0;        // in the catalogue's time zone
  std::vector<int> topics, countries;  // indexes into Catalog::terms
};

struct Catalog {
  long long version = -1;
  std::string timezone;
  // Indexed by article id while ids are dense; id 0 marks an empty slot. Ids far beyond
  // the number of articles go to `sparse`, so none is ever left out of search.
  std::vector<DocMeta> docs;
  std::unordered_map<long long, DocMeta> sparse;
  std::size_t count = 0;
  std::vector<content::Term> terms;  // topics and countries

  const DocMeta* find(long long id) const {
    if (id > 0 && static_cast<std::size_t>(id) < docs.size()) {
      const auto& d = docs[static_cast<std::size_t>(id)];
      return d.id == 0 ? nullptr : &d;
    }
    auto it = sparse.find(id);
    return it == sparse.end() ? nullptr : &it->second;
  }
  // Adds a document (the engine fills the catalogue through this).
  void add(DocMeta m, long long dense_limit);
};

// A token as the index analyses text: the stem it is indexed under and the lower-cased
// word it came from (a stem can be searched for by a word that makes it).
struct Token {
  std::string stem;
  std::string surface;
};

// A document's matchable text (headline, dek and the body the reader may match), counted:
// its length in tokens and each distinct stem with how often it occurs and the first word
// that made it.
struct DocumentTerms {
  struct Term {
    std::string stem;
    std::string surface;
    int count = 0;
  };
  int length = 0;
  std::vector<Term> terms;
};

// Occurrences of some words in one document's matchable text, and that text's length in
// tokens (headline, dek and body the reader may match).
struct TermCounts {
  long long id = 0;
  std::vector<int> counts;  // one per word asked for, in order
  int length = 0;
};

// What engines share for counting text with their own analysis (`tokenize` calls its
// callback with each token's stem and byte range, as Engine::tokenize does).
using Tokenize = std::function<void(std::string_view text,
                                    const std::function<void(std::string_view, int, int)>&)>;
// A matchable text counted, as Engine::document_terms returns it.
DocumentTerms count_document_terms(std::string_view text, const Tokenize& tokenize);
// The stems of `words`, each with the positions of the words that make it.
using WordStems = std::unordered_map<std::string, std::vector<std::size_t>>;
WordStems word_stems(const std::vector<std::string>& words, const Tokenize& tokenize);
// One text counted against `stems` (of `nwords` words), as Engine::term_counts returns it.
TermCounts count_words(long long id, std::string_view text, const WordStems& stems,
                       std::size_t nwords, const Tokenize& tokenize);

class Engine {
 public:
  virtual ~Engine() = default;

  // Every article's metadata at the current content version, dates read in `timezone`.
  virtual std::shared_ptr<const Catalog> catalog(const std::string& timezone) = 0;

  // Calls `each(id, score)` for every document the query matches in the columns the
  // reader may match. With `score`, the first-pass relevance (BM25F over the columns plus
  // term proximity, as `params` says); without, 0 (sorting by date needs none).
  virtual void match(const ParsedQuery& query, bool full_text, bool score,
                     const RankParams& params,
                     const std::function<void(long long id, double score)>& each) = 0;

  // The index's analysis of some text (stems), for the reader's words.
  virtual std::vector<Token> analyze(std::string_view text) = 0;

  // A document's matchable text, counted (feedback reads the best first-pass results).
  virtual DocumentTerms document_terms(long long id, bool full_text) = 0;

  // Documents whose matchable columns hold `stem` (an estimate is fine: a weight).
  virtual double document_frequency(const std::string& stem, bool full_text) = 0;

  // For each id: how often each of `words` (surface forms; the engine stems them) occurs
  // in its matchable text, and that text's length.
  virtual std::vector<TermCounts> term_counts(const std::vector<long long>& ids,
                                              const std::vector<std::string>& words,
                                              bool full_text) = 0;

  // Summaries (with authors, topics, countries) of the given articles, in the same order;
  // an id that is gone gives an empty optional.
  virtual std::vector<std::optional<content::ArticleSummary>> summaries(
      const std::vector<long long>& ids) = 0;

  // Runs fn(0) … fn(n-1), in any order and possibly at once on the engine's own worker
  // threads (each call may use the engine); returns when all are done, rethrowing the
  // first exception. Sequential unless the engine says otherwise.
  virtual void parallel(std::size_t n, const std::function<void(std::size_t)>& fn) {
    for (std::size_t i = 0; i < n; ++i) fn(i);
  }

  // The body text a snippet may quote: public (the teaser, or a free article's whole
  // body), and with `full_text` the gated part too.
  virtual std::string body_text(long long id, bool full_text) = 0;

  // The index's analysis of `text` without copies: `each(stem, start, end)` per token,
  // `start` and `end` its byte range in `text`.
  virtual void tokenize(std::string_view text,
                        const std::function<void(std::string_view stem, int start, int end)>& each) = 0;
};

}  // namespace search
