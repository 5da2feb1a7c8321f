#include "web/router.h"

#include <map>
#include <stdexcept>

#include "core/text.h"

namespace web {

std::multimap<std::string, std::string> parse_query(std::string_view query) {
  std::multimap<std::string, std::string> out;
  for (const auto& part : core::split(query, '&')) {
    if (part.empty()) continue;
    auto eq = part.find('=');
    if (eq == std::string::npos) {
      out.emplace(core::url_decode(part), "");
    } else {
      out.emplace(core::url_decode(part.substr(0, eq)), core::url_decode(part.substr(eq + 1)));
    }
  }
  return out;
}

struct Router::Node {
  std::map<std::string, std::unique_ptr<Node>> literal;
  std::unique_ptr<Node> param;
  std::string param_name;
  std::map<std::string, std::size_t> by_method;  // index into routes_
};

Router::Router() : root_(std::make_unique<Node>()) {}
Router::~Router() = default;

namespace {

std::vector<std::string> segments(const std::string& path) {
  std::vector<std::string> out;
  for (auto& s : core::split(path, '/')) {
    if (!s.empty()) out.push_back(s);
  }
  return out;
}

}  // namespace

void Router::add(Route route) {
  if (route.pattern.empty() || route.pattern[0] != '/') {
    throw std::logic_error("route pattern must start with '/': " + route.pattern);
  }
  Node* node = root_.get();
  for (const auto& seg : segments(route.pattern)) {
    if (seg.size() > 2 && seg.front() == '{' && seg.back() == '}') {
      std::string name = seg.substr(1, seg.size() - 2);
      if (!node->param) {
        node->param = std::make_unique<Node>();
        node->param_name = name;
      } else if (node->param_name != name) {
        throw std::logic_error("route " + route.pattern + " names parameter {" + name +
                               "} where another route names {" + node->param_name + "}");
      }
      node = node->param.get();
    } else {
      auto& child = node->literal[seg];
      if (!child) child = std::make_unique<Node>();
      node = child.get();
    }
  }
  if (node->by_method.count(route.method)) {
    throw std::logic_error("duplicate route " + route.method + " " + route.pattern);
  }
  node->by_method[route.method] = routes_.size();
  routes_.push_back(std::move(route));
}

const Router::Node* Router::find(const std::string& path,
                                 std::map<std::string, std::string>& params) const {
  auto segs = segments(path);
  // Depth-first: literal first, then parameter, backtracking when a branch dead-ends.
  std::function<const Node*(const Node*, std::size_t)> walk =
      [&](const Node* node, std::size_t i) -> const Node* {
    if (i == segs.size()) return node->by_method.empty() ? nullptr : node;
    if (auto it = node->literal.find(segs[i]); it != node->literal.end()) {
      if (auto* found = walk(it->second.get(), i + 1)) return found;
    }
    if (node->param) {
      if (auto* found = walk(node->param.get(), i + 1)) {
        params[node->param_name] = segs[i];
        return found;
      }
    }
    return nullptr;
  };
  return walk(root_.get(), 0);
}

const Route* Router::match(Request& req, bool& path_exists) const {
  path_exists = false;
  std::map<std::string, std::string> params;
  const Node* node = find(req.path, params);
  if (!node) return nullptr;
  path_exists = true;
  std::string method = req.method == "HEAD" ? "GET" : req.method;
  auto it = node->by_method.find(method);
  if (it == node->by_method.end()) return nullptr;
  req.params = std::move(params);
  return &routes_[it->second];
}

std::string Router::allowed(const std::string& path) const {
  std::map<std::string, std::string> params;
  const Node* node = find(path, params);
  if (!node) return {};
  std::string out;
  auto add = [&](const char* m) { out += (out.empty() ? "" : ", ") + std::string(m); };
  if (node->by_method.count("GET")) {
    add("GET");
    add("HEAD");
  }
  for (const auto& [method, index] : node->by_method) {
    if (method != "GET") add(method.c_str());
  }
  add("OPTIONS");
  return out;
}

const char* to_string(Audience a) {
  switch (a) {
    case Audience::kPublic: return "public";
    case Audience::kReader: return "reader";
    case Audience::kAuthor: return "author";
    case Audience::kEditor: return "editor";
    case Audience::kAdmin: return "admin";
  }
  return "public";
}

}  // namespace web
