// Moving in: WordPress content through the shortcode/paragraph conversion and the body
// source it becomes, rendered as an article is; and the streaming XML reader over any bytes.
// Nothing may crash, and no rendered body may carry a script.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "content/teaser.h"
#include "importers/wordpress_content.h"
#include "importers/xml_records.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (!in.empty() && in[0] == '<') {
    std::string copy(in);
    if (std::FILE* f = fmemopen(copy.data(), copy.size(), "rb")) {
      (void)importers::read_xml_records(f, importers::XmlReadOptions{}, [](const importers::XmlNode& n) {
        (void)n.child_text("wp:post_id");
        return core::Result<void>{};
      });
      std::fclose(f);
    }
  }
  auto body = importers::wordpress_html(in);
  std::string source = importers::html_body(body.before_more, body.after_more, body.has_more);
  auto split = content::render_body(source, 3);
  for (const std::string* html : {&split.teaser_html, &split.gated_html}) {
    if (html->find("<script") != std::string::npos) std::abort();
  }
  return 0;
}
