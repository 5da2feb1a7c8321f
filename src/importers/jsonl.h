// Meridian's own JSON Lines format for articles (docs/import-format.md):
// one object a line; used by `meridian import` and written by `meridian export`.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "content/article.h"
#include "core/result.h"

namespace importers {

// Parses one line. Error messages name the field and the problem (not the line number;
// the caller adds that).
core::Result<content::ArticleInput> parse_article_line(std::string_view line);

struct ParsedFile {
  std::vector<content::ArticleInput> articles;
};

// Parses a whole file's text. Blank lines are skipped. The first bad line fails the
// whole file with "line N: <problem>".
core::Result<ParsedFile> parse_jsonl(std::string_view text);

std::string to_jsonl_line(const content::ArticleInput& article);

}  // namespace importers
