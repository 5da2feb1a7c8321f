// The content model: articles and the taxonomy terms they carry.
// Plain values; no behaviour beyond enum conversions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace content {

enum class ArticleType { kAnalysis, kFeature, kBriefing, kReview };
enum class AccessClass { kFree, kMetered, kPremium };
enum class Status { kDraft, kScheduled, kPublished };
enum class TermKind { kTopic, kCountry, kAuthor };

std::string_view to_string(ArticleType t);
std::string_view to_string(AccessClass a);
std::string_view to_string(Status s);
std::string_view to_string(TermKind k);
std::optional<ArticleType> parse_article_type(std::string_view s);
std::optional<AccessClass> parse_access_class(std::string_view s);
std::optional<Status> parse_status(std::string_view s);
// "Analysis", "In depth", "Briefing", "Review" as shown to readers.
std::string_view display_name(ArticleType t);

struct Term {
  TermKind kind = TermKind::kTopic;
  std::string slug;
  std::string name;
};

struct TermCount {
  Term term;
  int articles = 0;
};

// Limits on what an article may hold, the same for imports and the editor (bytes of
// UTF-8). Generous for analysis (a 2 MiB body is a book), small enough that one article
// cannot take the server's memory.
inline constexpr std::size_t kMaxSlugBytes = 120;
inline constexpr std::size_t kMaxHeadlineBytes = 500;
inline constexpr std::size_t kMaxDekBytes = 1000;
inline constexpr std::size_t kMaxBodyBytes = 2u << 20;
inline constexpr std::size_t kMaxCorrectionsBytes = 20000;
inline constexpr std::size_t kMaxNameBytes = 200;   // an author, topic or country
inline constexpr std::size_t kMaxNames = 50;        // per list
inline constexpr std::size_t kMaxAltBytes = 500;        // a hero image's text alternative
inline constexpr std::size_t kMaxCaptionBytes = 1000;   // its caption
inline constexpr std::size_t kMaxCreditBytes = 300;     // its credit ("Photo: …")
inline constexpr std::size_t kMaxSeoTitleBytes = 300;   // the title search engines show

// What an editor or an import supplies; the Markdown is the source of truth.
struct ArticleInput {
  std::string slug;
  std::string headline;
  std::string dek;
  std::string body_md;
  std::vector<std::string> authors;
  std::vector<std::string> topics;
  std::vector<std::string> countries;
  ArticleType type = ArticleType::kAnalysis;
  AccessClass access = AccessClass::kMetered;
  Status status = Status::kPublished;
  std::optional<core::UnixTime> published_at;
  std::optional<core::UnixTime> updated_at;
  std::string corrections;
  bool featured = false;
  std::string hero_image;  // a file name under DATA/media, served at /media/<name>
  std::string hero_alt;      // what the hero image shows, for readers who cannot see it
  std::string hero_caption;  // shown under it
  std::string hero_credit;   // who made it
  std::string seo_title;        // for search engines and link previews; "" : the headline
  std::string seo_description;  // likewise; "" : the dek
  // Imports: the staff account that wrote a new article (a WordPress author whose address
  // is a staff member's), so their role's rules apply to it. Not in JSON Lines.
  std::optional<long long> created_by;
};

// A rendered article as stored: the body is already split at the paywall cut.
struct StoredArticle {
  ArticleInput input;
  std::string teaser_html;  // public part
  std::string gated_html;   // everything after the cut; empty when the article has no gate
  int word_count = 0;
  int teaser_paragraphs = 0;  // the setting the cut was made with (0: unknown)
};

// Enough to list an article: never contains body text.
struct ArticleSummary {
  long long id = 0;
  std::string slug;
  std::string headline;
  std::string dek;
  ArticleType type = ArticleType::kAnalysis;
  AccessClass access = AccessClass::kMetered;
  Status status = Status::kPublished;
  bool featured = false;
  core::UnixTime published_at = 0;
  core::UnixTime updated_at = 0;
  int word_count = 0;
  std::string hero_image;  // a media name, or empty
  std::vector<Term> authors;
  std::vector<Term> topics;
  std::vector<Term> countries;
};

// An article as the store hands it out. gated_html is filled only when the caller
// asked for it (see Store::find_article); a reader view is built from this.
struct Article {
  ArticleSummary summary;
  std::string teaser_html;
  std::optional<std::string> gated_html;
  std::string corrections;
  std::string hero_image;
  std::string hero_alt, hero_caption, hero_credit;
  std::string seo_title, seo_description;
};

// A media file name: lower-case letters, digits, '-' and one '.' before the extension,
// at most 100 bytes (so it can never name a path outside the media folder).
bool is_media_name(std::string_view name);

// "jpg", "png", "webp" or "gif" for an image of that kind, recognised by its first bytes;
// "" for anything else. The images Meridian keeps (hero images, imported pictures).
std::string image_extension(std::string_view bytes);

// Readers see an article once it is not a draft and its publication time has come.
inline bool is_live(Status status, const std::optional<core::UnixTime>& published_at,
                    core::UnixTime now) {
  return status != Status::kDraft && published_at && *published_at <= now;
}

inline int reading_minutes(int words) { return words < 220 ? 1 : (words + 110) / 220; }

}  // namespace content
