#include "importers/xml_records.h"

#include <expat.h>

#include <memory>
#include <optional>

namespace importers {

namespace {

const std::string kEmpty;

// The prefix the export formats use for a namespace, whatever the file declared.
std::string prefixed(const XML_Char* expanded) {
  std::string_view name(expanded);
  auto bar = name.rfind('\x01');
  if (bar == std::string_view::npos) return std::string(name);
  std::string_view uri = name.substr(0, bar), local = name.substr(bar + 1);
  std::string prefix;
  // Some exports (wordpress.com's among them) write the namespaces with https.
  if (uri.starts_with("https://")) uri.remove_prefix(8);
  else if (uri.starts_with("http://")) uri.remove_prefix(7);
  if (uri.starts_with("wordpress.org/export/")) {
    prefix = uri.ends_with("/excerpt/") ? "excerpt:" : "wp:";
  } else if (uri == "purl.org/rss/1.0/modules/content/") {
    prefix = "content:";
  } else if (uri == "purl.org/dc/elements/1.1/") {
    prefix = "dc:";
  } else {
    prefix = "{" + std::string(name.substr(0, bar)) + "}";
  }
  return prefix + std::string(local);
}

struct Reader {
  Reader(const XmlReadOptions& o, const XmlRecordSink& s) : options(o), sink(s) {}
  const XmlReadOptions& options;
  const XmlRecordSink& sink;
  XML_Parser parser = nullptr;
  int depth = 0;
  std::string root;
  XmlNode record;
  std::vector<XmlNode*> open;  // the path from the record down to the element being read
  std::size_t record_bytes = 0;
  std::optional<core::Error> error;

  void stop(core::Error e) {
    if (!error) error = std::move(e);
    XML_StopParser(parser, XML_FALSE);
  }

  static void on_start(void* self, const XML_Char* name, const XML_Char** attrs) {
    auto& r = *static_cast<Reader*>(self);
    ++r.depth;
    if (r.depth == 1) r.root = prefixed(name);
    if (r.depth < r.options.record_depth) return;
    XmlNode* node;
    if (r.depth == r.options.record_depth) {
      r.record = XmlNode{};
      r.record_bytes = 0;
      node = &r.record;
    } else {
      r.open.back()->children.emplace_back();
      node = &r.open.back()->children.back();
    }
    node->name = prefixed(name);
    node->line = static_cast<long>(XML_GetCurrentLineNumber(r.parser));
    for (int i = 0; attrs[i]; i += 2) {
      node->attributes.emplace_back(prefixed(attrs[i]), attrs[i + 1]);
      r.record_bytes += node->attributes.back().second.size();
    }
    r.open.push_back(node);
  }

  static void on_end(void* self, const XML_Char*) {
    auto& r = *static_cast<Reader*>(self);
    if (r.depth >= r.options.record_depth) {
      r.open.pop_back();
      if (r.depth == r.options.record_depth) {
        if (auto ok = r.sink(r.record); !ok) r.stop(ok.error());
        r.record = XmlNode{};
      }
    }
    --r.depth;
  }

  static void on_text(void* self, const XML_Char* s, int len) {
    auto& r = *static_cast<Reader*>(self);
    if (r.open.empty()) return;
    r.record_bytes += static_cast<std::size_t>(len);
    if (r.record_bytes > r.options.max_record_bytes) {
      r.stop(core::Error{core::ErrorCode::kInvalidInput,
                         "line " + std::to_string(r.record.line) + ": <" + r.record.name +
                             "> holds more than " +
                             std::to_string(r.options.max_record_bytes >> 20) + " MB of text"});
      return;
    }
    r.open.back()->text.append(s, static_cast<std::size_t>(len));
  }
};

}  // namespace

const XmlNode* XmlNode::child(std::string_view child_name) const {
  for (const auto& c : children) {
    if (c.name == child_name) return &c;
  }
  return nullptr;
}

const std::string& XmlNode::child_text(std::string_view child_name) const {
  const XmlNode* c = child(child_name);
  return c ? c->text : kEmpty;
}

std::string_view XmlNode::attribute(std::string_view attribute_name) const {
  for (const auto& [k, v] : attributes) {
    if (k == attribute_name) return v;
  }
  return {};
}

core::Result<XmlSummary> read_xml_records(std::FILE* file, const XmlReadOptions& options,
                                          const XmlRecordSink& sink,
                                          const std::function<void(long long)>& progress) {
  std::unique_ptr<std::remove_pointer_t<XML_Parser>, decltype(&XML_ParserFree)> parser(
      XML_ParserCreateNS(nullptr, '\x01'), &XML_ParserFree);
  if (!parser) return core::fail(core::ErrorCode::kInternal, "out of memory for the XML reader");
  Reader reader(options, sink);
  reader.parser = parser.get();
  XML_SetUserData(parser.get(), &reader);
  XML_SetElementHandler(parser.get(), &Reader::on_start, &Reader::on_end);
  XML_SetCharacterDataHandler(parser.get(), &Reader::on_text);
  // No external entities or DTDs are fetched (expat's default); entity expansion is bounded
  // by expat's own amplification limits.
  XmlSummary summary;
  constexpr int kChunk = 1 << 16;
  bool done = false;
  while (!done) {
    void* buffer = XML_GetBuffer(parser.get(), kChunk);
    if (!buffer) return core::fail(core::ErrorCode::kInternal, "out of memory for the XML reader");
    std::size_t n = std::fread(buffer, 1, kChunk, file);
    if (n < static_cast<std::size_t>(kChunk) && std::ferror(file)) {
      return core::fail(core::ErrorCode::kUnavailable, "cannot read the file");
    }
    done = n == 0 || std::feof(file);
    summary.bytes += static_cast<long long>(n);
    if (XML_ParseBuffer(parser.get(), static_cast<int>(n), done) == XML_STATUS_ERROR) {
      if (reader.error) return std::unexpected(*reader.error);
      return core::fail(core::ErrorCode::kInvalidInput,
                        "line " + std::to_string(XML_GetCurrentLineNumber(parser.get())) +
                            ", column " +
                            std::to_string(XML_GetCurrentColumnNumber(parser.get()) + 1) + ": " +
                            XML_ErrorString(XML_GetErrorCode(parser.get())));
    }
    if (progress) progress(summary.bytes);
  }
  summary.root = reader.root;
  return summary;
}

}  // namespace importers
