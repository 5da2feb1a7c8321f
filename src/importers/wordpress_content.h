// WordPress post content as WordPress would show it, in HTML the sanitizer accepts:
// Gutenberg block comments removed; the shortcodes WordPress ships turned into plain HTML
// ([caption] → figure/figcaption, [embed], [video] and [audio] and a URL alone on its line →
// a link; [gallery] and [playlist] dropped); classic-editor text given its paragraphs the
// way WordPress's wpautop does (blank line → paragraph, line break → <br>). Shortcodes
// WordPress does not ship (a plugin's) are left as text: they are the editor's words.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace importers {

struct WordPressBody {
  std::string before_more;  // the whole content when there is no <!--more-->
  std::string after_more;
  bool has_more = false;
};

WordPressBody wordpress_html(std::string_view content);

// HTML (from WordPress or Ghost) as the body source an article keeps: the sanitized
// top-level blocks, each a raw HTML block of its own, and — when `after` is given — the
// paywall marker between `before` and `after`, so the teaser is cut where the old site
// cut it. Renders to the same HTML through the Markdown pipeline, and stays editable.
std::string html_body(std::string_view before, std::string_view after, bool cut);

}  // namespace importers
