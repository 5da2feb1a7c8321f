// A streaming XML reader for exports shaped like RSS: the document is read in small
// pieces (expat) and each element at `record_depth` (for WXR: each child of
// <channel> — an <item>, a <wp:author>, a <wp:category>, …) is handed over as a small tree
// once it is closed, then forgotten. Memory stays at one record, whatever the file's size.
//
// Namespaced names are given with the prefix the export formats use, whatever prefix the
// file declared: "wp:" for http://wordpress.org/export/1.x/, "excerpt:" for its /excerpt/,
// "content:" for RSS content, "dc:" for Dublin Core; other namespaces keep their URI
// ("{uri}name"). Thread-compatible; pure apart from reading the file.
#pragma once

#include <cstdio>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace importers {

struct XmlNode {
  std::string name;
  std::vector<std::pair<std::string, std::string>> attributes;
  std::string text;  // the element's own character data (CDATA included), in order
  std::vector<XmlNode> children;
  long line = 0;     // where it starts

  // The first child called `child_name`, or null.
  const XmlNode* child(std::string_view child_name) const;
  // That child's text, or "" when there is none.
  const std::string& child_text(std::string_view child_name) const;
  std::string_view attribute(std::string_view attribute_name) const;
};

struct XmlReadOptions {
  int record_depth = 3;  // the records' depth: 1 is the root; rss > channel > item is 3
  // A record bigger than this (its text, all told) is refused, naming its line.
  std::size_t max_record_bytes = 64u << 20;
};

// Called for every record; the root's name is checked by the caller through `root`.
// Returning an error stops the reading with it.
using XmlRecordSink = std::function<core::Result<void>(const XmlNode& record)>;

struct XmlSummary {
  std::string root;   // the document element's name
  long long bytes = 0;
};

// Reads `file` from where it is to its end. A document that is not well-formed (an
// unclosed tag, a truncated file, bytes that are not UTF-8) fails with
// "line L, column C: <expat's message>". `progress` is told the bytes read so far.
core::Result<XmlSummary> read_xml_records(std::FILE* file, const XmlReadOptions& options,
                                          const XmlRecordSink& sink,
                                          const std::function<void(long long)>& progress = {});

}  // namespace importers
