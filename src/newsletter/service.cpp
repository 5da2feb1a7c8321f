#include "newsletter/service.h"

#include <date/date.h>
#include <date/iso_week.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "core/crypto.h"
#include "core/text.h"
#include "core/time.h"

namespace newsletter {

namespace {

std::string title_of(const std::string& n) {
  if (n == "daily") return "The Daily Review";
  if (n == "weekly") return "The Weekly Review";
  return "This week at Meridian";
}

}  // namespace

bool valid_newsletter(const std::string& name) {
  return name == "daily" || name == "weekly" || name == "free";
}

std::string edition_key(const std::string& newsletter, core::UnixTime day_start,
                        const std::string& tz) {
  auto d = core::local_date(day_start + 43200, tz);
  char buf[16];
  if (newsletter == "weekly") {
    auto ymd = date::year{d.year} / date::month{d.month} / date::day{d.day};
    iso_week::year_weeknum_weekday w{date::sys_days{ymd}};
    std::snprintf(buf, sizeof buf, "%04d-W%02u", static_cast<int>(w.year()),
                  static_cast<unsigned>(w.weeknum()));
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", d.year, d.month, d.day);
  }
  return buf;
}

NewsletterService::NewsletterService(store::Store& store, const core::Clock& clock,
                                     const core::Config& config, MailerFactory mailers,
                                     Options options, std::string secret)
    : store_(store), clock_(clock), config_(config), mailers_(std::move(mailers)),
      options_(options), secret_(std::move(secret)) {}

store::Edition NewsletterService::compose(const std::string& newsletter, const std::string& key,
                                          core::UnixTime day_start) {
  // Automatic sections: the latest analysis since the previous edition (daily), the
  // week's coverage (weekly), highlights leading to metered articles (free).
  store::ArticleQuery q;
  q.now = day_start + 86400;
  q.to = day_start + 86400;
  q.limit = 10;
  if (newsletter == "daily") {
    q.type = content::ArticleType::kAnalysis;
    q.from = day_start - 86400;
    if (auto prev = store_.newsletters().latest_sent_edition("daily", key)) {
      if (auto t = core::parse_date(prev->key)) q.from = std::max(*q.from, *t + 86400);
    }
  } else if (newsletter == "weekly") {
    q.from = day_start - 6 * 86400;
    q.limit = 15;
  } else {
    q.from = day_start - 6 * 86400;
    q.limit = 6;
  }
  auto list = store_.content().list_articles(q);
  std::string base = config_.base_url();
  std::string title = title_of(newsletter);
  store::Edition e;
  e.newsletter = newsletter;
  e.key = key;
  e.subject = title + ", " + core::format_long_date(day_start + 43200, config_.timezone);
  std::string text = title + "\n" + std::string(title.size(), '=') + "\n\n";
  std::string html =
      "<div style=\"max-width:600px;margin:0 auto;font-family:Georgia,serif;color:#1a1a1a\">"
      "<h1 style=\"font-size:26px;border-bottom:3px double #1a1a1a;padding-bottom:8px\">" +
      core::html_escape(title) + "</h1>";
  const char* heading = newsletter == "daily"    ? "The latest analysis"
                        : newsletter == "weekly" ? "The week's coverage"
                                                 : "Highlights";
  text += std::string(heading) + "\n\n";
  html += "<h2 style=\"font-family:Arial,sans-serif;font-size:13px;text-transform:uppercase;"
          "letter-spacing:1px\">" +
          std::string(heading) + "</h2>";
  if (list.items.empty()) {
    text += "Nothing new since the last edition.\n\n";
    html += "<p>Nothing new since the last edition.</p>";
  }
  for (const auto& a : list.items) {
    std::string url = base + "/articles/" + a.slug;
    text += "* " + a.headline + "\n  " + a.dek + "\n  " + url + "\n\n";
    html += "<p style=\"margin:0 0 16px\"><a href=\"" + core::html_escape(url) +
            "\" style=\"font-size:18px;font-weight:bold;color:#0b4f8a\">" +
            core::html_escape(a.headline) + "</a><br><span style=\"color:#444\">" +
            core::html_escape(a.dek) + "</span></p>";
  }
  e.text = text;
  e.html = html;
  return e;
}

core::Result<store::Edition> NewsletterService::edition(const std::string& newsletter,
                                                        const std::string& date) {
  if (!valid_newsletter(newsletter)) {
    return core::fail(core::ErrorCode::kInvalidInput,
                      "unknown newsletter '" + newsletter + "' (daily, weekly or free)");
  }
  core::UnixTime day_start;
  if (date.empty()) {
    auto d = core::local_date(clock_.now(), config_.timezone);
    day_start = core::local_day_start(d.year, d.month, d.day, config_.timezone);
  } else {
    auto t = core::parse_date(date);
    if (!t) return core::fail(core::ErrorCode::kInvalidInput, "--date must look like 2026-11-30");
    auto d = core::local_date(*t + 43200, "UTC");
    day_start = core::local_day_start(d.year, d.month, d.day, config_.timezone);
  }
  std::string key = edition_key(newsletter, day_start, config_.timezone);
  if (auto existing = store_.newsletters().find_edition(newsletter, key)) return *existing;
  return store_.newsletters().create_edition(compose(newsletter, key, day_start), clock_.now());
}

std::string NewsletterService::unsubscribe_url(long long member_id, const std::string& newsletter) {
  std::string m = std::to_string(member_id);
  return config_.base_url() + "/newsletters/unsubscribe?m=" + m + "&n=" + newsletter +
         "&t=" + core::hmac_sha256(secret_, "unsubscribe:" + m + ":" + newsletter);
}

bool NewsletterService::unsubscribe_token_valid(long long member_id, const std::string& newsletter,
                                                const std::string& token) {
  return core::constant_time_equal(
      token, core::hmac_sha256(secret_, "unsubscribe:" + std::to_string(member_id) + ":" +
                                            newsletter));
}

mail::Message NewsletterService::message_for(const store::Edition& e, long long member_id,
                                             const std::string& email) {
  mail::Message m;
  m.to = email;
  m.subject = e.subject;
  std::string unsubscribe = unsubscribe_url(member_id, e.newsletter);
  std::string prefs = config_.base_url() + "/account";
  std::string web = config_.base_url() + "/newsletters/" + e.newsletter + "/" + e.key;
  m.text = "View in your browser: " + web + "\n\n" + e.text +
           "--\nYour newsletter preferences: " + prefs + "\nUnsubscribe from " +
           title_of(e.newsletter) + ": " + unsubscribe + "\n";
  m.html = "<!doctype html><html><body style=\"margin:0;padding:16px;background:#fbfaf7\">"
           "<p style=\"font-family:Arial,sans-serif;font-size:12px;text-align:center\"><a href=\"" +
           core::html_escape(web) + "\">View in your browser</a></p>" + e.html +
           "<p style=\"font-family:Arial,sans-serif;font-size:12px;color:#555;border-top:1px solid "
           "#ddd;padding-top:8px\"><a href=\"" +
           core::html_escape(prefs) + "\">Newsletter preferences</a> · <a href=\"" +
           core::html_escape(unsubscribe) + "\">Unsubscribe</a></p></div></body></html>";
  m.headers.push_back({"List-Unsubscribe", "<" + unsubscribe + ">"});
  m.headers.push_back({"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"});
  m.headers.push_back({"List-Id", title_of(e.newsletter) + " <" + e.newsletter + ".meridian>"});
  // The same id for the same (edition, reader): a downstream duplicate is recognisable.
  std::string domain = mail::address_of(config_.mail_from);
  auto at = domain.find('@');
  domain = at == std::string::npos ? "meridian.local" : domain.substr(at + 1);
  m.message_id = "edition-" + std::to_string(e.id) + "." + std::to_string(member_id) + "@" + domain;
  return m;
}

core::Result<SendReport> NewsletterService::send(
    const std::string& newsletter, const std::string& date,
    const std::function<void(int done, int total)>& progress, bool wait_for_retries) {
  auto e = edition(newsletter, date);
  if (!e) return std::unexpected(e.error());
  SendReport report;
  auto& ns = store_.newsletters();
  auto queued = ns.enqueue(e->id, ns.audience(newsletter, clock_.now(), options_.max_bounces));
  if (!queued) return std::unexpected(queued.error());
  report.queued = *queued;
  int total = ns.counts(e->id).pending;
  std::atomic<int> done{0}, sent{0}, failed{0};
  std::mutex rate_mu;
  std::mutex write_mu;
  auto next_slot = std::chrono::steady_clock::now();

  // One round: workers (one SMTP connection each) take due deliveries from the queue.
  // A delivery is handed out at most once per round — a batch read before another
  // worker stored its result may still list it — and temporary failures wait for the
  // next round.
  auto run_round = [&] {
    std::mutex mu;
    std::vector<store::Delivery> batch;
    std::size_t pos = 0;
    std::set<long long> handed;
    auto take = [&]() -> std::optional<store::Delivery> {
      std::lock_guard lock(mu);
      for (;;) {
        while (pos < batch.size()) {
          auto d = batch[pos++];
          if (handed.insert(d.member_id).second) return d;
        }
        batch = ns.due(e->id, clock_.now(), 256);
        pos = 0;
        // A fresh read that holds nothing new means the round is over.
        bool fresh = false;
        for (const auto& d : batch) fresh = fresh || !handed.count(d.member_id);
        if (!fresh) break;
      }
      return std::nullopt;
    };
    std::vector<std::thread> workers;
    for (int w = 0; w < std::max(1, options_.connections); ++w) {
      workers.emplace_back([&] {
        auto mailer = mailers_();
        while (auto d = take()) {
          if (options_.rate_per_second > 0) {
            std::unique_lock lock(rate_mu);
            auto now = std::chrono::steady_clock::now();
            if (next_slot > now) std::this_thread::sleep_until(next_slot);
            next_slot = std::max(now, next_slot) +
                        std::chrono::microseconds(
                            static_cast<long long>(1e6 / options_.rate_per_second));
          }
          auto result = mailer->send(message_for(*e, d->member_id, d->email));
          // Writes are serialised here: SQLite allows one writer, and its busy handler
          // would otherwise put contending workers to sleep for milliseconds.
          std::lock_guard write(write_mu);
          if (result) {
            (void)ns.mark_sent(e->id, d->member_id, clock_.now());
            ++sent;
          } else {
            bool permanent = result.error().code == core::ErrorCode::kInvalidInput ||
                             d->attempts + 1 >= options_.max_attempts;
            long long delay = static_cast<long long>(options_.retry_seconds)
                              << std::min(d->attempts, 10);
            (void)ns.mark_failed(e->id, d->member_id, result.error().message, permanent,
                                 clock_.now() + delay);
            if (permanent) ++failed;
          }
          int n = ++done;
          if (progress) progress(n, total);
        }
      });
    }
    for (auto& t : workers) t.join();
  };

  run_round();
  // Temporary failures are retried with back-off, a bounded number of times, in this run;
  // whatever is still pending afterwards stays queued for the next run.
  for (int round = 0; wait_for_retries && round < options_.max_attempts &&
                      ns.counts(e->id).pending > 0;
       ++round) {
    long long wait = std::min<long long>(300, static_cast<long long>(options_.retry_seconds) << round);
    std::this_thread::sleep_for(std::chrono::seconds(wait));
    run_round();
  }
  report.sent = sent;
  report.failed = failed;
  report.totals = ns.counts(e->id);
  return report;
}

}  // namespace newsletter
