// The HTTP server adapter: the only place that knows RESTinio. It turns wire
// requests into web::Request, calls one handler, and writes web::Response back.
// Limits and timeouts are enforced here; SIGTERM/SIGINT stop it gracefully
// (in-flight requests finish, then run_server returns); SIGHUP asks for a reload.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include "web/http.h"

namespace web {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;
  int threads = 2;
  std::size_t max_body_bytes = 12 << 20;  // hero images and CSV imports; reader forms are capped lower by the site
  // Beyond these the connection is closed; the site answers 414 above 8 KiB itself.
  std::size_t max_url_bytes = 64 << 10;
  std::size_t max_header_value_bytes = 16 << 10;
  std::size_t max_header_count = 100;
  int read_timeout_seconds = 15;
  int handle_timeout_seconds = 30;
  // Requests for which `heavy` says yes (password checks: argon2id) are handled on
  // `heavy_threads` workers of their own, so pages never wait behind them; beyond
  // `heavy_queue` waiting, the answer is 429 at once.
  std::function<bool(const Request&)> heavy;
  int heavy_threads = 2;
  std::size_t heavy_queue = 16;
};

using RequestHandler = std::function<Response(Request&)>;

// Blocks until a stop signal arrives. `on_started` runs once the socket listens;
// `on_reload` runs on SIGHUP (the socket stays open meanwhile).
// Throws std::runtime_error when the address cannot be bound.
void run_server(const ServerOptions& options, const RequestHandler& handler,
                const std::function<void()>& on_started,
                const std::function<void()>& on_reload = {});

}  // namespace web
