// Our own small HTTP request/response values, so handlers never see the server
// library (RESTinio lives in server.cpp alone).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "paywall/service.h"

namespace web {

struct Request {
  std::string method;  // "GET", "HEAD", "POST", ...
  std::string path;    // percent-decoded, without the query
  std::string raw_target;
  std::multimap<std::string, std::string> query;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string remote_ip;
  std::string id;  // this request's id (X-Request-Id, the access log, error logs)
  std::map<std::string, std::string> params;  // from the route pattern

  // Filled by the site before routing: who is asking.
  paywall::Visitor visitor;
  std::string session_token;  // from the session cookie, when it names a live session
  std::string client_ip;      // remote_ip, or X-Forwarded-For from a trusted proxy
  long long content_version = 0;
  long long members_version = 0;
  // The browser's pre-session cookie value (anonymous CSRF tokens are bound to it), read
  // when a page needs a token; when the browser has none, a new value is made and set.
  std::string pre_session;
  bool set_pre_session = false;
  // Parsed application/x-www-form-urlencoded body (POST).
  std::multimap<std::string, std::string> form;
  // Uploaded files of a multipart/form-data POST, by field name (the bytes).
  std::map<std::string, std::string> files;
  std::string form_value(const std::string& key) const {
    auto it = form.find(key);
    return it == form.end() ? std::string() : it->second;
  }

  const std::string* header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? nullptr : &it->second;
  }
  std::string query_value(const std::string& key) const {
    auto it = query.find(key);
    return it == query.end() ? std::string() : it->second;
  }
  std::string param(const std::string& key) const {
    auto it = params.find(key);
    return it == params.end() ? std::string() : it->second;
  }
};

struct Encoded;      // web/compression.h
struct LazyEncoded;  // web/compression.h

struct Response {
  int status = 200;
  std::string content_type = "text/html; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // For server-side event counting, also on cache hits.
  long long article_id = 0;
  bool wall_shown = false;
  // The body holds web::kCsrfMarker, to be replaced by this reader's CSRF token.
  bool csrf_marker = false;
  // The token written where the markers were (web::write_csrf_tokens), for the gzip splice.
  std::string csrf_token;
  // The body compressed (web/compression.h): for this response, or a cached page's once
  // a reader asked for a compressed form.
  std::shared_ptr<const Encoded> encoded;
  // A cached page worth compressing: its forms are made on first demand, here (shared by
  // every copy of the cached page).
  std::shared_ptr<LazyEncoded> lazy_encoded;
  // When set, the bytes to send instead of `body`: a cached page or one of its compressed
  // forms, shared rather than copied (the server hands it to the socket as is).
  std::shared_ptr<const std::string> shared_body;
  std::size_t body_size() const { return shared_body ? shared_body->size() : body.size(); }

  void set_header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
  void remove_header(const std::string& name) {
    std::erase_if(headers, [&](const auto& h) { return h.first == name; });
  }
  void replace_header(const std::string& name, std::string value) {
    for (auto& [k, v] : headers) {
      if (k == name) {
        v = std::move(value);
        return;
      }
    }
    set_header(name, std::move(value));
  }
};

// Parses "a=1&b=two" into a multimap, percent-decoding keys and values.
std::multimap<std::string, std::string> parse_query(std::string_view query);

}  // namespace web
