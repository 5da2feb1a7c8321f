// One explicit route table: (method, pattern, who may call, handler), built at
// start-up. Patterns are literal segments and {name} parameters. At each segment a
// literal beats a parameter, so matching never depends on registration order; two
// routes with the same method and shape are a start-up error.
// Thread-safety: build once, then match() concurrently.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "web/http.h"

namespace web {

// Who may call a route: anyone, any signed-in reader, or staff of at least that role
// (author < editor < admin). The site checks it before any handler runs.
enum class Audience { kPublic, kReader, kAuthor, kEditor, kAdmin };
const char* to_string(Audience a);

using Handler = std::function<Response(Request&)>;

struct Route {
  std::string method;
  std::string pattern;
  Audience audience = Audience::kPublic;
  Handler handler;
  // Anonymous responses may be shared between readers (page cache, CDN).
  bool cacheable = false;
  // For cacheable routes whose page depends on more than the reader's state (the article
  // page: the paywall decision); empty means the reader's state alone.
  std::function<std::string(Request&)> variant;
  // Slow by design (argon2id): served off the page threads (ServerOptions::heavy).
  bool heavy = false;
  // Called by another service, authenticated by its own signature (the Stripe webhook):
  // no same-origin check, no session.
  bool external = false;
  // The query parameters the handler reads: the only ones in the page cache key.
  std::vector<std::string> reads = {};
};

class Router {
 public:
  Router();
  ~Router();
  // Throws std::logic_error on a conflicting or malformed route.
  void add(Route route);
  // The matching route (filling req.params), or nullptr. `path_exists` is set when the
  // path matches some route under another method (for 405).
  const Route* match(Request& req, bool& path_exists) const;
  const std::vector<Route>& routes() const { return routes_; }
  // The methods `path` answers, for Allow ("GET, HEAD, POST, OPTIONS"); "" when none.
  std::string allowed(const std::string& path) const;

 private:
  struct Node;
  const Node* find(const std::string& path, std::map<std::string, std::string>& params) const;
  std::unique_ptr<Node> root_;
  std::vector<Route> routes_;
};

}  // namespace web
