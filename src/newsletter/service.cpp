#include "newsletter/service.h"

#include <date/date.h>
#include <date/iso_week.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <algorithm>
#include <cstdio>
#include <map>

#include "core/crypto.h"
#include "core/text.h"
#include "core/time.h"
#include "newsletter/journal.h"
#include "newsletter/personal.h"
#include "store/curator_store.h"

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

core::Result<EditionRef> NewsletterService::resolve(const std::string& newsletter,
                                                    const std::string& date) const {
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
  return EditionRef{newsletter, edition_key(newsletter, day_start, config_.timezone), day_start,
                    core::format_local_day(day_start + 43200, config_.timezone)};
}

std::vector<content::ArticleSummary> NewsletterService::automatic_items(const EditionRef& ref) {
  // The latest analysis since the previous edition (daily), the week's coverage (weekly),
  // highlights leading to metered articles (free).
  // Only what readers can open now: an article scheduled for later today joins when it
  // is live (an edition is composed again until it is sent).
  store::ArticleQuery q;
  q.now = std::min<core::UnixTime>(ref.day_start + 86400, clock_.now());
  q.to = q.now;
  q.limit = 10;
  if (ref.newsletter == "daily") {
    q.type = content::ArticleType::kAnalysis;
    q.from = ref.day_start - 86400;
    if (auto prev = store_.newsletters().latest_sent_edition("daily", ref.key)) {
      if (auto t = core::parse_date(prev->key)) q.from = std::max(*q.from, *t + 86400);
    }
  } else if (ref.newsletter == "weekly") {
    q.from = ref.day_start - 6 * 86400;
    q.limit = 15;
  } else {
    q.from = ref.day_start - 6 * 86400;
    q.limit = 6;
  }
  return store_.content().list_articles(q).items;
}

Sections NewsletterService::sections(const EditionRef& ref) {
  auto d = store_.newsletters().edition_draft(ref.newsletter, ref.key);
  if (!d) return {};
  auto s = sections_from_json(d->sections);
  return s ? *s : Sections{};
}

core::Result<void> NewsletterService::save_sections(const EditionRef& ref, const Sections& s,
                                                    std::optional<core::UnixTime> scheduled_at,
                                                    long long member_id) {
  if (auto ok = validate(s); !ok) return ok;
  if (auto e = store_.newsletters().find_edition(ref.newsletter, ref.key)) {
    auto c = store_.newsletters().counts(e->id);
    if (c.pending + c.sent + c.failed > 0) {
      return core::fail(core::ErrorCode::kConflict,
                        "This edition has already gone out; it can no longer be changed.");
    }
  }
  store::NewsletterStore::EditionDraft d;
  d.date = ref.date;
  d.sections = to_json(s);
  d.scheduled_at = scheduled_at;
  return store_.newsletters().save_edition_draft(ref.newsletter, ref.key, d, member_id,
                                                 clock_.now());
}

store::Edition NewsletterService::compose(const EditionRef& ref, const Sections& sections) {
  auto automatic = automatic_items(ref);
  // The editor's order and notes first; items the editor has not placed yet (published
  // since) follow in the automatic order. Items the editor removed stay out.
  std::vector<std::pair<content::ArticleSummary, std::string>> items;
  if (sections.items) {
    for (const auto& placed : *sections.items) {
      auto it = std::find_if(automatic.begin(), automatic.end(),
                             [&](const auto& a) { return a.slug == placed.slug; });
      if (it != automatic.end()) items.emplace_back(*it, placed.note);
    }
  } else {
    for (const auto& a : automatic) items.emplace_back(a, "");
  }
  std::string base = config_.base_url();
  std::string title = title_of(ref.newsletter);
  store::Edition e;
  e.newsletter = ref.newsletter;
  e.key = ref.key;
  e.subject = title + ", " + core::format_long_date(ref.day_start + 43200, config_.timezone);
  std::string text = title + "\n" + std::string(title.size(), '=') + "\n\n";
  std::string html =
      "<div style=\"max-width:600px;margin:0 auto;font-family:Georgia,serif;color:#1a1a1a\">"
      "<h1 style=\"font-size:26px;border-bottom:3px double #1a1a1a;padding-bottom:8px\">" +
      core::html_escape(title) + "</h1>";
  auto heading = [&](const std::string& h) {
    text += h + "\n" + std::string(h.size(), '-') + "\n\n";
    html += "<h2 style=\"font-family:Arial,sans-serif;font-size:13px;text-transform:uppercase;"
            "letter-spacing:1px;margin-top:28px\">" +
            core::html_escape(h) + "</h2>";
  };
  if (!sections.intro.empty()) {
    text += sections.intro + "\n\n";
    html += "<p style=\"font-size:17px;line-height:1.5\">" + core::html_escape(sections.intro) + "</p>";
  }
  if (!sections.briefs.empty()) {
    heading(ref.newsletter == "weekly" ? "The week's news, and our take" : "Today's news, and our take");
    for (const auto& b : sections.briefs) {
      text += "* " + b.headline + "\n";
      if (!b.take.empty()) text += "  " + b.take + "\n";
      if (!b.source_url.empty()) {
        text += "  Source: " + (b.source_name.empty() ? b.source_url : b.source_name + " " + b.source_url) + "\n";
      }
      text += "\n";
      html += "<p style=\"margin:0 0 16px\"><strong style=\"font-size:17px\">" +
              core::html_escape(b.headline) + "</strong>";
      if (!b.take.empty()) html += "<br>" + core::html_escape(b.take);
      if (!b.source_url.empty()) {
        html += "<br><span style=\"font-family:Arial,sans-serif;font-size:13px\">Source: <a href=\"" +
                core::html_escape(b.source_url) + "\" style=\"color:#0b4f8a\">" +
                core::html_escape(b.source_name.empty() ? b.source_url : b.source_name) + "</a></span>";
      }
      html += "</p>";
    }
  }
  heading(ref.newsletter == "daily"    ? "The latest analysis"
          : ref.newsletter == "weekly" ? "The week's coverage"
                                       : "Highlights");
  if (items.empty()) {
    text += "Nothing new since the last edition.\n\n";
    html += "<p>Nothing new since the last edition.</p>";
  }
  // Each item's term ids, so every reader's copy can lead with what they follow
  // (newsletter/personal.h).
  std::map<std::pair<int, std::string>, long long> term_ids;
  for (auto kind : {content::TermKind::kTopic, content::TermKind::kCountry, content::TermKind::kAuthor}) {
    std::vector<std::string> slugs;
    for (const auto& [a, note] : items) {
      const auto& list = kind == content::TermKind::kTopic     ? a.topics
                         : kind == content::TermKind::kCountry ? a.countries
                                                               : a.authors;
      for (const auto& t : list) slugs.push_back(t.slug);
    }
    for (const auto& [slug, id] : store_.curator().term_ids(kind, slugs)) {
      term_ids[{static_cast<int>(kind), slug}] = id;
    }
  }
  for (const auto& [a, note] : items) {
    std::vector<long long> ids;
    for (const auto* list : {&a.topics, &a.countries, &a.authors}) {
      for (const auto& t : *list) {
        auto it = term_ids.find({static_cast<int>(t.kind), t.slug});
        if (it != term_ids.end()) ids.push_back(it->second);
      }
    }
    text += item_open(ids);
    html += item_open(ids);
    std::string url = base + "/articles/" + a.slug;
    // The free newsletter's readers see what each link costs them.
    std::string label;
    if (ref.newsletter == "free") {
      label = a.access == content::AccessClass::kFree      ? "Free to read"
              : a.access == content::AccessClass::kPremium ? "For subscribers"
                                                           : "Uses one of your free articles";
    }
    text += "* " + a.headline + "\n  " + a.dek + "\n";
    if (!note.empty()) text += "  " + note + "\n";
    if (!label.empty()) text += "  (" + label + ")\n";
    text += "  " + url + "\n\n";
    html += "<p style=\"margin:0 0 16px\"><a href=\"" + core::html_escape(url) +
            "\" style=\"font-size:18px;font-weight:bold;color:#0b4f8a\">" +
            core::html_escape(a.headline) + "</a><br><span style=\"color:#444\">" +
            core::html_escape(a.dek) + "</span>";
    if (!note.empty()) html += "<br><em>" + core::html_escape(note) + "</em>";
    if (!label.empty()) {
      html += "<br><span style=\"font-family:Arial,sans-serif;font-size:12px;color:#8a1c1c\">" +
              core::html_escape(label) + "</span>";
    }
    html += "</p>";
    text += item_close();
    html += item_close();
  }
  auto list = [&](const std::string& h, const std::vector<std::string>& lines) {
    if (lines.empty()) return;
    heading(h);
    html += "<ul style=\"padding-left:20px\">";
    for (const auto& line : lines) {
      text += "* " + line + "\n";
      html += "<li style=\"margin:0 0 8px\">" + core::html_escape(line) + "</li>";
    }
    text += "\n";
    html += "</ul>";
  };
  list("On our radar", sections.radar);
  list("What's to come", sections.ahead);
  e.text = text;
  e.html = html;
  return e;
}

core::Result<store::Edition> NewsletterService::edition(const std::string& newsletter,
                                                        const std::string& date) {
  auto ref = resolve(newsletter, date);
  if (!ref) return std::unexpected(ref.error());
  auto& ns = store_.newsletters();
  if (auto existing = ns.find_edition(ref->newsletter, ref->key)) {
    auto c = ns.counts(existing->id);
    if (c.pending + c.sent + c.failed > 0) return *existing;  // final once queued
  }
  // Composed afresh until the first reader is queued, so the desk's last changes and
  // articles published since are in it.
  return ns.save_edition(compose(*ref, sections(*ref)), clock_.now());
}

core::Result<void> NewsletterService::ready_to_send() const {
  // Every link in an edition (List-Unsubscribe too) is built from the site's address; a
  // default one (the listen address) would reach nobody.
  if (config_.site_url.empty()) {
    return core::fail(core::ErrorCode::kInvalidInput,
                      "[site] url is not set, so every link in the newsletter would point to " +
                          config_.base_url() +
                          ". Set it to the publication's public address (meridian.toml, "
                          "MERIDIAN_SITE_URL, or Settings in the back office) and send again.");
  }
  return {};
}

core::Result<void> NewsletterService::send_test(const EditionRef& ref, long long member_id,
                                                const std::string& email) {
  if (auto ok = ready_to_send(); !ok) return ok;
  auto e = compose(ref, sections(ref));
  if (auto stored = store_.newsletters().find_edition(ref.newsletter, ref.key)) e.id = stored->id;
  std::vector<long long> followed;
  for (const auto& f : store_.curator().follows(member_id)) followed.push_back(f.term_id);
  auto m = message_for(e, member_id, email, followed);
  m.subject = "[Test] " + m.subject;
  m.message_id.clear();  // a fresh id: a test is not the edition's delivery
  auto mailer = mailers_();
  return mailer->send(m);
}

core::Result<void> NewsletterService::start_send(const EditionRef& ref) {
  if (auto ok = ready_to_send(); !ok) return ok;
  std::lock_guard lock(bg_mu_);
  if (running_.count(ref.newsletter)) {
    return core::fail(core::ErrorCode::kConflict,
                      "That newsletter is being sent right now; wait for it to finish.");
  }
  running_.insert(ref.newsletter);
  background_.emplace_back([this, ref] {
    try {
      auto report = send(ref.newsletter, ref.date, nullptr, /*wait_for_retries=*/false);
      if (report) {
        std::fprintf(stderr, "meridian: sent %s %s from the desk: %d sent, %d failed, %d pending\n",
                     ref.newsletter.c_str(), ref.key.c_str(), report->totals.sent,
                     report->totals.failed, report->totals.pending);
      } else {
        std::fprintf(stderr, "meridian: %s %s not sent: %s\n", ref.newsletter.c_str(),
                     ref.key.c_str(), report.error().message.c_str());
      }
    } catch (const std::exception& e) {
      // What was sent is recorded; the rest stays queued for the next send or the scheduler.
      std::fprintf(stderr, "meridian: %s %s stopped: %s\n", ref.newsletter.c_str(),
                   ref.key.c_str(), e.what());
    }
    std::lock_guard done(bg_mu_);
    running_.erase(ref.newsletter);
  });
  return {};
}

bool NewsletterService::sending(const std::string& newsletter) {
  std::lock_guard lock(bg_mu_);
  return running_.count(newsletter) > 0;
}

NewsletterService::~NewsletterService() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(bg_mu_);
    threads.swap(background_);
  }
  for (auto& t : threads) t.join();
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

mail::Message NewsletterService::message_for(const store::Edition& stored, long long member_id,
                                             const std::string& email,
                                             const std::vector<long long>& followed) {
  store::Edition e = for_reader(stored, followed);
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
  m.message_id = "edition-" + std::to_string(e.id) + "." + std::to_string(member_id) + "@" +
                 mail::message_id_domain(config_.mail_from);
  return m;
}

core::Result<SendReport> NewsletterService::send(
    const std::string& newsletter, const std::string& date,
    const std::function<void(int done, int total)>& progress, bool wait_for_retries) {
  if (auto ok = ready_to_send(); !ok) return std::unexpected(ok.error());
  auto e = edition(newsletter, date);
  if (!e) return std::unexpected(e.error());
  SendReport report;
  auto& ns = store_.newsletters();
  // The database's share of the edition where it gives one (senders on every node claim
  // batches side by side), else one sender at a time under the data folder's lock. Either
  // way each accepted delivery goes into this folder's journal at once and into the store
  // in batches.
  auto hold = ns.hold_edition(e->id, options_.claim_lease_seconds);
  if (!hold) return std::unexpected(hold.error());
  auto opened = SendJournal::open(config_.data_dir, e->id, *hold ? (*hold)->sender() : 0);
  if (!opened) return std::unexpected(opened.error());
  std::unique_ptr<SendJournal> journal = std::move(*opened);
  // Deliveries an earlier run recorded in its journal but did not store (it was killed);
  // stored, its claims are free for anyone at once.
  if (!journal->leftovers().empty()) {
    if (auto ok = ns.mark_sent_batch(e->id, journal->leftovers(), clock_.now()); !ok) {
      return std::unexpected(ok.error());
    }
  }
  if (*hold) {
    if (auto ok = (*hold)->release_senders(journal->earlier_senders()); !ok) {
      return std::unexpected(ok.error());
    }
  }
  if (auto ok = journal->begin(); !ok) return std::unexpected(ok.error());
  auto queued = ns.enqueue(e->id, ns.audience(newsletter, clock_.now(), options_.max_bounces));
  if (!queued) return std::unexpected(queued.error());
  report.queued = *queued;
  int total = ns.counts(e->id).pending;
  // Every reader's follows, read once: each copy leads with what its reader follows.
  const auto follows = store_.curator().followed_terms_of_all();
  const std::vector<long long> kNone;
  std::atomic<int> done{0}, sent{0}, failed{0}, retry_later{0};
  std::mutex rate_mu;
  std::mutex write_mu;
  auto next_slot = std::chrono::steady_clock::now();
  // Accepted deliveries: in the journal at once, in the store in batches.
  std::vector<long long> accepted;
  // When the store cannot take what the server accepted, sending stops: a later round
  // would otherwise mail those readers again. The journal keeps them for the next run.
  std::atomic<bool> halted{false};
  std::string halt_reason;
  auto store_accepted = [&](std::unique_lock<std::mutex>& write) {  // holding write_mu
    if (accepted.empty()) return;
    std::vector<long long> batch;
    batch.swap(accepted);
    // Sharing the edition (PostgreSQL, many writers), the other workers go on meanwhile;
    // on SQLite (one writer) writes stay one at a time.
    if (*hold) write.unlock();
    auto ok = ns.mark_sent_batch(e->id, batch, clock_.now());
    if (*hold) write.lock();
    if (!ok) {
      halt_reason = ok.error().message;
      halted = true;
    }
  };

  // One round: workers (one SMTP connection each) take due deliveries from the queue,
  // read in member order with a cursor, so each is handed out once a round even while
  // accepted ones wait for their batch to reach the store; temporary failures wait for
  // the next round.
  auto run_round = [&] {
    std::mutex mu;
    std::vector<store::Delivery> batch;
    std::size_t pos = 0;
    long long cursor = 0;
    bool exhausted = false;
    auto take = [&]() -> std::optional<store::Delivery> {
      std::lock_guard lock(mu);
      if (halted) return std::nullopt;
      if (pos == batch.size() && !exhausted) {
        // Claimed in small batches when senders share the edition: work is spread, and
        // what a killed sender held is little.
        batch = *hold ? (*hold)->claim(clock_.now(), 128) : ns.due(e->id, clock_.now(), 512, cursor);
        pos = 0;
        if (batch.empty()) exhausted = true;
        else cursor = batch.back().member_id;
      }
      if (pos < batch.size()) return batch[pos++];
      return std::nullopt;
    };
    std::vector<std::thread> workers;
    for (int w = 0; w < std::max(1, options_.connections); ++w) {
      workers.emplace_back([&] {
       // A store that fails (busy, broken) stops the send cleanly, never the process:
       // what was accepted is in the journal, the rest stays queued.
       try {
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
          auto mine = follows.find(d->member_id);
          auto result = mailer->send(message_for(*e, d->member_id, d->email,
                                                 mine == follows.end() ? kNone : mine->second));
          if (result) {
            // Recorded the moment the server has it: a kill after this line cannot
            // cause a second send.
            auto logged = journal->append(d->member_id);
            std::unique_lock write(write_mu);
            if (!logged) {
              if (auto ok = ns.mark_sent(e->id, d->member_id, clock_.now()); !ok) {
                halt_reason = ok.error().message;
                halted = true;
              }
            } else {
              accepted.push_back(d->member_id);
              // Shared, small batches: what a sender killed for good leaves unstored
              // (sent again after the lease) stays small.
              if (accepted.size() >= (*hold ? 128u : 512u)) store_accepted(write);
            }
            ++sent;
          } else {
            // Writes are serialised: SQLite allows one writer, and its busy handler
            // would otherwise put contending workers to sleep for milliseconds.
            std::lock_guard write(write_mu);
            bool permanent = result.error().code == core::ErrorCode::kInvalidInput ||
                             d->attempts + 1 >= options_.max_attempts;
            long long delay = static_cast<long long>(options_.retry_seconds)
                              << std::min(d->attempts, 10);
            (void)ns.mark_failed(e->id, d->member_id, result.error().message, permanent,
                                 clock_.now() + delay);
            if (*hold && !permanent) (*hold)->release(d->member_id);
            if (permanent) {
              ++failed;
            } else {
              ++retry_later;
            }
          }
          int n = ++done;
          if (progress) progress(n, total);
        }
       } catch (const std::exception& ex) {
        std::lock_guard write(write_mu);
        halt_reason = ex.what();
        halted = true;
       }
      });
    }
    for (auto& t : workers) t.join();
    std::unique_lock write(write_mu);
    store_accepted(write);
  };

  run_round();
  // Temporary failures are retried with back-off, a bounded number of times, in this run;
  // whatever is still pending afterwards stays queued for the next run. Sharing the
  // edition, a sender waits only for its own (the rest pending is another's to send).
  for (int round = 0; !halted && wait_for_retries && round < options_.max_attempts &&
                      (*hold ? retry_later.load() > 0 : ns.counts(e->id).pending > 0);
       ++round) {
    long long wait = std::min<long long>(300, static_cast<long long>(options_.retry_seconds) << round);
    std::this_thread::sleep_for(std::chrono::seconds(wait));
    retry_later = 0;
    run_round();
  }
  if (halted) {
    // The journal stays: the next run stores what it holds before sending anything.
    return core::fail(core::ErrorCode::kUnavailable,
                      "stopped: could not record deliveries (" + halt_reason + "); run again");
  }
  report.sent = sent;
  report.failed = failed;
  report.totals = ns.counts(e->id);
  journal->discard();  // the store has every accepted delivery now
  return report;
}

}  // namespace newsletter
