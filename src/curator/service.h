// The personal curator: follows, "For you", saved articles, reading history, and the
// facts the newsletter needs to lead each reader's copy with what they follow. Built on
// store::CuratorStore and the pure ranking in curator/rank.h. Everything here belongs to
// one reader and is never shown to another; editors see counts only. Thread-safe (the
// store is; the service's one piece of state, what it recorded lately, has a lock).
#pragma once

#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "content/article.h"
#include "core/clock.h"
#include "core/result.h"
#include "curator/rank.h"
#include "store/curator_store.h"
#include "store/store.h"

namespace curator {

struct ForYouItem {
  content::ArticleSummary article;
  Why why = Why::kLatest;
  std::string reason;  // "Because you follow Kenya", "Because you read “…”", ""
};

struct ForYouPage {
  std::vector<ForYouItem> items;
  int total = 0;  // ranked articles on every page
  bool follows_anything = false;
};

class CuratorService {
 public:
  CuratorService(store::Store& store, const core::Clock& clock) : store_(store), clock_(clock) {}

  // Ranking reads at most this many of the reader's openings (the newest).
  static constexpr int kProfileReads = 100;
  static constexpr int kOpenedLimit = 2000;

  std::vector<store::Follow> follows(long long member_id) { return store_.curator().follows(member_id); }
  bool follows_term(long long member_id, content::TermKind kind, const std::string& slug);
  core::Result<void> follow(long long member_id, content::TermKind kind, const std::string& slug);
  core::Result<void> unfollow(long long member_id, content::TermKind kind, const std::string& slug);
  core::Result<void> set_alert(long long member_id, content::TermKind kind, const std::string& slug,
                               store::AlertMode mode) {
    return store_.curator().set_alert(member_id, kind, slug, mode);
  }

  // Live articles most like this one (curator::related), at most `limit`.
  std::vector<content::ArticleSummary> related(long long article_id, int limit);

  // Page `page` (from 1) of this reader's ranked articles.
  ForYouPage for_you(long long member_id, int page, int per_page);

  core::Result<void> save(long long member_id, long long article_id) {
    return store_.curator().save_article(member_id, article_id, clock_.now());
  }
  core::Result<void> unsave(long long member_id, long long article_id) {
    return store_.curator().unsave_article(member_id, article_id);
  }
  bool is_saved(long long member_id, long long article_id) {
    return store_.curator().is_saved(member_id, article_id);
  }
  struct Listed {
    content::ArticleSummary article;
    core::UnixTime at = 0;
    bool fully = true;
  };
  // Saved articles still live, newest save first.
  std::vector<Listed> saved(long long member_id, int page, int per_page, int& total);
  std::vector<Listed> history(long long member_id, int page, int per_page, int& total);

  // An article page was shown to a signed-in reader (whole text or not). The same article
  // shown to the same reader again within kOpenedRefresh (a reload, the way back from a
  // link) is not written again unless it is now read in full: a write per page view had
  // halved the signed-in article page's speed (bench/pages).
  void opened(long long member_id, long long article_id, bool fully);
  static constexpr core::UnixTime kOpenedRefresh = 600;
  core::Result<void> clear_history(long long member_id);
  bool keeps_history(long long member_id) { return store_.curator().keeps_history(member_id); }
  core::Result<void> set_keeps_history(long long member_id, bool keep);

  // What the curator keeps about the reader, for their data export.
  nlohmann::json export_json(long long member_id);

 private:
  void forget_recent(long long member_id);

  store::Store& store_;
  const core::Clock& clock_;
  struct Recent {
    core::UnixTime at = 0;
    bool fully = false;
  };
  struct PairHash {
    std::size_t operator()(const std::pair<long long, long long>& p) const {
      return std::hash<long long>()(p.first * 1000003 + p.second);
    }
  };
  std::mutex recent_mutex_;
  // (member, article) → when this server last wrote it, and whether as read in full.
  std::unordered_map<std::pair<long long, long long>, Recent, PairHash> recent_;
};

}  // namespace curator
