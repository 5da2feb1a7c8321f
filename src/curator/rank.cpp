#include "curator/rank.h"

#include <algorithm>
#include <cmath>
#include <tuple>
#include <unordered_map>

namespace curator {

namespace {

// An in-depth piece ranks as if published this much later (it keeps its place longer);
// each further followed term an article carries counts as a day more.
constexpr core::UnixTime kDepthRoom = 3 * 86400;
constexpr core::UnixTime kExtraFollowRoom = 86400;
constexpr int kLongRead = 2000;            // words
constexpr double kReadDecay = 0.97;        // each older reading counts a little less

// Weight of each term in what the reader has read: more for terms met often and lately,
// scaled by how distinctive the term is in `pool` (rare terms say more than a topic
// every article carries).
std::unordered_map<long long, double> reading_profile(
    const ReaderFacts& reader, const std::unordered_map<long long, int>& df, std::size_t pool) {
  std::unordered_map<long long, double> w;
  double decay = 1.0;
  for (const auto& a : reader.read) {
    for (long long t : a.term_ids) {
      auto it = df.find(t);
      int n = it == df.end() ? 0 : it->second;
      w[t] += decay * std::log(1.0 + static_cast<double>(pool) / (1.0 + n));
    }
    decay *= kReadDecay;
  }
  return w;
}

std::unordered_map<long long, int> document_frequency(const std::vector<store::CandidateFacts>& a,
                                                      const std::vector<store::CandidateFacts>& b) {
  std::unordered_map<long long, int> df;
  for (const auto* list : {&a, &b}) {
    for (const auto& f : *list) {
      for (long long t : f.term_ids) ++df[t];
    }
  }
  return df;
}

}  // namespace

double freshness(core::UnixTime published_at, core::UnixTime now) {
  // An in-depth piece's "as if published" time may lie a few days ahead of now.
  double days = std::max<double>(-6, static_cast<double>(now - published_at) / 86400.0);
  return 1.0 / (1.0 + days / 7.0);
}

bool in_depth(const store::CandidateFacts& a) {
  return a.type == content::ArticleType::kFeature || a.word_count >= kLongRead;
}

std::vector<Ranked> rank(const std::vector<store::CandidateFacts>& candidates,
                         const ReaderFacts& reader, core::UnixTime now) {
  auto df = document_frequency(candidates, reader.read);
  auto profile = reading_profile(reader, df, candidates.size() + reader.read.size());
  std::unordered_map<long long, std::size_t> follow_rank;
  for (std::size_t i = 0; i < reader.followed.size(); ++i) follow_rank.emplace(reader.followed[i], i);

  std::vector<Ranked> out;
  std::unordered_set<long long> seen;
  for (const auto& a : candidates) {
    if (reader.opened.count(a.id) || !seen.insert(a.id).second) continue;
    Ranked r;
    r.id = a.id;
    core::UnixTime effective = a.published_at + (in_depth(a) ? kDepthRoom : 0);
    // Followed terms it carries.
    int followed = 0;
    std::size_t best = SIZE_MAX;
    for (long long t : a.term_ids) {
      auto it = follow_rank.find(t);
      if (it == follow_rank.end()) continue;
      ++followed;
      if (it->second < best) {
        best = it->second;
        r.term_id = t;
      }
    }
    if (followed > 0) {
      r.why = Why::kFollowed;
      r.score = freshness(effective + kExtraFollowRoom * (followed - 1), now);
      out.push_back(r);
      continue;
    }
    // Resemblance to what was read: the profile's weight on its terms, per term it has
    // (an article with many terms does not win by number alone).
    double sim = 0;
    for (long long t : a.term_ids) {
      auto it = profile.find(t);
      if (it != profile.end()) sim += it->second;
    }
    if (sim > 0) {
      sim /= std::sqrt(static_cast<double>(a.term_ids.size()));
      r.why = Why::kSimilar;
      r.score = sim * (0.5 + 0.5 * freshness(effective, now));
      // The read article it shares most with (by the distinctiveness of what is shared).
      double best_shared = 0;
      for (const auto& read : reader.read) {
        double shared = 0;
        for (long long t : read.term_ids) {
          if (std::find(a.term_ids.begin(), a.term_ids.end(), t) == a.term_ids.end()) continue;
          auto it = df.find(t);
          shared += std::log(1.0 + static_cast<double>(candidates.size() + reader.read.size()) /
                                       (1.0 + (it == df.end() ? 0 : it->second)));
        }
        if (shared > best_shared) {
          best_shared = shared;
          r.like_article = read.id;
        }
      }
      out.push_back(r);
      continue;
    }
    r.why = Why::kLatest;
    r.score = freshness(effective, now);
    out.push_back(r);
  }
  std::unordered_map<long long, core::UnixTime> published;
  for (const auto& a : candidates) published.emplace(a.id, a.published_at);
  std::stable_sort(out.begin(), out.end(), [&](const Ranked& x, const Ranked& y) {
    if (x.why != y.why) return static_cast<int>(x.why) < static_cast<int>(y.why);
    if (x.score != y.score) return x.score > y.score;
    auto px = published[x.id], py = published[y.id];
    if (px != py) return px > py;
    return x.id > y.id;
  });
  return out;
}

std::vector<long long> related(const store::CandidateFacts& of,
                               const std::vector<store::CandidateFacts>& pool,
                               const std::unordered_map<long long, int>& articles_per_term,
                               long long total_articles, int limit) {
  std::vector<std::tuple<double, core::UnixTime, long long>> scored;
  std::unordered_set<long long> seen{of.id};
  for (const auto& a : pool) {
    if (!seen.insert(a.id).second) continue;
    double shared = 0;
    for (long long t : a.term_ids) {
      if (std::find(of.term_ids.begin(), of.term_ids.end(), t) == of.term_ids.end()) continue;
      auto it = articles_per_term.find(t);
      int n = it == articles_per_term.end() ? 0 : it->second;
      shared += std::log(1.0 + static_cast<double>(total_articles) / (1.0 + n));
    }
    if (shared <= 0) continue;
    double days = std::abs(static_cast<double>(a.published_at - of.published_at)) / 86400.0;
    scored.emplace_back(shared / (1.0 + days / 30.0), a.published_at, a.id);
  }
  std::sort(scored.begin(), scored.end(), [](const auto& x, const auto& y) {
    if (std::get<0>(x) != std::get<0>(y)) return std::get<0>(x) > std::get<0>(y);
    if (std::get<1>(x) != std::get<1>(y)) return std::get<1>(x) > std::get<1>(y);
    return std::get<2>(x) > std::get<2>(y);
  });
  std::vector<long long> out;
  for (const auto& s : scored) {
    if (static_cast<int>(out.size()) >= limit) break;
    out.push_back(std::get<2>(s));
  }
  return out;
}

std::vector<long long> reading_terms(const ReaderFacts& reader, int limit) {
  // Here the pool is the reading itself: a term on every article read is still worth
  // finding more of, so weight by frequency and recency alone.
  std::unordered_map<long long, double> w;
  double decay = 1.0;
  for (const auto& a : reader.read) {
    for (long long t : a.term_ids) w[t] += decay;
    decay *= kReadDecay;
  }
  std::unordered_set<long long> followed(reader.followed.begin(), reader.followed.end());
  std::vector<std::pair<double, long long>> order;
  for (const auto& [t, weight] : w) {
    if (!followed.count(t)) order.emplace_back(weight, t);
  }
  std::sort(order.begin(), order.end(), [](const auto& x, const auto& y) {
    return x.first != y.first ? x.first > y.first : x.second < y.second;
  });
  std::vector<long long> out;
  for (const auto& [weight, t] : order) {
    if (static_cast<int>(out.size()) >= limit) break;
    out.push_back(t);
  }
  return out;
}

}  // namespace curator
