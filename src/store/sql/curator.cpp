// store::CuratorStore in the SQL both databases read.
#include <algorithm>
#include <set>

#include "store/curator_store.h"
#include "store/sql/db.h"
#include "store/sql/stores.h"

namespace store {

std::string_view to_string(AlertMode m) {
  switch (m) {
    case AlertMode::kInstant: return "instant";
    case AlertMode::kDaily: return "daily";
    case AlertMode::kNone: break;
  }
  return "none";
}

std::optional<AlertMode> parse_alert_mode(std::string_view s) {
  if (s == "none") return AlertMode::kNone;
  if (s == "instant") return AlertMode::kInstant;
  if (s == "daily") return AlertMode::kDaily;
  return std::nullopt;
}

}  // namespace store

namespace store::sql {

namespace {

constexpr const char* kFactsColumns = "a.id, a.published_at, a.type, a.word_count";

class SqlCuratorStore final : public CuratorStore {
 public:
  explicit SqlCuratorStore(Pool& pool) : pool_(pool) {}

  std::vector<Follow> follows(long long member_id) override {
    auto c = pool_.acquire();
    auto s = c->prepare(
        "SELECT t.id, t.kind, t.slug, t.name, f.alert, f.created_at FROM follows f "
        "JOIN terms t ON t.id = f.term_id WHERE f.member_id = ?1 ORDER BY t.kind, t.name");
    s->bind(1, member_id);
    std::vector<Follow> out;
    while (s->step()) {
      Follow f;
      f.term_id = s->int64(0);
      f.term.kind = kind_of(s->text(1));
      f.term.slug = s->text(2);
      f.term.name = s->text(3);
      f.alert = parse_alert_mode(s->text(4)).value_or(AlertMode::kNone);
      f.since = s->int64(5);
      out.push_back(std::move(f));
    }
    return out;
  }

  core::Result<void> follow(long long member_id, content::TermKind kind, const std::string& slug,
                            core::UnixTime now) override {
    return guarded_result([&]() -> core::Result<void> {
      auto c = pool_.acquire();
      auto id = term_id(*c, kind, slug);
      if (!id) return core::fail(core::ErrorCode::kNotFound, "There is no such " + kind_word(kind) + ".");
      auto s = c->prepare(
          "INSERT INTO follows (member_id, term_id, created_at) VALUES (?1, ?2, ?3) "
          "ON CONFLICT (member_id, term_id) DO NOTHING");
      s->bind(1, member_id).bind(2, *id).bind(3, static_cast<std::int64_t>(now));
      s->run();
      return {};
    });
  }

  core::Result<void> unfollow(long long member_id, content::TermKind kind,
                              const std::string& slug) override {
    return guarded_result([&]() -> core::Result<void> {
      auto c = pool_.acquire();
      auto id = term_id(*c, kind, slug);
      if (!id) return core::fail(core::ErrorCode::kNotFound, "There is no such " + kind_word(kind) + ".");
      auto s = c->prepare("DELETE FROM follows WHERE member_id = ?1 AND term_id = ?2");
      s->bind(1, member_id).bind(2, *id);
      s->run();
      return {};
    });
  }

  core::Result<void> set_alert(long long member_id, content::TermKind kind, const std::string& slug,
                               AlertMode mode) override {
    return guarded_result([&]() -> core::Result<void> {
      auto c = pool_.acquire();
      auto id = term_id(*c, kind, slug);
      if (!id) return core::fail(core::ErrorCode::kNotFound, "There is no such " + kind_word(kind) + ".");
      auto s = c->prepare("UPDATE follows SET alert = ?3 WHERE member_id = ?1 AND term_id = ?2");
      s->bind(1, member_id).bind(2, *id).bind(3, to_string(mode));
      s->run();
      if (c->changes() == 0) {
        return core::fail(core::ErrorCode::kNotFound, "You do not follow this " + kind_word(kind) + ".");
      }
      return {};
    });
  }

  std::unordered_map<long long, std::vector<long long>> followed_terms_of_all() override {
    auto c = pool_.acquire();
    auto s = c->prepare("SELECT member_id, term_id FROM follows ORDER BY member_id, created_at, term_id");
    std::unordered_map<long long, std::vector<long long>> out;
    while (s->step()) out[s->int64(0)].push_back(s->int64(1));
    return out;
  }

  std::vector<TermFollowers> follower_counts() override {
    auto c = pool_.acquire();
    auto s = c->prepare(
        "SELECT t.kind, t.slug, t.name, COUNT(*), "
        "SUM(CASE WHEN f.alert = 'none' THEN 0 ELSE 1 END) FROM follows f "
        "JOIN terms t ON t.id = f.term_id GROUP BY t.id, t.kind, t.slug, t.name "
        "ORDER BY COUNT(*) DESC, t.name");
    std::vector<TermFollowers> out;
    while (s->step()) {
      TermFollowers t;
      t.term.kind = kind_of(s->text(0));
      t.term.slug = s->text(1);
      t.term.name = s->text(2);
      t.followers = s->integer(3);
      t.alerted = s->integer(4);
      out.push_back(std::move(t));
    }
    return out;
  }

  std::vector<CandidateFacts> articles_with_terms(const std::vector<long long>& term_ids,
                                                  core::UnixTime now, int limit) override {
    std::vector<CandidateFacts> out;
    if (term_ids.empty() || limit <= 0) return out;
    auto c = pool_.acquire();
    {
      // Newest first through the articles_facts index, each checked against the terms:
      // no article row is read (driving from the terms would read thousands).
      auto s = c->prepare(std::string("SELECT ") + kFactsColumns +
                          " FROM articles a WHERE a.published_at <= ?1 AND a.status != 'draft' "
                          "AND EXISTS (SELECT 1 FROM article_terms at WHERE at.article_id = a.id "
                          "AND at.term_id IN (" + c->id_list(2) + ")) "
                          "ORDER BY a.published_at DESC, a.id DESC LIMIT ?3");
      s->bind(1, static_cast<std::int64_t>(now)).bind(2, json_ids(term_ids)).bind(3, limit);
      while (s->step()) out.push_back(read_facts(*s));
    }
    fill_terms(*c, out);
    return out;
  }

  std::vector<CandidateFacts> newest(core::UnixTime now, int limit) override {
    auto c = pool_.acquire();
    std::vector<CandidateFacts> out;
    {
      auto s = c->prepare(std::string("SELECT ") + kFactsColumns +
                          " FROM articles a WHERE a.published_at <= ?1 AND a.status != 'draft' "
                          "ORDER BY a.published_at DESC, a.id DESC LIMIT ?2");
      s->bind(1, static_cast<std::int64_t>(now)).bind(2, limit);
      while (s->step()) out.push_back(read_facts(*s));
    }
    fill_terms(*c, out);
    return out;
  }

  std::vector<CandidateFacts> facts(const std::vector<long long>& article_ids) override {
    std::vector<CandidateFacts> out;
    if (article_ids.empty()) return out;
    auto c = pool_.acquire();
    {
      auto s = c->prepare(std::string("SELECT ") + kFactsColumns +
                          " FROM articles a WHERE a.published_at IS NOT NULL AND a.id IN (" +
                          c->id_list(1) + ")");
      s->bind(1, json_ids(article_ids));
      while (s->step()) out.push_back(read_facts(*s));
    }
    fill_terms(*c, out);
    return out;
  }

  std::vector<CandidateFacts> terms_of(const std::vector<long long>& article_ids) override {
    std::vector<CandidateFacts> out;
    for (long long id : article_ids) {
      CandidateFacts f;
      f.id = id;
      out.push_back(std::move(f));
    }
    auto c = pool_.acquire();
    fill_terms(*c, out);
    std::erase_if(out, [](const CandidateFacts& f) { return f.term_ids.empty(); });
    return out;
  }

  std::unordered_map<long long, int> term_counts(const std::vector<long long>& term_ids) override {
    std::unordered_map<long long, int> out;
    if (term_ids.empty()) return out;
    auto c = pool_.acquire();
    auto s = c->prepare("SELECT term_id, COUNT(*) FROM article_terms WHERE term_id IN (" +
                        c->id_list(1) + ") GROUP BY term_id");
    s->bind(1, json_ids(term_ids));
    while (s->step()) out[s->int64(0)] = s->integer(1);
    return out;
  }

  std::unordered_map<std::string, long long> term_ids(content::TermKind kind,
                                                      const std::vector<std::string>& slugs) override {
    std::unordered_map<std::string, long long> out;
    auto c = pool_.acquire();
    for (const auto& slug : slugs) {
      if (out.count(slug)) continue;
      if (auto id = term_id(*c, kind, slug)) out[slug] = *id;
    }
    return out;
  }

  core::Result<void> save_article(long long member_id, long long article_id,
                                  core::UnixTime now) override {
    return guarded([&] {
      auto c = pool_.acquire();
      auto s = c->prepare(
          "INSERT INTO saved_articles (member_id, article_id, saved_at) VALUES (?1, ?2, ?3) "
          "ON CONFLICT (member_id, article_id) DO NOTHING");
      s->bind(1, member_id).bind(2, article_id).bind(3, static_cast<std::int64_t>(now));
      s->run();
    });
  }

  core::Result<void> unsave_article(long long member_id, long long article_id) override {
    return guarded([&] {
      auto c = pool_.acquire();
      auto s = c->prepare("DELETE FROM saved_articles WHERE member_id = ?1 AND article_id = ?2");
      s->bind(1, member_id).bind(2, article_id);
      s->run();
    });
  }

  bool is_saved(long long member_id, long long article_id) override {
    auto c = pool_.acquire();
    auto s = c->prepare("SELECT 1 FROM saved_articles WHERE member_id = ?1 AND article_id = ?2");
    s->bind(1, member_id).bind(2, article_id);
    return s->step();
  }

  std::vector<std::pair<long long, core::UnixTime>> saved(long long member_id, int limit, int offset,
                                                          int& total) override {
    auto c = pool_.acquire();
    {
      auto s = c->prepare("SELECT COUNT(*) FROM saved_articles WHERE member_id = ?1");
      s->bind(1, member_id);
      total = s->step() ? s->integer(0) : 0;
    }
    auto s = c->prepare(
        "SELECT article_id, saved_at FROM saved_articles WHERE member_id = ?1 "
        "ORDER BY saved_at DESC, article_id DESC LIMIT ?2 OFFSET ?3");
    s->bind(1, member_id).bind(2, limit).bind(3, offset);
    std::vector<std::pair<long long, core::UnixTime>> out;
    while (s->step()) out.emplace_back(s->int64(0), s->int64(1));
    return out;
  }

  core::Result<void> record_opened(long long member_id, long long article_id, bool fully,
                                   core::UnixTime now) override {
    return guarded([&] {
      auto c = pool_.acquire();
      auto s = c->prepare(
          "INSERT INTO reading_history (member_id, article_id, opened_at, read_fully) "
          "SELECT ?1, ?2, ?3, ?4 WHERE NOT EXISTS (SELECT 1 FROM curator_prefs p "
          "WHERE p.member_id = ?1 AND p.keep_history = 0) "
          "ON CONFLICT (member_id, article_id) DO UPDATE SET opened_at = excluded.opened_at, "
          "read_fully = GREATEST(reading_history.read_fully, excluded.read_fully)");
      s->bind(1, member_id).bind(2, article_id).bind(3, static_cast<std::int64_t>(now));
      s->bind(4, fully ? 1 : 0);
      s->run();
    });
  }

  std::vector<Opened> history(long long member_id, int limit, int offset, int& total) override {
    auto c = pool_.acquire();
    {
      auto s = c->prepare("SELECT COUNT(*) FROM reading_history WHERE member_id = ?1");
      s->bind(1, member_id);
      total = s->step() ? s->integer(0) : 0;
    }
    auto s = c->prepare(
        "SELECT article_id, opened_at, read_fully FROM reading_history WHERE member_id = ?1 "
        "ORDER BY opened_at DESC, article_id DESC LIMIT ?2 OFFSET ?3");
    s->bind(1, member_id).bind(2, limit).bind(3, offset);
    std::vector<Opened> out;
    while (s->step()) out.push_back({s->int64(0), s->int64(1), s->int64(2) != 0});
    return out;
  }

  std::vector<long long> opened_ids(long long member_id, int limit) override {
    auto c = pool_.acquire();
    auto s = c->prepare(
        "SELECT article_id FROM reading_history WHERE member_id = ?1 "
        "ORDER BY opened_at DESC, article_id DESC LIMIT ?2");
    s->bind(1, member_id).bind(2, limit);
    std::vector<long long> out;
    while (s->step()) out.push_back(s->int64(0));
    return out;
  }

  core::Result<void> clear_history(long long member_id) override {
    return guarded([&] {
      auto c = pool_.acquire();
      auto s = c->prepare("DELETE FROM reading_history WHERE member_id = ?1");
      s->bind(1, member_id);
      s->run();
    });
  }

  bool keeps_history(long long member_id) override {
    auto c = pool_.acquire();
    auto s = c->prepare("SELECT keep_history FROM curator_prefs WHERE member_id = ?1");
    s->bind(1, member_id);
    return !s->step() || s->int64(0) != 0;
  }

  core::Result<void> set_keeps_history(long long member_id, bool keep) override {
    return guarded([&] {
      auto c = pool_.acquire();
      Transaction tx(*c);
      {
        auto s = c->prepare(
            "INSERT INTO curator_prefs (member_id, keep_history) VALUES (?1, ?2) "
            "ON CONFLICT (member_id) DO UPDATE SET keep_history = excluded.keep_history");
        s->bind(1, member_id).bind(2, keep ? 1 : 0);
        s->run();
      }
      if (!keep) {
        auto s = c->prepare("DELETE FROM reading_history WHERE member_id = ?1");
        s->bind(1, member_id);
        s->run();
      }
      tx.commit();
    });
  }

  std::vector<AlertDue> alerts_due(AlertMode mode, core::UnixTime from, core::UnixTime to,
                                   int limit) override {
    auto c = pool_.acquire();
    auto s = c->prepare(
        "SELECT f.member_id, m.email, a.id, f.term_id FROM follows f "
        "JOIN article_terms at ON at.term_id = f.term_id "
        "JOIN articles a ON a.id = at.article_id "
        "JOIN members m ON m.id = f.member_id "
        "JOIN terms t ON t.id = f.term_id "
        "WHERE f.alert = ?1 AND a.status != 'draft' AND a.published_at >= ?2 "
        "AND a.published_at < ?3 AND m.verified_at IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM alerts_sent x WHERE x.member_id = f.member_id "
        "AND x.article_id = a.id) "
        "ORDER BY f.member_id, a.published_at, a.id, t.name LIMIT ?4");
    s->bind(1, to_string(mode)).bind(2, static_cast<std::int64_t>(from));
    s->bind(3, static_cast<std::int64_t>(to)).bind(4, limit);
    std::vector<AlertDue> out;
    std::set<std::pair<long long, long long>> seen;
    while (s->step()) {
      AlertDue d;
      d.member_id = s->int64(0);
      d.email = s->text(1);
      d.article_id = s->int64(2);
      d.term_id = s->int64(3);
      d.mode = mode;
      if (seen.insert({d.member_id, d.article_id}).second) out.push_back(std::move(d));
    }
    return out;
  }

  core::Result<bool> mark_alerted(long long member_id, long long article_id,
                                  core::UnixTime now) override {
    return guarded([&] {
      auto c = pool_.acquire();
      auto s = c->prepare(
          "INSERT INTO alerts_sent (member_id, article_id, sent_at) VALUES (?1, ?2, ?3) "
          "ON CONFLICT (member_id, article_id) DO NOTHING");
      s->bind(1, member_id).bind(2, article_id).bind(3, static_cast<std::int64_t>(now));
      s->run();
      return c->changes() > 0;
    });
  }

 private:
  static content::TermKind kind_of(const std::string& s) {
    return s == "country" ? content::TermKind::kCountry
           : s == "author" ? content::TermKind::kAuthor
                           : content::TermKind::kTopic;
  }
  static std::string kind_word(content::TermKind k) {
    return k == content::TermKind::kCountry ? "country or region"
           : k == content::TermKind::kAuthor ? "author"
                                             : "topic";
  }
  static std::optional<long long> term_id(Connection& c, content::TermKind kind,
                                          const std::string& slug) {
    auto s = c.prepare("SELECT id FROM terms WHERE kind = ?1 AND slug = ?2");
    s->bind(1, content::to_string(kind)).bind(2, slug);
    if (!s->step()) return std::nullopt;
    return s->int64(0);
  }
  static CandidateFacts read_facts(Statement& s) {
    CandidateFacts f;
    f.id = s.int64(0);
    f.published_at = s.is_null(1) ? 0 : s.int64(1);
    f.type = content::parse_article_type(s.text(2)).value_or(content::ArticleType::kAnalysis);
    f.word_count = s.integer(3);
    return f;
  }
  static void fill_terms(Connection& c, std::vector<CandidateFacts>& list) {
    if (list.empty()) return;
    std::unordered_map<long long, std::size_t> at;
    for (std::size_t i = 0; i < list.size(); ++i) at[list[i].id] = i;
    auto s = c.prepare("SELECT article_id, term_id FROM article_terms WHERE article_id IN (" +
                       c.id_list(1) + ")");
    s->bind(1, json_ids(list.begin(), list.end(), [](const CandidateFacts& f) { return f.id; }));
    while (s->step()) {
      auto it = at.find(s->int64(0));
      if (it != at.end()) list[it->second].term_ids.push_back(s->int64(1));
    }
  }

  Pool& pool_;
};

}  // namespace

std::unique_ptr<CuratorStore> make_curator_store(Pool& pool) {
  return std::make_unique<SqlCuratorStore>(pool);
}

}  // namespace store::sql
