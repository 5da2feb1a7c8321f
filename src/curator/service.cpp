#include "curator/service.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <unordered_set>

#include "core/time.h"

namespace curator {

namespace {

// How many candidates each source gives the ranking: enough for many pages (what the
// reader opened is dropped from them), few enough to find and rank in a few milliseconds.
constexpr int kFollowedCandidates = 400;
constexpr int kSimilarCandidates = 200;
constexpr int kNewestCandidates = 100;
constexpr int kReadingTerms = 12;
constexpr int kRelatedCandidates = 300;

// Each of `rows` whose article readers can see, beside that article's summary, in the
// rows' order (one read for them all).
template <class Row, class IdOf>
std::vector<std::pair<const Row*, content::ArticleSummary>> visible_rows(store::Store& store,
                                                                         const std::vector<Row>& rows,
                                                                         IdOf id_of, core::UnixTime now) {
  std::vector<long long> ids;
  for (const auto& r : rows) ids.push_back(id_of(r));
  std::unordered_map<long long, content::ArticleSummary> by_id;
  for (auto& s : store.content().visible_summaries(ids, now)) {
    long long id = s.id;
    by_id.emplace(id, std::move(s));
  }
  std::vector<std::pair<const Row*, content::ArticleSummary>> out;
  for (const auto& r : rows) {
    if (auto it = by_id.find(id_of(r)); it != by_id.end()) out.emplace_back(&r, it->second);
  }
  return out;
}

}  // namespace

bool CuratorService::follows_term(long long member_id, content::TermKind kind,
                                  const std::string& slug) {
  for (const auto& f : store_.curator().follows(member_id)) {
    if (f.term.kind == kind && f.term.slug == slug) return true;
  }
  return false;
}

core::Result<void> CuratorService::follow(long long member_id, content::TermKind kind,
                                          const std::string& slug) {
  return store_.curator().follow(member_id, kind, slug, clock_.now());
}

core::Result<void> CuratorService::unfollow(long long member_id, content::TermKind kind,
                                            const std::string& slug) {
  return store_.curator().unfollow(member_id, kind, slug);
}

std::vector<content::ArticleSummary> CuratorService::related(long long article_id, int limit) {
  auto& cs = store_.curator();
  auto self = cs.facts({article_id});
  if (self.empty() || self[0].term_ids.empty()) return {};
  core::UnixTime now = clock_.now();
  auto pool = cs.articles_with_terms(self[0].term_ids, now, kRelatedCandidates);
  auto ids = curator::related(self[0], pool, cs.term_counts(self[0].term_ids),
                              store_.content().count_articles(), limit);
  return store_.content().visible_summaries(ids, now);
}

ForYouPage CuratorService::for_you(long long member_id, int page, int per_page) {
  auto& cs = store_.curator();
  core::UnixTime now = clock_.now();
  ForYouPage out;
  auto follows = cs.follows(member_id);
  // In the order followed: the oldest follow names the reason when several match.
  std::sort(follows.begin(), follows.end(), [](const auto& a, const auto& b) {
    return a.since != b.since ? a.since < b.since : a.term_id < b.term_id;
  });
  out.follows_anything = !follows.empty();
  ReaderFacts reader;
  std::unordered_map<long long, const store::Follow*> by_term;
  for (const auto& f : follows) {
    reader.followed.push_back(f.term_id);
    by_term[f.term_id] = &f;
  }
  auto opened = cs.opened_ids(member_id, kOpenedLimit);
  reader.opened.insert(opened.begin(), opened.end());
  if (!opened.empty()) {
    std::vector<long long> recent(opened.begin(),
                                  opened.begin() + std::min<std::size_t>(opened.size(), kProfileReads));
    auto facts = cs.terms_of(recent);  // the profile reads only their terms
    std::unordered_map<long long, store::CandidateFacts> by_id;
    for (auto& f : facts) by_id.emplace(f.id, std::move(f));
    for (long long id : recent) {  // newest first, as ranking expects
      auto it = by_id.find(id);
      if (it != by_id.end()) reader.read.push_back(std::move(it->second));
    }
  }
  // Candidates: what carries a followed term, what shares the reading's strongest terms,
  // and the newest.
  std::vector<store::CandidateFacts> candidates;
  auto add = [&](std::vector<store::CandidateFacts> list) {
    for (auto& f : list) candidates.push_back(std::move(f));
  };
  add(cs.articles_with_terms(reader.followed, now, kFollowedCandidates));
  add(cs.articles_with_terms(reading_terms(reader, kReadingTerms), now, kSimilarCandidates));
  add(cs.newest(now, kNewestCandidates));
  auto ranked = rank(candidates, reader, now);
  out.total = static_cast<int>(ranked.size());
  std::size_t first = static_cast<std::size_t>(std::max(0, (page - 1) * per_page));
  if (first >= ranked.size()) return out;
  std::size_t last = std::min(ranked.size(), first + static_cast<std::size_t>(per_page));
  std::vector<long long> ids;
  std::unordered_set<long long> asked;
  for (std::size_t i = first; i < last; ++i) {
    for (long long id : {ranked[i].id, ranked[i].like_article}) {
      if (id && asked.insert(id).second) ids.push_back(id);
    }
  }
  // Summaries of the page and of the read articles its reasons name (those may be no
  // longer live: then the reason is left out).
  std::unordered_map<long long, content::ArticleSummary> summaries;
  for (auto& s : store_.content().visible_summaries(ids, now)) {
    long long id = s.id;
    summaries.emplace(id, std::move(s));
  }
  for (std::size_t i = first; i < last; ++i) {
    const auto& r = ranked[i];
    auto it = summaries.find(r.id);
    if (it == summaries.end()) continue;
    ForYouItem item;
    item.article = it->second;
    item.why = r.why;
    if (r.why == Why::kFollowed) {
      auto f = by_term.find(r.term_id);
      if (f != by_term.end()) item.reason = "Because you follow " + f->second->term.name;
    } else if (r.why == Why::kSimilar) {
      auto like = summaries.find(r.like_article);
      if (like != summaries.end()) {
        item.reason = "Because you read \u201c" + like->second.headline + "\u201d";
      }
    }
    out.items.push_back(std::move(item));
  }
  return out;
}

std::vector<CuratorService::Listed> CuratorService::saved(long long member_id, int page,
                                                          int per_page, int& total) {
  auto rows = store_.curator().saved(member_id, per_page, (page - 1) * per_page, total);
  std::vector<Listed> out;
  for (auto& [row, s] : visible_rows(store_, rows, [](const auto& r) { return r.first; }, clock_.now())) {
    out.push_back({std::move(s), row->second, true});
  }
  return out;
}

std::vector<CuratorService::Listed> CuratorService::history(long long member_id, int page,
                                                            int per_page, int& total) {
  auto rows = store_.curator().history(member_id, per_page, (page - 1) * per_page, total);
  std::vector<Listed> out;
  for (auto& [row, s] : visible_rows(store_, rows, [](const auto& r) { return r.article_id; }, clock_.now())) {
    out.push_back({std::move(s), row->at, row->fully});
  }
  return out;
}

void CuratorService::opened(long long member_id, long long article_id, bool fully) {
  core::UnixTime now = clock_.now();
  {
    std::lock_guard lock(recent_mutex_);
    auto& r = recent_[{member_id, article_id}];
    if (r.at > 0 && now - r.at < kOpenedRefresh && (r.fully || !fully)) return;
    if (recent_.size() > 100'000) recent_.clear();  // bounded; a forgotten entry costs one write
    Recent& entry = recent_[{member_id, article_id}];
    entry.at = now;
    entry.fully = entry.fully || fully;
  }
  // A lost history line is not worth failing the page for.
  (void)store_.curator().record_opened(member_id, article_id, fully, now);
}

void CuratorService::forget_recent(long long member_id) {
  std::lock_guard lock(recent_mutex_);
  std::erase_if(recent_, [&](const auto& kv) { return kv.first.first == member_id; });
}

core::Result<void> CuratorService::clear_history(long long member_id) {
  forget_recent(member_id);  // the next opening is history again at once
  return store_.curator().clear_history(member_id);
}

core::Result<void> CuratorService::set_keeps_history(long long member_id, bool keep) {
  forget_recent(member_id);
  return store_.curator().set_keeps_history(member_id, keep);
}

nlohmann::json CuratorService::export_json(long long member_id) {
  auto& cs = store_.curator();
  nlohmann::json out;
  out["following"] = nlohmann::json::array();
  for (const auto& f : cs.follows(member_id)) {
    out["following"].push_back({{"kind", std::string(content::to_string(f.term.kind))},
                                {"slug", f.term.slug},
                                {"name", f.term.name},
                                {"alerts", std::string(store::to_string(f.alert))},
                                {"since", core::format_rfc3339(f.since)}});
  }
  int total = 0;
  auto saved_rows = cs.saved(member_id, 100000, 0, total);
  out["saved"] = nlohmann::json::array();
  for (const auto& [row, s] : visible_rows(store_, saved_rows, [](const auto& r) { return r.first; }, clock_.now())) {
    out["saved"].push_back({{"article", s.slug}, {"saved_at", core::format_rfc3339(row->second)}});
  }
  auto history_rows = cs.history(member_id, 100000, 0, total);
  out["keeps_history"] = cs.keeps_history(member_id);
  out["history"] = nlohmann::json::array();
  for (const auto& [row, s] : visible_rows(store_, history_rows, [](const auto& r) { return r.article_id; }, clock_.now())) {
    out["history"].push_back({{"article", s.slug},
                              {"opened_at", core::format_rfc3339(row->at)},
                              {"read_in_full", row->fully}});
  }
  return out;
}

}  // namespace curator
