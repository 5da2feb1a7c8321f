// HTML page handlers: home, article, taxonomy pages and the archive.
#include <algorithm>
#include <charconv>
#include <map>
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "core/time.h"
#include "web/site.h"
#include "media/images.h"
#include "web/curator_routes.h"
#include "web/map_routes.h"

namespace web {

using content::ArticleType;
using content::TermKind;
using nlohmann::json;

namespace {

std::string json_ld(const json& j) {
  // "</script>" must never close the script element early.
  std::string s = j.dump(-1, ' ', false, json::error_handler_t::replace);
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '<') {
      out += "\\u003c";
    } else {
      out += s[i];
    }
  }
  return out;
}

const char* kind_heading(TermKind kind) {
  switch (kind) {
    case TermKind::kTopic: return "Topics";
    case TermKind::kCountry: return "Countries and regions";
    case TermKind::kAuthor: return "Authors";
  }
  return "";
}

const char* kind_eyebrow(TermKind kind) {
  switch (kind) {
    case TermKind::kTopic: return "Topic";
    case TermKind::kCountry: return "Country";
    case TermKind::kAuthor: return "Author";
  }
  return "";
}

}  // namespace

Response Site::home(Request& req) {
  auto now = clock_.now();
  json view;
  view["site"] = site_view("/", &req);
  view["page"] = page_meta(config_.site_name + ": " + config_.site_description,
                           config_.site_description, "/");
  view["page"]["jsonld"] = json_ld({{"@context", "https://schema.org"},
                                    {"@type", "WebSite"},
                                    {"name", config_.site_name},
                                    {"url", base_url_ + "/"}});
  view["site_name"] = config_.site_name;
  view["site_description"] = config_.site_description;
  view["credits_total"] = std::to_string(config_.monthly_credits);
  std::vector<long long> shown;

  store::ArticleQuery q;
  q.now = now;
  q.type = ArticleType::kAnalysis;
  q.limit = 1;
  auto lead = content_.list_articles(q);
  if (lead.items.empty()) {
    q.type.reset();
    lead = content_.list_articles(q);
  }
  // Pictures for the cards that carry one: the lead first, the rest as they scroll in.
  const std::string media_dir = editorial_.media_dir();
  auto picture = [&](json& c, const content::ArticleSummary& a, const char* sizes, Fetch fetch) {
    c["image"] = card_picture(a, media_dir, config_.brand_accent, sizes, fetch);
  };
  if (!lead.items.empty()) {
    json c = card(lead.items[0]);
    picture(c, lead.items[0], "(max-width: 760px) 100vw, 720px", Fetch::kFirst);
    c["lead"] = true;
    view["lead"] = c;
    shown.push_back(lead.items[0].id);
  }

  store::ArticleQuery second_q;
  second_q.now = now;
  second_q.limit = 2;
  second_q.type = ArticleType::kAnalysis;
  second_q.exclude_ids = shown;
  auto secondary = content_.list_articles(second_q);
  for (const auto& a : secondary.items) shown.push_back(a.id);
  json secondary_cards = json::array();
  for (const auto& a : secondary.items) {
    secondary_cards.push_back(card(a));
    picture(secondary_cards.back(), a, "(max-width: 760px) 100vw, 360px", Fetch::kEager);
  }
  view["secondary"] = secondary_cards;
  view["has_secondary"] = !secondary.items.empty();

  // Most read: views counted on this server over the last seven days.
  {
    std::vector<long long> ids;
    for (const auto& [id, views] : store_.events().most_viewed(
             core::format_local_day(now - 6 * 86400, config_.timezone),
             core::format_local_day(now, config_.timezone), 10)) {
      ids.push_back(id);
    }
    json most = json::array();
    int rank = 0;
    for (const auto& a : content_.visible_summaries(ids, now)) {
      if (rank == 5) break;
      json c = card(a, false);
      c["rank"] = std::to_string(++rank);
      most.push_back(c);
    }
    view["most_read"] = most;
    view["has_most_read"] = !most.empty();
  }

  store::ArticleQuery latest_q;
  latest_q.now = now;
  latest_q.limit = 7;
  latest_q.exclude_ids = shown;
  auto latest = content_.list_articles(latest_q);
  json latest_cards = json::array();
  for (const auto& a : latest.items) {
    latest_cards.push_back(card(a, false));
    shown.push_back(a.id);
  }
  view["latest"] = latest_cards;

  store::ArticleQuery fq;
  fq.now = now;
  fq.type = ArticleType::kFeature;
  fq.featured_only = true;
  fq.limit = 3;
  fq.exclude_ids = shown;
  auto features = content_.list_articles(fq);
  if (features.items.empty()) {
    fq.featured_only = false;
    features = content_.list_articles(fq);
  }
  for (const auto& a : features.items) shown.push_back(a.id);
  json feature_cards = json::array();
  for (const auto& a : features.items) {
    feature_cards.push_back(card(a));
    picture(feature_cards.back(), a, "(max-width: 760px) 100vw, 360px", Fetch::kLazy);
  }
  view["features"] = feature_cards;
  view["has_features"] = !features.items.empty();

  auto topics = content_.list_terms(TermKind::kTopic, now);
  std::stable_sort(topics.begin(), topics.end(),
                   [](const auto& a, const auto& b) { return a.articles > b.articles; });
  json sections = json::array();
  for (std::size_t i = 0; i < topics.size() && i < 6; ++i) {
    store::ArticleQuery tq;
    tq.now = now;
    tq.term = topics[i].term;
    tq.limit = 4;
    tq.exclude_ids = shown;
    auto list = content_.list_articles(tq);
    if (list.items.empty()) continue;
    for (const auto& a : list.items) shown.push_back(a.id);
    json items = json::array();
    for (const auto& a : list.items) {
      // Filed under this section: its kicker names this topic, not the article's first.
      json c = card(a, false);
      c["first_topic"] = {{"name", topics[i].term.name}, {"url", term_url(topics[i].term)}};
      picture(c, a, "(max-width: 760px) 100vw, 270px", Fetch::kLazy);
      items.push_back(c);
    }
    sections.push_back({{"name", topics[i].term.name},
                        {"slug", topics[i].term.slug},
                        {"url", term_url(topics[i].term)},
                        {"articles", items}});
  }
  view["topic_sections"] = sections;
  return render_page("home", view);
}

Response Site::article(Request& req) {
  auto found = visible_article(req.param("slug"), false);
  if (!found) {
    return error_page(404, "Article not found",
                      "We could not find that article. It may have been moved or unpublished.");
  }
  paywall::Reader reader = reader_for(req, found->summary);
  if (reader.holds_gift_for_this_article) {
    events_.record("gift_open", found->summary.id, state_name(req));
  }
  return render_article(req, *found, reader);
}

Response Site::render_article(Request& req, const content::Article& teaser,
                              const paywall::Reader& reader, const nlohmann::json* preview) {
  auto now = clock_.now();
  const auto* found = &teaser;
  const auto& s = found->summary;
  paywall::Decision decision = paywall::decide(reader, s.access, now);
  std::string body_html = found->teaser_html;
  if (decision.full_text) {
    // Only now is the gated half read from the store.
    auto full = content_.find_article(s.slug, true);
    if (full && full->gated_html && !full->gated_html->empty()) {
      // Where the teaser ended: a reader who registered from the wall lands here.
      body_html += "<div id=\"continue\" class=\"continue-mark\">";
      if (req.query_value("registered") == "1" && req.visitor.member && !req.visitor.member->verified()) {
        body_html += "<p class=\"notice\" role=\"status\">Welcome: keep reading. We sent a link to " +
                     core::html_escape(req.visitor.member->email) +
                     ": confirm your address to choose " + std::to_string(config_.monthly_credits) +
                     " articles a month to read free.</p>";
      }
      body_html += "</div>\n" + *full->gated_html;
    }
  }
  const std::string path = article_url(s.slug);

  json view;
  view["site"] = site_view(path, &req);
  view["site_name"] = config_.site_name;
  std::string description = s.dek.empty() ? core::truncate_words(
                                                core::strip_tags(found->teaser_html), 200)
                                          : s.dek;
  if (!found->seo_description.empty()) description = found->seo_description;
  // A search title is the whole title, as the editor (or the old site) wrote it.
  view["page"] = page_meta(found->seo_title.empty() ? s.headline + " · " + config_.site_name
                                                    : found->seo_title,
                           description, path);
  view["page"]["og_title"] = found->seo_title.empty() ? s.headline : found->seo_title;
  view["page"]["og_type"] = "article";
  view["page"]["published_iso"] = core::format_rfc3339(s.published_at);
  view["page"]["modified_iso"] = core::format_rfc3339(std::max(s.updated_at, s.published_at));

  json authors_ld = json::array();
  for (const auto& a : s.authors) {
    authors_ld.push_back({{"@type", "Person"}, {"name", a.name}, {"url", base_url_ + term_url(a)}});
  }
  json ld = {{"@context", "https://schema.org"},
             {"@type", "NewsArticle"},
             {"headline", s.headline},
             {"description", description},
             {"datePublished", core::format_rfc3339(s.published_at)},
             {"dateModified", core::format_rfc3339(std::max(s.updated_at, s.published_at))},
             {"author", authors_ld},
             {"mainEntityOfPage", base_url_ + path},
             {"publisher", {{"@type", "Organization"}, {"name", config_.site_name},
                            {"logo", {{"@type", "ImageObject"}, {"url", base_url_ + "/icon-512.png"}}}}},
             {"isAccessibleForFree", s.access == content::AccessClass::kFree}};
  if (s.access != content::AccessClass::kFree) {
    ld["hasPart"] = {{"@type", "WebPageElement"},
                     {"isAccessibleForFree", false},
                     {"cssSelector", ".paywall"}};
  }
  if (!found->hero_image.empty()) ld["image"] = json::array({base_url_ + "/media/" + found->hero_image});
  view["page"]["jsonld"] = json_ld(ld);

  json art = {{"headline", s.headline},
              {"dek", s.dek},
              {"type_label", std::string(content::display_name(s.type))},
              {"premium", s.access == content::AccessClass::kPremium},
              {"authors", term_links(s.authors)},
              {"has_authors", !s.authors.empty()},
              {"topics", term_links(s.topics)},
              {"countries", term_links(s.countries)},
              {"date_iso", core::format_rfc3339(s.published_at)},
              {"date_display", core::format_long_date(s.published_at, config_.timezone)},
              {"reading_minutes", std::to_string(content::reading_minutes(s.word_count))},
              {"body_html", body_html},
              {"corrections", found->corrections},
              {"has_dek", !s.dek.empty()},
              {"has_corrections", !found->corrections.empty()}};
  if (!found->hero_image.empty()) {
    art["hero"] = "/media/" + found->hero_image;
    // Responsive copies where the upload made them (media/images.h): WebP first. Width
    // descriptors only when there is a choice of widths (each one true); a single
    // full-size WebP is offered as it is.
    auto srcset = [&](std::string_view format) {
      auto list = media::variants(editorial_.media_dir(), found->hero_image, format);
      if (list.size() == 1) return format == "webp" ? "/media/" + list[0].file : std::string();
      return media::srcset(list);
    };
    std::string webp = srcset("webp"), jpg = srcset("jpg");
    if (!webp.empty()) art["hero_webp"] = webp;
    if (!jpg.empty()) art["hero_srcset"] = jpg;
    art["hero_alt"] = found->hero_alt;
    art["hero_caption"] = found->hero_caption;
    art["hero_credit"] = found->hero_credit;
    art["hero_has_text"] = !found->hero_caption.empty() || !found->hero_credit.empty();
    view["page"]["og_image"] = base_url_ + "/media/" + found->hero_image;
  } else if (auto map = country_map(s.countries, config_.brand_accent)) {
    // No picture of its own: its countries' map, here and in social previews.
    art["map"] = {{"src", map->svg}, {"alt", map->alt}};
    view["page"]["og_image"] = base_url_ + map->png;
    view["page"]["og_image_alt"] = map->alt;
    ld["image"] = json::array({base_url_ + map->png});
    view["page"]["jsonld"] = json_ld(ld);
  }
  // "Updated" only for a change on a later day than publication (in the publication's zone).
  if (s.updated_at > s.published_at &&
      core::format_local_day(s.updated_at, config_.timezone) !=
          core::format_local_day(s.published_at, config_.timezone)) {
    art["updated_iso"] = core::format_rfc3339(s.updated_at);
    art["updated_display"] = core::format_long_date(s.updated_at, config_.timezone);
  }
  view["article"] = art;
  if (!decision.full_text) {
    bool signed_in = req.visitor.member.has_value();
    view["wall"] = {{"registration", decision.wall == paywall::Wall::kRegistration},
                    {"verify", decision.wall == paywall::Wall::kVerifyEmail},
                    {"unlock", decision.wall == paywall::Wall::kUnlockOffer},
                    {"subscribe", decision.wall == paywall::Wall::kSubscribe},
                    {"premium", s.access == content::AccessClass::kPremium},
                    {"out_of_credits", signed_in && decision.wall == paywall::Wall::kSubscribe &&
                                           s.access == content::AccessClass::kMetered},
                    {"credits_left", std::to_string(decision.credits_left)},
                    {"credits_total", std::to_string(config_.monthly_credits)},
                    {"credits_plural", decision.credits_left != 1},
                    {"signed_in", signed_in},
                    {"slug", s.slug},
                    {"next", path},
                    {"next_encoded", core::url_encode(path)}};
  } else if (paywall::can_send_gifts(req.visitor) && s.access != content::AccessClass::kFree) {
    int left = paywall_.gifts_left(*req.visitor.member);
    view["gift"] = {{"slug", s.slug},
                    {"left", std::to_string(left) + (left == 1 ? " gift article" : " gift articles")},
                    {"can", left > 0}};
  }
  auto related = curator_routes_->related(s.id, 3);
  view["related"] = cards(related);
  view["has_related"] = !related.empty();
  if (!preview) view["curator"] = curator_routes_->article_view(req, s);
  if (preview) {
    view["preview"] = *preview;
    view["page"]["noindex"] = true;
    return render_page("article", view);  // not counted as a view
  }
  Response res = render_page("article", view);
  res.article_id = s.id;
  res.wall_shown = !decision.full_text;
  res.set_header("Last-Modified", core::format_rfc822(std::max(s.updated_at, s.published_at)));
  return res;
}

Response Site::term_index(Request& req, TermKind kind) {
  auto terms = content_.list_terms(kind, clock_.now());
  std::string path = kind == TermKind::kTopic     ? "/topics"
                     : kind == TermKind::kCountry ? "/countries"
                                                  : "/authors";
  json view;
  view["site"] = site_view(path, &req);
  std::string heading = kind_heading(kind);
  view["page"] = page_meta(heading + " · " + config_.site_name,
                           heading + " covered by " + config_.site_name + ".", path);
  view["heading"] = heading;
  json group_terms = json::array();
  for (const auto& t : terms) {
    group_terms.push_back({{"name", t.term.name},
                           {"url", term_url(t.term)},
                           {"count", std::to_string(t.articles)},
                           {"count_label", t.articles == 1 ? "article" : "articles"}});
  }
  view["groups"] = json::array({{{"slug", "all"}, {"terms", group_terms}}});
  return render_page("terms", view);
}

json Site::listing_cards(const std::vector<content::ArticleSummary>& list, bool maps) {
  json out = json::array();
  const std::string media_dir = editorial_.media_dir();
  for (std::size_t i = 0; i < list.size(); ++i) {
    json c = card(list[i]);
    // The first few are on screen at once; the rest load as they scroll in.
    c["image"] = card_picture(list[i], media_dir, config_.brand_accent, "(max-width: 760px) 33vw, 200px",
                              i < 3 ? Fetch::kEager : Fetch::kLazy, maps);
    out.push_back(std::move(c));
  }
  return out;
}

Response Site::term_page(Request& req, TermKind kind) {
  Response err;
  auto p = paging(req, err);
  if (!p) return err;
  std::string slug = req.param("slug");
  std::optional<content::Term> term;
  if (core::is_valid_slug(slug)) term = content_.find_term(kind, slug);
  if (!term) {
    return error_page(404, std::string(kind_eyebrow(kind)) + " not found",
                      "There is no such page. Browse the full list instead.");
  }
  store::ArticleQuery q;
  q.now = clock_.now();
  q.term = *term;
  q.limit = p->per_page;
  q.offset = (p->page - 1) * p->per_page;
  auto list = content_.list_articles(q);
  int pages = std::max(1, (list.total + p->per_page - 1) / p->per_page);
  if (p->page > pages) {
    return error_page(404, "Page not found", "There are not that many pages here.");
  }
  std::string path = term_url(*term);
  json view;
  view["site"] = site_view(path, &req);
  std::string title = term->name;
  if (p->page > 1) title += " (page " + std::to_string(p->page) + ")";
  std::string intro = kind == TermKind::kAuthor
                          ? "Analysis and features by " + term->name + "."
                          : "Analysis, features and briefings on " + term->name + ".";
  if (std::string bio = content_.term_bio(kind, term->slug); !bio.empty()) intro = bio;
  view["page"] =
      page_meta(title + " · " + config_.site_name, intro,
                p->page > 1 ? path + "?page=" + std::to_string(p->page) : path);
  view["eyebrow"] = kind_eyebrow(kind);
  view["heading"] = term->name;
  view["intro"] = intro;
  // A country's page shows where it is, and its link preview is that map.
  if (kind == TermKind::kCountry) {
    if (auto map = country_map({*term}, config_.brand_accent)) {
      view["map"] = {{"src", map->svg}, {"alt", map->alt}};
      view["page"]["og_image"] = base_url_ + map->png;
      view["page"]["og_image_alt"] = map->alt;
    }
  }
  if (kind != TermKind::kAuthor) {
    view["feed_rss"] = path + "/feed.xml";
    view["feed_atom"] = path + "/atom.xml";
    view["page"]["feed_rss"] = base_url_ + path + "/feed.xml";
    view["page"]["feed_atom"] = base_url_ + path + "/atom.xml";
    view["page"]["feed_title"] = config_.site_name + ": " + term->name;
  }
  // Thumbnails: the article's picture, or its countries' map — except on a country's own
  // page, where every map would show the same country.
  view["items"] = listing_cards(list.items, kind != TermKind::kCountry);
  view["has_items"] = !list.items.empty();
  view["follow"] = curator_routes_->follow_button(req, *term, path);
  view["pagination"] = pagination(path, p->page, pages);
  if (view["pagination"].contains("prev_url")) {
    view["page"]["prev_url"] = base_url_ + view["pagination"]["prev_url"].get<std::string>();
  }
  if (view["pagination"].contains("next_url")) {
    view["page"]["next_url"] = base_url_ + view["pagination"]["next_url"].get<std::string>();
  }
  return render_page("listing", view);
}

Response Site::archive_index(Request& req) {
  auto now = clock_.now();
  std::optional<int> only_year;
  if (auto y = req.param("year"); !y.empty()) {
    int year = 0;
    auto [ptr, ec] = std::from_chars(y.data(), y.data() + y.size(), year);
    if (ec != std::errc() || ptr != y.data() + y.size() || y.size() != 4) {
      return error_page(404, "Page not found", "Archive years look like /archive/2025.");
    }
    only_year = year;
  }
  // (year, month) -> count, in the publication's time zone.
  std::map<std::pair<int, unsigned>, int, std::greater<>> months;
  for (auto t : content_.published_times(now)) {
    auto d = core::local_date(t, config_.timezone);
    if (only_year && d.year != *only_year) continue;
    ++months[{d.year, d.month}];
  }
  if (only_year && months.empty()) {
    return error_page(404, "Nothing published that year", "Browse the full archive instead.");
  }
  json years = json::array();
  int current = 0;
  for (const auto& [ym, count] : months) {
    if (years.empty() || current != ym.first) {
      years.push_back({{"year", std::to_string(ym.first)}, {"months", json::array()}});
      current = ym.first;
    }
    char mm[3];
    std::snprintf(mm, sizeof mm, "%02u", ym.second);
    years.back()["months"].push_back(
        {{"name", core::month_name(ym.second) + " " + std::to_string(ym.first)},
         {"url", "/archive/" + std::to_string(ym.first) + "/" + mm},
         {"count", std::to_string(count) + (count == 1 ? " article" : " articles")}});
  }
  std::string path = only_year ? "/archive/" + std::to_string(*only_year) : "/archive";
  json view;
  view["site"] = site_view("/archive", &req);
  std::string heading = only_year ? "Archive: " + std::to_string(*only_year) : "Archive";
  view["page"] = page_meta(heading + " · " + config_.site_name,
                           "Everything " + config_.site_name + " has published, by month.", path);
  view["heading"] = heading;
  view["years"] = years;
  return render_page("archive", view);
}

Response Site::archive_month(Request& req) {
  Response err;
  auto p = paging(req, err);
  if (!p) return err;
  auto ys = req.param("year"), ms = req.param("month");
  int year = 0, month = 0;
  auto [p1, e1] = std::from_chars(ys.data(), ys.data() + ys.size(), year);
  auto [p2, e2] = std::from_chars(ms.data(), ms.data() + ms.size(), month);
  if (e1 != std::errc() || p1 != ys.data() + ys.size() || ys.size() != 4 ||
      e2 != std::errc() || p2 != ms.data() + ms.size() || ms.size() != 2 || month < 1 ||
      month > 12) {
    return error_page(404, "Page not found", "Archive months look like /archive/2025/03.");
  }
  store::ArticleQuery q;
  q.now = clock_.now();
  q.from = core::local_month_start(year, static_cast<unsigned>(month), config_.timezone);
  q.to = core::local_month_start(year, static_cast<unsigned>(month) + 1, config_.timezone);
  q.limit = p->per_page;
  q.offset = (p->page - 1) * p->per_page;
  auto list = content_.list_articles(q);
  int pages = std::max(1, (list.total + p->per_page - 1) / p->per_page);
  if (list.total == 0 || p->page > pages) {
    return error_page(404, "Nothing published then", "Browse the full archive instead.");
  }
  std::string path = "/archive/" + ys + "/" + ms;
  std::string heading = core::month_name(static_cast<unsigned>(month)) + " " + ys;
  json view;
  view["site"] = site_view("/archive", &req);
  view["page"] = page_meta(heading + " · " + config_.site_name,
                           "Everything published in " + heading + ".",
                           p->page > 1 ? path + "?page=" + std::to_string(p->page) : path);
  view["eyebrow"] = "Archive";
  view["heading"] = heading;
  view["intro"] = std::to_string(list.total) + (list.total == 1 ? " article" : " articles");
  view["items"] = listing_cards(list.items, true);
  view["has_items"] = true;
  view["pagination"] = pagination(path, p->page, pages);
  return render_page("listing", view);
}

}  // namespace web
