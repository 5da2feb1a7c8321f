// Feeds, sitemaps and robots.txt. Feeds carry the dek and the teaser only: the
// gated half is never read for them.
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "feeds/feeds.h"
#include "web/site.h"

namespace web {

using content::TermKind;

namespace {

constexpr int kFeedItems = 30;

Response xml(std::string body, const char* type) {
  Response res;
  res.content_type = type;
  res.body = std::move(body);
  return res;
}

}  // namespace

namespace {

std::vector<feeds::Item> feed_items(store::ContentStore& store, const std::string& base,
                                    const std::vector<content::ArticleSummary>& list) {
  std::vector<feeds::Item> items;
  for (const auto& s : list) {
    auto a = store.find_article(s.slug, /*with_gated=*/false);
    if (!a) continue;
    feeds::Item it;
    it.title = s.headline;
    it.url = base + "/articles/" + s.slug;
    it.summary_html = (s.dek.empty() ? "" : "<p><strong>" + core::html_escape(s.dek) +
                                                "</strong></p>\n") +
                      a->teaser_html;
    for (const auto& t : s.authors) it.authors.push_back(t.name);
    for (const auto& t : s.topics) it.categories.push_back(t.name);
    for (const auto& t : s.countries) it.categories.push_back(t.name);
    it.published = s.published_at;
    it.updated = s.updated_at;
    items.push_back(std::move(it));
  }
  return items;
}

}  // namespace

Response Site::site_feed(Request&, bool atom) {
  store::ArticleQuery q;
  q.now = clock_.now();
  q.limit = kFeedItems;
  auto list = content_.list_articles(q);
  feeds::Channel ch;
  ch.title = config_.site_name;
  ch.description = config_.site_description;
  ch.html_url = base_url_ + "/";
  ch.self_url = base_url_ + (atom ? "/atom.xml" : "/feed.xml");
  ch.site_name = config_.site_name;
  ch.updated = content_.last_modified(q.now);
  auto items = feed_items(content_, base_url_, list.items);
  return atom ? xml(feeds::atom(ch, items), "application/atom+xml; charset=utf-8")
              : xml(feeds::rss(ch, items), "application/rss+xml; charset=utf-8");
}

Response Site::term_feed(Request& req, TermKind kind, bool atom) {
  std::string slug = req.param("slug");
  std::optional<content::Term> term;
  if (core::is_valid_slug(slug)) term = content_.find_term(kind, slug);
  if (!term) return error_page(404, "Feed not found", "There is no such feed.");
  store::ArticleQuery q;
  q.now = clock_.now();
  q.term = *term;
  q.limit = kFeedItems;
  auto list = content_.list_articles(q);
  feeds::Channel ch;
  ch.title = config_.site_name + ": " + term->name;
  ch.description = "Analysis and features on " + term->name + " from " + config_.site_name + ".";
  ch.html_url = base_url_ + term_url(*term);
  ch.self_url = ch.html_url + (atom ? "/atom.xml" : "/feed.xml");
  ch.site_name = config_.site_name;
  ch.updated = list.items.empty() ? content_.last_modified(q.now)
                                  : std::max(list.items[0].published_at, list.items[0].updated_at);
  auto items = feed_items(content_, base_url_, list.items);
  return atom ? xml(feeds::atom(ch, items), "application/atom+xml; charset=utf-8")
              : xml(feeds::rss(ch, items), "application/rss+xml; charset=utf-8");
}

Response Site::sitemap(Request&) {
  auto now = clock_.now();
  std::vector<feeds::SitemapUrl> urls;
  urls.push_back({base_url_ + "/", content_.last_modified(now)});
  for (const char* p : {"/topics", "/countries", "/authors", "/archive"}) {
    urls.push_back({base_url_ + p, 0});
  }
  for (auto kind : {TermKind::kTopic, TermKind::kCountry, TermKind::kAuthor}) {
    for (const auto& t : content_.list_terms(kind, now)) {
      urls.push_back({base_url_ + term_url(t.term), 0});
    }
  }
  // The sitemap protocol allows 50,000 URLs a file.
  store::ArticleQuery q;
  q.now = now;
  q.limit = 49000;
  auto list = content_.list_articles(q);
  for (const auto& a : list.items) {
    urls.push_back({base_url_ + article_url(a.slug), std::max(a.updated_at, a.published_at)});
  }
  return xml(feeds::sitemap(urls), "application/xml; charset=utf-8");
}

Response Site::news_sitemap(Request&) {
  auto now = clock_.now();
  store::ArticleQuery q;
  q.now = now;
  q.from = now - 2 * 86400;
  q.limit = 1000;  // the news sitemap protocol's limit
  auto list = content_.list_articles(q);
  std::vector<feeds::NewsUrl> urls;
  for (const auto& a : list.items) {
    urls.push_back({base_url_ + article_url(a.slug), a.headline, a.published_at});
  }
  return xml(feeds::news_sitemap(config_.site_name, urls), "application/xml; charset=utf-8");
}

Response Site::robots(Request&) {
  Response res;
  res.content_type = "text/plain; charset=utf-8";
  res.body = "User-agent: *\nDisallow: /admin\nDisallow: /account\nDisallow: /api/\n"
             "Allow: /\n\nSitemap: " +
             base_url_ + "/sitemap.xml\nSitemap: " + base_url_ + "/news-sitemap.xml\n";
  return res;
}

}  // namespace web
