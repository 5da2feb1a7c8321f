// Markdown -> md4c -> the allowlist sanitizer -> the teaser cut. Invariants: nothing
// crashes, no <script> survives, and the teaser and gated parts together hold every block.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "content/sanitize.h"
#include "content/teaser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view md(reinterpret_cast<const char*>(data), size);
  auto split = content::render_body(md, 1 + static_cast<int>(size % 5));
  for (const auto* html : {&split.teaser_html, &split.gated_html}) {
    if (html->find("<script") != std::string::npos) std::abort();
  }
  (void)content::sanitize_html(md);  // the same bytes as raw HTML (imports)
  return 0;
}
