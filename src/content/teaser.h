// The paywall cut: which part of an article body is public (the teaser) and which
// is gated. The split is made once when the article is rendered and both halves are
// stored apart, so a page for a reader without access never loads the gated half.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace content {

// An editor places this on a line of its own to cut the teaser by hand.
inline constexpr std::string_view kPaywallMarker = "<!-- paywall -->";

// How many leading blocks form the teaser when no marker is placed: blocks up to and
// including the `paragraphs`-th text block (headings ride along, not counted), and
// always leaving at least one block gated when the body has two or more.
std::size_t teaser_block_count(const std::vector<std::string>& blocks, int paragraphs);

struct BodySplit {
  std::string teaser_html;
  std::string gated_html;
  int word_count = 0;
};

// Renders Markdown and splits it at the marker line (outside code fences), or else
// after `teaser_paragraphs` paragraphs.
BodySplit render_body(std::string_view markdown, int teaser_paragraphs);

// Splits Markdown source at the first marker line outside a fenced code block.
// Returns false when there is no marker.
bool split_at_marker(std::string_view markdown, std::string& before, std::string& after);

}  // namespace content
