// Storage for the personal curator: what each reader follows (topics, countries,
// authors, with an alert choice), the articles they saved, what they opened and when,
// whether they let us keep that history, and which alerts went out. All of it belongs to
// the reader: rows go with the account (ON DELETE CASCADE). Also the compact facts the
// ranking reads about candidate articles (ids, times, kinds, term ids), never bodies.
// Same threading and error rules as store/store.h.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "content/article.h"
#include "core/clock.h"
#include "core/result.h"

namespace store {

enum class AlertMode { kNone, kInstant, kDaily };

struct Follow {
  long long term_id = 0;
  content::Term term;
  AlertMode alert = AlertMode::kNone;
  core::UnixTime since = 0;
};

// What ranking needs to know about an article (see curator/rank.h).
struct CandidateFacts {
  long long id = 0;
  core::UnixTime published_at = 0;
  content::ArticleType type = content::ArticleType::kAnalysis;
  int word_count = 0;
  std::vector<long long> term_ids;
};

struct Opened {
  long long article_id = 0;
  core::UnixTime at = 0;
  bool fully = false;  // the whole text was shown (not a teaser behind a wall)
};

struct TermFollowers {
  content::Term term;
  int followers = 0;
  int alerted = 0;  // of them, with an alert on
};

// A new article matched to a reader who asked for alerts about one of its terms.
struct AlertDue {
  long long member_id = 0;
  std::string email;
  long long article_id = 0;
  long long term_id = 0;  // the followed term that matched (the first, by name)
  AlertMode mode = AlertMode::kInstant;
};

class CuratorStore {
 public:
  virtual ~CuratorStore() = default;

  // Follows, by name within kind.
  virtual std::vector<Follow> follows(long long member_id) = 0;
  // kNotFound when there is no such topic, country or author. Following again keeps the
  // first date and the alert choice.
  virtual core::Result<void> follow(long long member_id, content::TermKind kind,
                                    const std::string& slug, core::UnixTime now) = 0;
  virtual core::Result<void> unfollow(long long member_id, content::TermKind kind,
                                      const std::string& slug) = 0;
  // kNotFound unless the reader follows the term.
  virtual core::Result<void> set_alert(long long member_id, content::TermKind kind,
                                       const std::string& slug, AlertMode mode) = 0;
  // Every reader's followed term ids (the newsletter orders each reader's copy by them).
  virtual std::unordered_map<long long, std::vector<long long>> followed_terms_of_all() = 0;
  // Readers per followed term, most followed first (counts only: for editors).
  virtual std::vector<TermFollowers> follower_counts() = 0;

  // Ranking facts. Articles live at `now` carrying any of `term_ids`, newest first.
  virtual std::vector<CandidateFacts> articles_with_terms(const std::vector<long long>& term_ids,
                                                          core::UnixTime now, int limit) = 0;
  // The newest live articles.
  virtual std::vector<CandidateFacts> newest(core::UnixTime now, int limit) = 0;
  // These articles (live or not), in no particular order.
  virtual std::vector<CandidateFacts> facts(const std::vector<long long>& article_ids) = 0;
  // Only the ids and term ids of these articles (no article row is read), in no order.
  virtual std::vector<CandidateFacts> terms_of(const std::vector<long long>& article_ids) = 0;
  // How many articles (any status) carry each of `term_ids`.
  virtual std::unordered_map<long long, int> term_counts(const std::vector<long long>& term_ids) = 0;
  // The term ids of `slugs` of one kind (unknown ones left out).
  virtual std::unordered_map<std::string, long long> term_ids(content::TermKind kind,
                                                              const std::vector<std::string>& slugs) = 0;

  // Saved articles, newest save first.
  virtual core::Result<void> save_article(long long member_id, long long article_id,
                                          core::UnixTime now) = 0;
  virtual core::Result<void> unsave_article(long long member_id, long long article_id) = 0;
  virtual bool is_saved(long long member_id, long long article_id) = 0;
  virtual std::vector<std::pair<long long, core::UnixTime>> saved(long long member_id, int limit,
                                                                  int offset, int& total) = 0;

  // Reading history: one row per article, the last time it was opened (fully once any
  // opening was).
  virtual core::Result<void> record_opened(long long member_id, long long article_id,
                                           bool fully, core::UnixTime now) = 0;
  virtual std::vector<Opened> history(long long member_id, int limit, int offset, int& total) = 0;
  // Every article the reader opened (for ranking), newest first.
  virtual std::vector<long long> opened_ids(long long member_id, int limit) = 0;
  virtual core::Result<void> clear_history(long long member_id) = 0;
  virtual bool keeps_history(long long member_id) = 0;  // true unless switched off
  // Switching off also clears what was kept.
  virtual core::Result<void> set_keeps_history(long long member_id, bool keep) = 0;

  // Alerts: articles published in [from, to) carrying a term some reader follows with
  // `mode`, never alerted to that reader before, at most `limit` pairs.
  virtual std::vector<AlertDue> alerts_due(AlertMode mode, core::UnixTime from, core::UnixTime to,
                                           int limit) = 0;
  // Records the alerts as sent; false for a pair already recorded (another sender).
  virtual core::Result<bool> mark_alerted(long long member_id, long long article_id,
                                          core::UnixTime now) = 0;
};

std::string_view to_string(AlertMode m);
std::optional<AlertMode> parse_alert_mode(std::string_view s);

}  // namespace store
