// Syndication and discovery documents: RSS 2.0, Atom 1.0, sitemap.xml and the
// Google News sitemap. Callers pass teasers only; these functions never see gated
// text. Pure and thread-safe.
#pragma once

#include <string>
#include <vector>

#include "core/clock.h"

namespace feeds {

struct Channel {
  std::string title;
  std::string description;
  std::string html_url;  // the page this feed mirrors
  std::string self_url;  // the feed's own URL
  std::string site_name;
  core::UnixTime updated = 0;
};

struct Item {
  std::string title;
  std::string url;
  std::string summary_html;  // dek and teaser, already sanitized
  std::vector<std::string> authors;
  std::vector<std::string> categories;
  core::UnixTime published = 0;
  core::UnixTime updated = 0;
};

std::string rss(const Channel& channel, const std::vector<Item>& items);
std::string atom(const Channel& channel, const std::vector<Item>& items);

struct SitemapUrl {
  std::string loc;
  core::UnixTime lastmod = 0;  // 0: omitted
};
std::string sitemap(const std::vector<SitemapUrl>& urls);
// A sitemap index: the sitemap files, each with the newest lastmod among its URLs.
std::string sitemap_index(const std::vector<SitemapUrl>& sitemaps);

struct NewsUrl {
  std::string loc;
  std::string title;
  core::UnixTime published = 0;
};
std::string news_sitemap(const std::string& publication, const std::vector<NewsUrl>& urls);

}  // namespace feeds
