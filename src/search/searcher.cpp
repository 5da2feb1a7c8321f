#include "search/searcher.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "core/text.h"
#include "search/snippet.h"

namespace search {

DocumentTerms count_document_terms(std::string_view text, const Tokenize& tokenize) {
  DocumentTerms doc;
  std::unordered_map<std::string, std::size_t> index;  // stem -> position in doc.terms
  tokenize(text, [&](std::string_view stem, int start, int end) {
    ++doc.length;
    auto [it, fresh] = index.try_emplace(std::string(stem), doc.terms.size());
    if (fresh) {
      doc.terms.push_back({it->first,
                           core::to_lower(text.substr(static_cast<std::size_t>(start),
                                                      static_cast<std::size_t>(end - start))),
                           0});
    }
    ++doc.terms[it->second].count;
  });
  return doc;
}

WordStems word_stems(const std::vector<std::string>& words, const Tokenize& tokenize) {
  WordStems out;
  for (std::size_t k = 0; k < words.size(); ++k) {
    tokenize(words[k], [&](std::string_view stem, int, int) { out[std::string(stem)].push_back(k); });
  }
  return out;
}

TermCounts count_words(long long id, std::string_view text, const WordStems& stems,
                       std::size_t nwords, const Tokenize& tokenize) {
  TermCounts tc;
  tc.id = id;
  tc.counts.assign(nwords, 0);
  std::string key;
  tokenize(text, [&](std::string_view stem, int, int) {
    ++tc.length;
    key.assign(stem);
    auto it = stems.find(key);
    if (it == stems.end()) return;
    for (std::size_t k : it->second) ++tc.counts[k];
  });
  return tc;
}

void Catalog::add(DocMeta m, long long dense_limit) {
  if (m.id <= 0) return;
  if (m.id >= dense_limit) {
    sparse.emplace(m.id, std::move(m));
  } else {
    if (static_cast<std::size_t>(m.id) >= docs.size()) docs.resize(static_cast<std::size_t>(m.id) + 1);
    docs[static_cast<std::size_t>(m.id)] = std::move(m);
  }
  ++count;
}

static_assert(static_cast<int>(content::ArticleType::kReview) == 3, "type counters hold four types");

namespace {

// MERIDIAN_SEARCH_TIMING: phase timings on stderr, read once (not on every search).
const bool kTiming = std::getenv("MERIDIAN_SEARCH_TIMING") != nullptr;

struct Clock {
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  double ms() const {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  }
};

using Hits = std::vector<std::pair<double, const DocMeta*>>;

bool by_score(const std::pair<double, const DocMeta*>& a, const std::pair<double, const DocMeta*>& b) {
  return a.first > b.first;
}

// Pseudo-relevance feedback (RM3): words that are frequent in the best first-pass
// results, and rare in the collection, are added with a lower weight and rerank the first
// `feedback_depth` results; the result set stays what the reader's own words matched, only
// its order changes. The words come only from text this reader may match, so gated text
// never steers the ranking for readers who cannot read it.
void rerank_with_feedback(Engine& engine, const SearchRequest& req, const RankParams& p,
                          const Catalog& cat, Hits& hits) {
  Clock clock;
  std::size_t fb = std::min<std::size_t>(static_cast<std::size_t>(p.feedback_docs), hits.size());
  std::size_t depth = std::min<std::size_t>(hits.size(), static_cast<std::size_t>(p.feedback_depth));
  depth = std::max(depth, fb);
  std::partial_sort(hits.begin(), hits.begin() + static_cast<long>(depth), hits.end(), by_score);
  double total_score = 0;
  for (std::size_t i = 0; i < fb; ++i) total_score += hits[i].first;
  if (total_score <= 0) return;
  std::unordered_set<std::string> query_stems;
  for (const auto& w : req.query.words) {
    for (const auto& t : engine.analyze(w.text)) query_stems.insert(t.stem);
  }
  struct Candidate {
    double weight = 0;
    std::string surface;
  };
  std::unordered_map<std::string, Candidate> candidates;
  std::vector<DocumentTerms> docs(fb);
  engine.parallel(fb, [&](std::size_t i) { docs[i] = engine.document_terms(hits[i].second->id, req.full_text); });
  for (std::size_t i = 0; i < fb; ++i) {
    auto& doc = docs[i];
    if (doc.length == 0) continue;
    double doc_weight = hits[i].first / total_score / static_cast<double>(doc.length);
    for (auto& t : doc.terms) {
      if (t.stem.size() < 3 || query_stems.count(t.stem) || is_stop_word(t.surface)) continue;
      if (t.stem.find_first_not_of("0123456789") == std::string::npos) continue;
      auto& c = candidates[t.stem];
      c.weight += doc_weight * t.count;
      if (c.surface.empty()) c.surface = std::move(t.surface);
    }
  }
  double t_read = clock.ms();
  struct Ranked {
    double weight;
    const std::string* stem;
    const Candidate* candidate;
  };
  std::vector<Ranked> ranked;
  ranked.reserve(candidates.size());
  for (const auto& [stem, c] : candidates) ranked.push_back({c.weight, &stem, &c});
  auto heavier = [](const Ranked& a, const Ranked& b) {
    return a.weight != b.weight ? a.weight > b.weight : *a.stem < *b.stem;
  };
  std::size_t consider = std::min<std::size_t>(ranked.size(), 12);
  std::partial_sort(ranked.begin(), ranked.begin() + static_cast<long>(consider), ranked.end(), heavier);
  ranked.resize(consider);
  // Weigh by rarity over the columns this reader may match.
  const double n = static_cast<double>(cat.count);
  std::vector<double> df(ranked.size());
  for (std::size_t i = 0; i < ranked.size(); ++i) {
    df[i] = engine.document_frequency(*ranked[i].stem, req.full_text);
    ranked[i].weight *= std::log((n + 1) / (df[i] + 1));
  }
  double t_df = clock.ms();
  std::vector<std::size_t> order(ranked.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return heavier(ranked[a], ranked[b]); });
  std::size_t terms = std::min<std::size_t>(order.size(), static_cast<std::size_t>(p.feedback_terms));
  if (terms == 0 || ranked[order[0]].weight <= 0) return;
  struct Added {
    std::string surface;
    double weight;
    double idf;
  };
  std::vector<Added> added;
  std::vector<std::string> words;
  for (std::size_t k = 0; k < terms; ++k) {
    const auto& r = ranked[order[k]];
    if (r.weight <= 0) break;
    double d = df[order[k]];
    added.push_back({r.candidate->surface, p.feedback_weight * r.weight / ranked[order[0]].weight,
                     std::log((n - d + 0.5) / (d + 0.5) + 1.0)});
    words.push_back(r.candidate->surface);
  }
  // Each added word contributes its weight times a BM25 term score from the result's own
  // counts. Results below `depth` keep their first-pass order (their scores are lower
  // than any reranked one's).
  // The feedback documents were read and counted above: their counts of the added words
  // come from there, and only the rest of the reranked results are asked of the engine.
  std::vector<long long> ids;
  for (std::size_t i = fb; i < depth; ++i) ids.push_back(hits[i].second->id);
  auto counts = engine.term_counts(ids, words, req.full_text);
  std::unordered_map<std::string_view, std::size_t> added_stem;  // stem -> position in added
  for (std::size_t k = 0; k < added.size(); ++k) added_stem.emplace(*ranked[order[k]].stem, k);
  for (std::size_t i = 0; i < fb; ++i) {
    TermCounts c;
    c.id = hits[i].second->id;
    c.length = docs[i].length;
    c.counts.assign(added.size(), 0);
    for (const auto& t : docs[i].terms) {
      if (auto it = added_stem.find(t.stem); it != added_stem.end()) c.counts[it->second] = t.count;
    }
    counts.push_back(std::move(c));
  }
  std::unordered_map<long long, const TermCounts*> by_id;
  double avg_len = 0;
  for (const auto& c : counts) {
    by_id[c.id] = &c;
    avg_len += c.length;
  }
  avg_len = counts.empty() ? 1.0 : std::max(1.0, avg_len / static_cast<double>(counts.size()));
  for (std::size_t i = 0; i < depth; ++i) {
    auto it = by_id.find(hits[i].second->id);
    if (it == by_id.end()) continue;
    const auto& c = *it->second;
    double norm = 1.0 - p.b + p.b * static_cast<double>(c.length) / avg_len;
    double bonus = 0;
    for (std::size_t k = 0; k < added.size() && k < c.counts.size(); ++k) {
      if (c.counts[k] <= 0) continue;
      double t = p.w_body * c.counts[k] / norm;
      bonus += added[k].weight * added[k].idf * t / (p.k1 + t);
    }
    hits[i].first += bonus;
  }
  if (kTiming) {
    std::fprintf(stderr, "  prf: read %.1f df %.1f rerank %.1f ms\n", t_read, t_df - t_read,
                 clock.ms() - t_df);
  }
}

std::vector<FacetCount> term_facets(const Catalog& cat, const std::vector<int>& counts) {
  std::vector<FacetCount> out;
  for (std::size_t t = 0; t < counts.size(); ++t) {
    if (counts[t] == 0) continue;
    const auto& term = cat.terms[t];
    out.push_back({term.slug, term.name, counts[t]});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.count != b.count ? a.count > b.count : a.name < b.name;
  });
  if (out.size() > 20) out.resize(20);
  return out;
}

std::string marked_html(const std::string& raw) {
  std::string html = core::html_escape(raw);
  std::string out;
  out.reserve(html.size() + 32);
  for (char ch : html) {
    if (ch == '\x01') out += "<mark>";
    else if (ch == '\x02') out += "</mark>";
    else out += ch;
  }
  return out;
}

}  // namespace

SearchResult run(Engine& engine, const SearchRequest& req, const RankParams& p) {
  Clock clock;
  SearchResult result;
  auto cat = engine.catalog(req.timezone);
  double t_cat = clock.ms();
  auto find_term = [&](content::TermKind kind, const std::optional<std::string>& slug) -> std::optional<int> {
    if (!slug) return std::nullopt;
    for (std::size_t i = 0; i < cat->terms.size(); ++i) {
      if (cat->terms[i].kind == kind && cat->terms[i].slug == *slug) return static_cast<int>(i);
    }
    return -1;  // no such term: nothing matches
  };
  auto topic = find_term(content::TermKind::kTopic, req.topic);
  auto country = find_term(content::TermKind::kCountry, req.country);
  auto admit = [&](long long id) -> const DocMeta* {
    const DocMeta* m = cat->find(id);
    if (!m || m->draft || m->published_at > req.now) return nullptr;
    if (req.type && m->type != *req.type) return nullptr;
    if (req.year && m->year != *req.year) return nullptr;
    if (req.from && m->published_at < *req.from) return nullptr;
    if (req.to && m->published_at >= *req.to) return nullptr;
    if (topic && std::find(m->topics.begin(), m->topics.end(), *topic) == m->topics.end()) return nullptr;
    if (country && std::find(m->countries.begin(), m->countries.end(), *country) == m->countries.end()) {
      return nullptr;
    }
    return m;
  };
  Hits hits;
  const bool by_date = req.sort == Sort::kDate;
  engine.match(req.query, req.full_text, !by_date, p, [&](long long id, double score) {
    const DocMeta* m = admit(id);
    if (!m) return;
    // Recency as a gentle tie-breaker: at most +5% for today, fading over years.
    double age_days = std::max<double>(0, static_cast<double>(req.now - m->published_at) / 86400.0);
    hits.emplace_back(score * (1.0 + 0.05 * std::exp(-age_days / 365.0)), m);
  });
  double t_match = clock.ms();
  // Feedback helps verbose, selective queries; broad ones keep their first-pass order.
  if (!by_date && p.feedback_docs > 0 && req.query.words.size() >= 2 && hits.size() >= 3 &&
      hits.size() <= static_cast<std::size_t>(p.feedback_max_hits)) {
    rerank_with_feedback(engine, req, p, *cat, hits);
  }
  double t_prf = clock.ms();
  result.total = static_cast<int>(hits.size());
  // Facets over everything the query and the filters matched.
  // Flat counters (a broad query counts tens of thousands of hits): years 1900-2155 by
  // offset, any other in a map; types by their enum value.
  std::vector<int> topic_counts(cat->terms.size()), country_counts(cat->terms.size());
  std::array<int, 256> year_slots{};
  std::map<int, int> year_counts;
  std::array<int, 4> type_slots{};
  for (const auto& [score, m] : hits) {
    for (int t : m->topics) ++topic_counts[static_cast<std::size_t>(t)];
    for (int t : m->countries) ++country_counts[static_cast<std::size_t>(t)];
    if (m->year >= 1900 && m->year < 1900 + 256) {
      ++year_slots[static_cast<std::size_t>(m->year - 1900)];
    } else {
      ++year_counts[m->year];
    }
    ++type_slots[static_cast<std::size_t>(m->type) & 3];
  }
  for (std::size_t y = 0; y < year_slots.size(); ++y) {
    if (year_slots[y]) year_counts[1900 + static_cast<int>(y)] = year_slots[y];
  }
  std::map<content::ArticleType, int> type_counts;
  for (std::size_t t = 0; t < type_slots.size(); ++t) {
    if (type_slots[t]) type_counts[static_cast<content::ArticleType>(t)] = type_slots[t];
  }
  result.topics = term_facets(*cat, topic_counts);
  result.countries = term_facets(*cat, country_counts);
  for (auto it = year_counts.rbegin(); it != year_counts.rend(); ++it) {
    result.years.push_back({std::to_string(it->first), std::to_string(it->first), it->second});
  }
  for (const auto& [type, count] : type_counts) {
    result.types.push_back({std::string(content::to_string(type)), std::string(content::display_name(type)), count});
  }
  // Order and page.
  const std::size_t need = static_cast<std::size_t>(req.page * req.per_page);
  const std::size_t top = std::min(hits.size(), need);
  if (by_date) {
    auto newer = [](const auto& a, const auto& b) {
      return a.second->published_at != b.second->published_at ? a.second->published_at > b.second->published_at
                                                               : a.second->id > b.second->id;
    };
    std::partial_sort(hits.begin(), hits.begin() + static_cast<long>(top), hits.end(), newer);
  } else {
    auto better = [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : a.second->published_at > b.second->published_at;
    };
    std::partial_sort(hits.begin(), hits.begin() + static_cast<long>(top), hits.end(), better);
  }
  double t_facets = clock.ms();
  const std::size_t from = static_cast<std::size_t>((req.page - 1) * req.per_page);
  std::vector<long long> ids;
  std::vector<double> scores;
  for (std::size_t i = from; i < top; ++i) {
    ids.push_back(hits[i].second->id);
    scores.push_back(hits[i].first);
  }
  auto summaries = engine.summaries(ids);
  std::vector<std::string> snippets(ids.size());
  engine.parallel(ids.size(), [&](std::size_t i) {
    if (summaries[i]) snippets[i] = make_snippet(engine, req.query, engine.body_text(ids[i], req.full_text));
  });
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (!summaries[i]) continue;
    Hit hit;
    hit.score = scores[i];
    hit.summary = std::move(*summaries[i]);
    std::string raw = std::move(snippets[i]);
    if (raw.find('\x01') == std::string::npos && !req.full_text && !hit.summary.dek.empty()) {
      raw = hit.summary.dek;  // matched in the headline, dek, authors or places
    }
    hit.snippet_html = marked_html(raw);
    result.hits.push_back(std::move(hit));
  }
  if (kTiming) {
    std::fprintf(stderr, "search %zu hits: catalog %.1f rank %.1f prf %.1f facets+sort %.1f page %.1f ms\n",
                 hits.size(), t_cat, t_match - t_cat, t_prf - t_match, t_facets - t_prf,
                 clock.ms() - t_facets);
  }
  return result;
}

}  // namespace search
