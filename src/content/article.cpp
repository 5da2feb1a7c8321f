#include "content/article.h"

namespace content {

std::string_view to_string(ArticleType t) {
  switch (t) {
    case ArticleType::kAnalysis: return "analysis";
    case ArticleType::kFeature: return "feature";
    case ArticleType::kBriefing: return "briefing";
    case ArticleType::kReview: return "review";
  }
  return "analysis";
}

std::string_view display_name(ArticleType t) {
  switch (t) {
    case ArticleType::kAnalysis: return "Analysis";
    case ArticleType::kFeature: return "In depth";
    case ArticleType::kBriefing: return "Briefing";
    case ArticleType::kReview: return "Review";
  }
  return "Analysis";
}

std::string_view to_string(AccessClass a) {
  switch (a) {
    case AccessClass::kFree: return "free";
    case AccessClass::kMetered: return "metered";
    case AccessClass::kPremium: return "premium";
  }
  return "metered";
}

std::string_view to_string(Status s) {
  switch (s) {
    case Status::kDraft: return "draft";
    case Status::kScheduled: return "scheduled";
    case Status::kPublished: return "published";
  }
  return "draft";
}

std::string_view to_string(TermKind k) {
  switch (k) {
    case TermKind::kTopic: return "topic";
    case TermKind::kCountry: return "country";
    case TermKind::kAuthor: return "author";
  }
  return "topic";
}

std::optional<ArticleType> parse_article_type(std::string_view s) {
  for (auto t : {ArticleType::kAnalysis, ArticleType::kFeature, ArticleType::kBriefing,
                 ArticleType::kReview}) {
    if (s == to_string(t)) return t;
  }
  return std::nullopt;
}

std::optional<AccessClass> parse_access_class(std::string_view s) {
  for (auto a : {AccessClass::kFree, AccessClass::kMetered, AccessClass::kPremium}) {
    if (s == to_string(a)) return a;
  }
  return std::nullopt;
}

std::optional<Status> parse_status(std::string_view s) {
  for (auto st : {Status::kDraft, Status::kScheduled, Status::kPublished}) {
    if (s == to_string(st)) return st;
  }
  return std::nullopt;
}

bool is_media_name(std::string_view name) {
  if (name.empty() || name.size() > 100 || name.front() == '.' || name.back() == '.') return false;
  int dots = 0;
  for (char c : name) {
    if (c == '.') {
      ++dots;
    } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return false;
    }
  }
  return dots == 1;
}

std::string image_extension(std::string_view bytes) {
  auto starts = [&](std::string_view magic, std::size_t at = 0) {
    return bytes.size() >= at + magic.size() && bytes.substr(at, magic.size()) == magic;
  };
  if (starts("\xFF\xD8\xFF")) return "jpg";
  if (starts("\x89PNG\r\n\x1A\n")) return "png";
  if (starts("RIFF") && starts("WEBP", 8)) return "webp";
  if (starts("GIF87a") || starts("GIF89a")) return "gif";
  return "";
}

}  // namespace content
