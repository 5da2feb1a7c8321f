#include "feeds/feeds.h"

#include "core/text.h"
#include "core/time.h"

namespace feeds {

using core::xml_escape;

std::string rss(const Channel& ch, const std::vector<Item>& items) {
  std::string out;
  out.reserve(2048 + items.size() * 1500);
  out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\" "
         "xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n<channel>\n";
  out += "<title>" + xml_escape(ch.title) + "</title>\n";
  out += "<link>" + xml_escape(ch.html_url) + "</link>\n";
  out += "<description>" + xml_escape(ch.description) + "</description>\n";
  out += "<language>en</language>\n";
  out += "<atom:link href=\"" + xml_escape(ch.self_url) +
         "\" rel=\"self\" type=\"application/rss+xml\"/>\n";
  if (ch.updated) out += "<lastBuildDate>" + core::format_rfc822(ch.updated) + "</lastBuildDate>\n";
  for (const auto& it : items) {
    out += "<item>\n";
    out += "<title>" + xml_escape(it.title) + "</title>\n";
    out += "<link>" + xml_escape(it.url) + "</link>\n";
    out += "<guid isPermaLink=\"true\">" + xml_escape(it.url) + "</guid>\n";
    out += "<pubDate>" + core::format_rfc822(it.published) + "</pubDate>\n";
    for (const auto& a : it.authors) out += "<dc:creator>" + xml_escape(a) + "</dc:creator>\n";
    for (const auto& c : it.categories) out += "<category>" + xml_escape(c) + "</category>\n";
    out += "<description>" + xml_escape(it.summary_html) + "</description>\n";
    out += "</item>\n";
  }
  out += "</channel>\n</rss>\n";
  return out;
}

std::string atom(const Channel& ch, const std::vector<Item>& items) {
  std::string out;
  out.reserve(2048 + items.size() * 1500);
  out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"en\">\n";
  out += "<id>" + xml_escape(ch.self_url) + "</id>\n";
  out += "<title>" + xml_escape(ch.title) + "</title>\n";
  out += "<subtitle>" + xml_escape(ch.description) + "</subtitle>\n";
  out += "<updated>" + core::format_rfc3339(ch.updated) + "</updated>\n";
  out += "<link rel=\"self\" type=\"application/atom+xml\" href=\"" + xml_escape(ch.self_url) +
         "\"/>\n";
  out += "<link rel=\"alternate\" type=\"text/html\" href=\"" + xml_escape(ch.html_url) + "\"/>\n";
  out += "<author><name>" + xml_escape(ch.site_name) + "</name></author>\n";
  for (const auto& it : items) {
    out += "<entry>\n";
    out += "<id>" + xml_escape(it.url) + "</id>\n";
    out += "<title>" + xml_escape(it.title) + "</title>\n";
    out += "<link rel=\"alternate\" type=\"text/html\" href=\"" + xml_escape(it.url) + "\"/>\n";
    out += "<published>" + core::format_rfc3339(it.published) + "</published>\n";
    out += "<updated>" + core::format_rfc3339(std::max(it.updated, it.published)) +
           "</updated>\n";
    for (const auto& a : it.authors) {
      out += "<author><name>" + xml_escape(a) + "</name></author>\n";
    }
    for (const auto& c : it.categories) out += "<category term=\"" + xml_escape(c) + "\"/>\n";
    out += "<summary type=\"html\">" + xml_escape(it.summary_html) + "</summary>\n";
    out += "</entry>\n";
  }
  out += "</feed>\n";
  return out;
}

std::string sitemap(const std::vector<SitemapUrl>& urls) {
  std::string out;
  out.reserve(200 + urls.size() * 140);
  out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
  for (const auto& u : urls) {
    out += "<url><loc>" + xml_escape(u.loc) + "</loc>";
    if (u.lastmod) out += "<lastmod>" + core::format_rfc3339(u.lastmod) + "</lastmod>";
    out += "</url>\n";
  }
  out += "</urlset>\n";
  return out;
}

std::string sitemap_index(const std::vector<SitemapUrl>& sitemaps) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
  for (const auto& u : sitemaps) {
    out += "<sitemap><loc>" + xml_escape(u.loc) + "</loc>";
    if (u.lastmod) out += "<lastmod>" + core::format_rfc3339(u.lastmod) + "</lastmod>";
    out += "</sitemap>\n";
  }
  out += "</sitemapindex>\n";
  return out;
}

std::string news_sitemap(const std::string& publication, const std::vector<NewsUrl>& urls) {
  std::string out;
  out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" "
         "xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\">\n";
  for (const auto& u : urls) {
    out += "<url><loc>" + xml_escape(u.loc) + "</loc><news:news><news:publication><news:name>" +
           xml_escape(publication) +
           "</news:name><news:language>en</news:language></news:publication>"
           "<news:publication_date>" +
           core::format_rfc3339(u.published) + "</news:publication_date><news:title>" +
           xml_escape(u.title) + "</news:title></news:news></url>\n";
  }
  out += "</urlset>\n";
  return out;
}

}  // namespace feeds
