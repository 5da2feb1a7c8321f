#include "content/teaser.h"

#include <regex>

#include "content/markdown.h"
#include "core/text.h"

namespace content {

namespace {

// A whole link reference definition on one line, as CommonMark writes it: up to three
// spaces, [label]:, a destination, an optional quoted title. Anything else (a paragraph
// that merely starts like one, a title over several lines) stops the cut from growing,
// which is always safe: it only leaves such a definition out of the teaser's source.
bool is_link_reference_definition(std::string_view line) {
  static const std::regex definition(
      R"re(^ {0,3}\[[^\]]+\]:[ \t]*(<[^>\n]*>|\S+)([ \t]+("[^"]*"|'[^']*'|\([^)]*\)))?[ \t\r]*$)re");
  return std::regex_match(line.begin(), line.end(), definition);
}

bool is_heading(const std::string& block) {
  return block.size() > 3 && block[0] == '<' && block[1] == 'h' && block[2] >= '1' &&
         block[2] <= '6';
}

int count_words(std::string_view html) {
  std::string text = core::strip_tags(html);
  int words = 0;
  bool in_word = false;
  for (char c : text) {
    bool space = c == ' ';
    if (!space && !in_word) ++words;
    in_word = !space;
  }
  return words;
}

std::string join(const std::vector<std::string>& blocks, std::size_t from, std::size_t to) {
  std::string out;
  for (std::size_t i = from; i < to && i < blocks.size(); ++i) {
    out += blocks[i];
    out += '\n';
  }
  return out;
}

// Renders the longest prefix of the source, cut at a top-level block boundary, that makes
// at most `n` blocks; returns how many it made (the gated part starts there).
std::size_t teaser_from_own_source(std::string_view markdown,
                                   const std::vector<std::string>& blocks, std::size_t n,
                                   std::string& teaser_html) {
  auto ends = markdown_block_ends(markdown);
  // Definitions written right after a block (before the next one) belong with it.
  for (auto& end : ends) {
    while (end < markdown.size()) {
      auto eol = markdown.find('\n', end);
      auto line = markdown.substr(end, (eol == std::string_view::npos ? markdown.size() : eol) - end);
      bool blank = line.find_first_not_of(" \t\r") == std::string_view::npos;
      if (!blank && !is_link_reference_definition(line)) break;
      end = eol == std::string_view::npos ? markdown.size() : eol + 1;
    }
  }
  std::vector<std::string> best;
  // Block counts grow with the prefix: binary search for the last cut within n blocks.
  std::size_t lo = 0, hi = ends.size();
  while (lo < hi) {
    std::size_t mid = (lo + hi) / 2;
    auto prefix = render_markdown_blocks(markdown.substr(0, ends[mid]));
    if (prefix.size() <= n) {
      best = std::move(prefix);
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  std::size_t made = std::min(best.size(), blocks.size());
  teaser_html = join(best, 0, made);
  return made;
}

}  // namespace

std::size_t teaser_block_count(const std::vector<std::string>& blocks, int paragraphs) {
  if (blocks.empty()) return 0;
  std::size_t n = 0;
  int counted = 0;
  while (n < blocks.size() && counted < paragraphs) {
    if (!is_heading(blocks[n])) ++counted;
    ++n;
  }
  if (blocks.size() >= 2 && n >= blocks.size()) n = blocks.size() - 1;
  if (blocks.size() == 1) n = 0;  // a one-block article: the dek is its teaser
  return n;
}

bool split_at_marker(std::string_view markdown, std::string& before, std::string& after) {
  std::size_t pos = 0;
  bool in_fence = false;
  std::string_view fence;
  while (pos <= markdown.size()) {
    auto end = markdown.find('\n', pos);
    if (end == std::string_view::npos) end = markdown.size();
    std::string line = core::trim(markdown.substr(pos, end - pos));
    if (line.starts_with("```") || line.starts_with("~~~")) {
      if (!in_fence) {
        in_fence = true;
        fence = line.starts_with("```") ? "```" : "~~~";
      } else if (line.starts_with(fence)) {
        in_fence = false;
      }
    } else if (!in_fence && line == kPaywallMarker) {
      before = std::string(markdown.substr(0, pos));
      after = end < markdown.size() ? std::string(markdown.substr(end + 1)) : std::string();
      return true;
    }
    if (end == markdown.size()) break;
    pos = end + 1;
  }
  return false;
}

BodySplit render_body(std::string_view markdown, int teaser_paragraphs) {
  BodySplit split;
  // Block offsets below are into the text the renderer parses: well-formed UTF-8.
  std::string repaired;
  if (!core::valid_utf8(markdown)) {
    repaired = core::repair_utf8(markdown);
    markdown = repaired;
  }
  std::string before, after;
  if (split_at_marker(markdown, before, after)) {
    split.teaser_html = render_markdown(before);
    split.gated_html = render_markdown(after);
  } else {
    auto blocks = render_markdown_blocks(markdown);
    auto n = teaser_block_count(blocks, teaser_paragraphs);
    if (n > 0 && may_define_link_references(markdown)) {
      // A link in the teaser may take its URL and title from a reference defined in the
      // gated part: the teaser is rendered from its own Markdown alone.
      n = teaser_from_own_source(markdown, blocks, n, split.teaser_html);
    } else {
      split.teaser_html = join(blocks, 0, n);
    }
    split.gated_html = join(blocks, n, blocks.size());
  }
  split.word_count = count_words(split.teaser_html) + count_words(split.gated_html);
  return split;
}

}  // namespace content
