#include "curator/alerts.h"

#include <cstdio>
#include <map>
#include <unordered_map>

#include "core/crypto.h"
#include "core/text.h"
#include "core/time.h"
#include "store/curator_store.h"

namespace curator {

namespace {

constexpr int kBatch = 500;
constexpr core::UnixTime kInstantWindow = 86400;  // articles published in the last day

std::string kind_key(const content::Term& t) {
  return std::string(content::to_string(t.kind)) + ":" + t.slug;
}

}  // namespace

Alerts::Alerts(store::Store& store, mail::Mailer& mailer, const core::Clock& clock,
               const core::Config& config, std::string secret)
    : store_(store), mailer_(mailer), clock_(clock), config_(config), secret_(std::move(secret)) {}

Alerts::~Alerts() {
  if (loop_) loop_->stop();
}

std::string Alerts::token(long long member_id, const std::string& key) const {
  return core::hmac_sha256(secret_, "alerts:" + std::to_string(member_id) + ":" + key);
}

std::string Alerts::unsubscribe_url(long long member_id, const std::string& key) const {
  return config_.base_url() + "/alerts/unsubscribe?m=" + std::to_string(member_id) +
         "&k=" + core::url_encode(key) + "&t=" + core::url_encode(token(member_id, key));
}

bool Alerts::token_valid(long long member_id, const std::string& key, const std::string& t) const {
  return core::constant_time_equal(t, token(member_id, key));
}

core::UnixTime Alerts::digest_time(core::UnixTime now) const {
  int minutes = std::max(0, core::parse_time_of_day(config_.alerts_digest_at));
  auto d = core::local_date(now, config_.timezone);
  core::UnixTime today = core::local_day_start(d.year, d.month, d.day, config_.timezone) + minutes * 60;
  if (today <= now) return today;
  auto y = core::local_date(now - 86400, config_.timezone);
  return core::local_day_start(y.year, y.month, y.day, config_.timezone) + minutes * 60;
}

AlertReport Alerts::run_once(bool digest, std::optional<core::UnixTime> digest_end) {
  std::lock_guard lock(run_mu_);
  AlertReport r;
  r.instant = send_instant();
  if (digest) r.digests = send_digests(digest_end ? *digest_end : digest_time(clock_.now()));
  return r;
}

void Alerts::start() {
  if (loop_) return;
  loop_ = std::make_unique<core::Periodic>(
      "alerts", std::chrono::seconds(std::max(1, config_.alerts_interval_seconds)),
      [this] {
        core::UnixTime end = digest_time(clock_.now());
        bool digest = end != last_digest_;
        auto r = run_once(digest, end);
        if (digest) last_digest_ = end;
        if (r.instant + r.digests > 0) {
          std::fprintf(stderr, "meridian: alerts: %d sent, %d digests\n", r.instant, r.digests);
        }
        return true;
      },
      std::chrono::minutes(5));
  loop_->start();
}

int Alerts::send_instant() {
  auto& cs = store_.curator();
  core::UnixTime now = clock_.now();
  int sent = 0;
  for (;;) {
    auto due = cs.alerts_due(store::AlertMode::kInstant, now - kInstantWindow, now + 1, kBatch);
    if (due.empty()) break;
    std::vector<long long> ids;
    for (const auto& d : due) ids.push_back(d.article_id);
    std::unordered_map<long long, content::ArticleSummary> articles;
    for (auto& a : store_.content().visible_summaries(ids, now)) articles.emplace(a.id, std::move(a));
    std::unordered_map<long long, std::vector<store::Follow>> follows;
    int claimed_any = 0;
    for (const auto& d : due) {
      auto claimed = cs.mark_alerted(d.member_id, d.article_id, now);
      if (!claimed || !*claimed) continue;  // another round has it
      ++claimed_any;
      auto a = articles.find(d.article_id);
      if (a == articles.end()) continue;
      if (!follows.count(d.member_id)) follows[d.member_id] = cs.follows(d.member_id);
      content::Term term;
      for (const auto& f : follows[d.member_id]) {
        if (f.term_id == d.term_id) term = f.term;
      }
      std::string url = config_.base_url() + "/articles/" + a->second.slug;
      std::string unsubscribe = unsubscribe_url(d.member_id, kind_key(term));
      std::string manage = config_.base_url() + "/account/following";
      mail::Message m;
      m.to = d.email;
      m.subject = "New on " + term.name + ": " + a->second.headline;
      m.text = a->second.headline + "\n" + a->second.dek + "\n" + url + "\n\n--\nYou follow " +
               term.name + " on " + config_.site_name + " and asked to hear of new analysis.\n" +
               "Your alerts: " + manage + "\nStop alerts about " + term.name + ": " + unsubscribe + "\n";
      m.html = "<!doctype html><html><body style=\"font-family:Georgia,serif;color:#1a1a1a\">"
               "<p style=\"font-family:Arial,sans-serif;font-size:12px;text-transform:uppercase\">New on " +
               core::html_escape(term.name) + "</p><p><a href=\"" + core::html_escape(url) +
               "\" style=\"font-size:20px;font-weight:bold;color:#0b4f8a\">" +
               core::html_escape(a->second.headline) + "</a><br>" + core::html_escape(a->second.dek) +
               "</p><p style=\"font-family:Arial,sans-serif;font-size:12px;color:#555\">You follow " +
               core::html_escape(term.name) + ". <a href=\"" + core::html_escape(manage) +
               "\">Your alerts</a> · <a href=\"" + core::html_escape(unsubscribe) +
               "\">Stop these alerts</a></p></body></html>";
      m.headers.push_back({"List-Unsubscribe", "<" + unsubscribe + ">"});
      m.headers.push_back({"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"});
      m.message_id = "alert-" + std::to_string(d.member_id) + "." + std::to_string(d.article_id) + "@" +
                     mail::message_id_domain(config_.mail_from);
      if (mailer_.send(m)) ++sent;
    }
    if (static_cast<int>(due.size()) < kBatch || claimed_any == 0) break;
  }
  return sent;
}

int Alerts::send_digests(core::UnixTime end) {
  auto& cs = store_.curator();
  core::UnixTime now = clock_.now();
  // What was published in the two days before the digest time and not yet alerted (a day,
  // with a day's slack for a server that was down).
  std::map<long long, std::vector<store::AlertDue>> by_member;
  for (;;) {
    auto due = cs.alerts_due(store::AlertMode::kDaily, end - 2 * 86400, end, kBatch);
    if (due.empty()) break;
    std::size_t added = 0;
    for (const auto& d : due) {
      auto claimed = cs.mark_alerted(d.member_id, d.article_id, now);
      if (!claimed || !*claimed) continue;
      by_member[d.member_id].push_back(d);
      ++added;
    }
    if (static_cast<int>(due.size()) < kBatch || added == 0) break;
  }
  int sent = 0;
  for (const auto& [member, items] : by_member) {
    std::vector<long long> ids;
    for (const auto& d : items) ids.push_back(d.article_id);
    auto articles = store_.content().visible_summaries(ids, now);
    if (articles.empty()) continue;
    auto follows = cs.follows(member);
    auto name_of = [&](long long term_id) {
      for (const auto& f : follows) {
        if (f.term_id == term_id) return f.term.name;
      }
      return std::string();
    };
    std::string unsubscribe = unsubscribe_url(member, "daily");
    std::string manage = config_.base_url() + "/account/following";
    mail::Message m;
    m.to = items.front().email;
    m.subject = "Your daily alerts: " + std::to_string(articles.size()) +
                (articles.size() == 1 ? " new article" : " new articles");
    m.text = "New analysis on what you follow\n\n";
    m.html = "<!doctype html><html><body style=\"font-family:Georgia,serif;color:#1a1a1a\">"
             "<h1 style=\"font-size:22px\">New analysis on what you follow</h1>";
    for (const auto& a : articles) {
      std::string term;
      for (const auto& d : items) {
        if (d.article_id == a.id) term = name_of(d.term_id);
      }
      std::string url = config_.base_url() + "/articles/" + a.slug;
      m.text += "* " + a.headline + " (" + term + ")\n  " + a.dek + "\n  " + url + "\n\n";
      m.html += "<p><span style=\"font-family:Arial,sans-serif;font-size:12px\">" +
                core::html_escape(term) + "</span><br><a href=\"" + core::html_escape(url) +
                "\" style=\"font-size:18px;font-weight:bold;color:#0b4f8a\">" +
                core::html_escape(a.headline) + "</a><br>" + core::html_escape(a.dek) + "</p>";
    }
    m.text += "--\nYour alerts: " + manage + "\nStop daily alert digests: " + unsubscribe + "\n";
    m.html += "<p style=\"font-family:Arial,sans-serif;font-size:12px;color:#555\"><a href=\"" +
              core::html_escape(manage) + "\">Your alerts</a> · <a href=\"" +
              core::html_escape(unsubscribe) + "\">Stop daily digests</a></p></body></html>";
    m.headers.push_back({"List-Unsubscribe", "<" + unsubscribe + ">"});
    m.headers.push_back({"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"});
    m.message_id = "alert-digest-" + std::to_string(member) + "." + std::to_string(end) + "@" +
                   mail::message_id_domain(config_.mail_from);
    if (mailer_.send(m)) ++sent;
  }
  return sent;
}

}  // namespace curator
