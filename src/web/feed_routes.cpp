// Feeds, sitemaps and robots.txt. Feeds carry the dek and the teaser only: the
// gated half is never read for them.
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "feeds/feeds.h"
#include "web/page_routes.h"
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

std::vector<feeds::SitemapUrl> Site::sitemap_pages(core::UnixTime now) {
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
  for (const auto& p : page_routes_->pages().published(store_.versions().content)) {
    urls.push_back({base_url_ + p.path, p.page.updated_at});
  }
  return urls;
}

std::vector<feeds::SitemapUrl> Site::sitemap_articles(core::UnixTime now, int file, int& total) {
  store::ArticleQuery q;
  q.now = now;
  q.limit = config_.sitemap_urls;
  q.offset = (file - 1) * config_.sitemap_urls;
  auto list = content_.list_articles(q);
  total = list.total;
  std::vector<feeds::SitemapUrl> urls;
  for (const auto& a : list.items) {
    urls.push_back({base_url_ + article_url(a.slug), std::max(a.updated_at, a.published_at)});
  }
  return urls;
}

Response Site::sitemap(Request&) {
  auto now = clock_.now();
  int total = 0;
  auto articles = sitemap_articles(now, 1, total);
  if (total <= config_.sitemap_urls) {
    auto urls = sitemap_pages(now);
    urls.insert(urls.end(), articles.begin(), articles.end());
    return xml(feeds::sitemap(urls), "application/xml; charset=utf-8");
  }
  // More articles than one file should hold: an index of the pages and the article files
  // (newest articles first, so file 1 changes most).
  std::vector<feeds::SitemapUrl> files;
  files.push_back({base_url_ + "/sitemaps/pages.xml", content_.last_modified(now)});
  int count = (total + config_.sitemap_urls - 1) / config_.sitemap_urls;
  for (int i = 1; i <= count; ++i) {
    files.push_back({base_url_ + "/sitemaps/articles-" + std::to_string(i) + ".xml",
                     i == 1 && !articles.empty() ? articles.front().lastmod : 0});
  }
  return xml(feeds::sitemap_index(files), "application/xml; charset=utf-8");
}

Response Site::sitemap_file(Request& req) {
  auto now = clock_.now();
  std::string file = req.param("file");
  if (file == "pages.xml") return xml(feeds::sitemap(sitemap_pages(now)), "application/xml; charset=utf-8");
  std::optional<long long> n;
  if (file.starts_with("articles-") && file.ends_with(".xml")) {
    n = positive_id(std::string_view(file).substr(9, file.size() - 13));
  }
  int total = 0;
  std::vector<feeds::SitemapUrl> urls;
  if (n && *n <= 1000) urls = sitemap_articles(now, static_cast<int>(*n), total);
  if (urls.empty()) return error_page(404, "Page not found", "There is no such sitemap.");
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
