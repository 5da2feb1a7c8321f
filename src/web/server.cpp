// Compiles slowly (RESTinio is header-only): keep this file small and rarely touched.
#include <utility>  // asio needs it before its headers

#include "web/server.h"

#include <algorithm>
#include <csignal>
#include <vector>
#include <restinio/all.hpp>

#include "core/text.h"
#include "core/work_pool.h"

namespace web {

namespace {

const char* reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

// `hosts`: how many Host fields the request carried (HTTP/1.1 needs exactly one).
Request to_request(const restinio::request_handle_t& r, int& hosts) {
  Request req;
  const auto& h = r->header();
  req.method = h.method().c_str();
  req.raw_target = h.request_target();
  req.path = core::url_decode(h.path(), /*plus_as_space=*/false);
  req.query = parse_query(std::string(h.query()));
  hosts = 0;
  h.for_each_field([&](const restinio::http_header_field_t& f) {
    std::string name = core::to_lower(f.name());
    if (name == "host") ++hosts;
    req.headers[name] = f.value();
  });
  req.body = r->body();
  req.remote_ip = r->remote_endpoint().address().to_string();
  return req;
}

void respond(const restinio::request_handle_t& r, const std::string& method, Response res) {
  // Our own Content-Length: a HEAD answer carries the GET's true length and no body.
  auto out = r->create_response<restinio::user_controlled_output_t>(restinio::http_status_line_t{
      restinio::http_status_code_t{static_cast<std::uint16_t>(res.status)}, reason(res.status)});
  if (res.status != 204 && res.status != 304) {
    out.append_header(restinio::http_field::content_type, res.content_type);
  }
  for (auto& [name, value] : res.headers) {
    if (name == "Connection" && value == "close") {
      out.connection_close();  // RESTinio closes the connection after this answer
    } else {
      out.append_header(name, value);
    }
  }
  bool no_body = res.status == 204 || res.status == 304;
  out.set_content_length(no_body ? 0 : res.body_size());
  if (method != "HEAD" && !no_body) {
    if (res.shared_body) {
      // A cached page (or its compressed form): handed to the socket without a copy.
      out.set_body(restinio::writable_item_t{std::move(res.shared_body)});
    } else {
      out.set_body(std::move(res.body));
    }
  }
  out.done();
}

Response bad_request(const std::string& why) {
  Response res;
  res.status = 400;
  res.content_type = "text/plain; charset=utf-8";
  res.body = "Bad request: " + why + "\n";
  res.set_header("Connection", "close");
  return res;
}

Response handle_safely(const RequestHandler& handler, Request& req) {
  try {
    return handler(req);
  } catch (const std::exception&) {
    Response res;
    res.status = 500;
    res.content_type = "text/plain; charset=utf-8";
    res.body = "Internal server error\n";
    return res;
  }
}

Response busy() {
  Response res;
  res.status = 429;
  res.content_type = "text/plain; charset=utf-8";
  res.body = "Too many sign-in attempts are being checked right now. Please try again in a moment.\n";
  res.set_header("Retry-After", "2");
  res.set_header("Cache-Control", "no-store");
  return res;
}

// The listening port, bound once without SO_REUSEPORT and closed again: the servers below
// share the port through SO_REUSEPORT, which would otherwise let a second Meridian (or
// anything else of this user's that asks for it) quietly share the port too.
void check_port_free(const std::string& host, int port) {
  asio::io_context probe;
  // The names RESTinio itself accepts besides numeric addresses.
  std::string numeric = host == "localhost" ? "127.0.0.1" : host == "ip6-localhost" ? "::1" : host;
  try {
    asio::ip::tcp::endpoint at(asio::ip::make_address(numeric), static_cast<std::uint16_t>(port));
    asio::ip::tcp::acceptor acceptor(probe);
    acceptor.open(at.protocol());
    acceptor.set_option(asio::ip::tcp::acceptor::reuse_address(true));
    acceptor.bind(at);  // throws "Address already in use" when taken
  } catch (const std::system_error& e) {
    throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port) + ": " +
                             e.what() + (numeric == host && e.code() == asio::error::invalid_argument
                                             ? " (give a numeric address, or localhost)"
                                             : ""));
  }
}

}  // namespace

void run_server(const ServerOptions& options, const RequestHandler& handler,
                const std::function<void()>& on_started, const std::function<void()>& on_reload) {
  // One single-threaded server per request thread, all on the same port (SO_REUSEPORT: the
  // kernel spreads connections across them, as with nginx's workers). No strand and no
  // lock around one shared event loop; a connection stays on its thread.
  using traits_t = restinio::default_single_thread_traits_t;
  using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;
  std::unique_ptr<core::WorkPool> heavy_pool;
  if (options.heavy) {
    heavy_pool = std::make_unique<core::WorkPool>("password", options.heavy_threads,
                                                  options.heavy_queue);
  }
  auto make_settings = [&] {
    return restinio::server_settings_t<traits_t>{}
        .address(options.host)
        .port(static_cast<std::uint16_t>(options.port))
        .acceptor_options_setter([](restinio::acceptor_options_t& o) {
          o.set_option(asio::ip::tcp::acceptor::reuse_address(true));
          o.set_option(reuse_port(true));
        })
        .read_next_http_message_timelimit(std::chrono::seconds(options.read_timeout_seconds))
        .write_http_response_timelimit(std::chrono::seconds(options.handle_timeout_seconds))
        .handle_request_timeout(std::chrono::seconds(options.handle_timeout_seconds))
        .max_pipelined_requests(16)
        .incoming_http_msg_limits(restinio::incoming_http_msg_limits_t{}
                                      .max_url_size(options.max_url_bytes)
                                      .max_field_value_size(options.max_header_value_bytes)
                                      .max_field_count(options.max_header_count)
                                      .max_body_size(options.max_body_bytes))
        .request_handler([&handler, &options, &heavy_pool](restinio::request_handle_t r) {
          int hosts = 0;
          Request req = to_request(r, hosts);
          // RFC 9112 3.2: exactly one Host. RESTinio does not tell HTTP/1.0 from 1.1,
          // so 1.0 requests need one too (every client and proxy of this century sends it).
          if (hosts != 1) {
            respond(r, req.method, bad_request(hosts ? "more than one Host header"
                                                     : "a request needs a Host header"));
            return restinio::request_accepted();
          }
          if (options.heavy && heavy_pool && options.heavy(req)) {
            // Answered later from a heavy worker (RESTinio lets any thread respond: the
            // answer is posted to the connection's own event loop).
            auto job = [&handler, r, req = std::move(req)]() mutable {
              respond(r, req.method, handle_safely(handler, req));
            };
            if (!heavy_pool->try_post(std::move(job))) respond(r, "POST", busy());
            return restinio::request_accepted();
          }
          respond(r, req.method, handle_safely(handler, req));
          return restinio::request_accepted();
        });
  };

  // Block the stop signals in every thread; this thread waits for them below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  check_port_free(options.host, options.port);
  std::vector<restinio::running_server_handle_t<traits_t>> servers;
  for (int i = 0; i < std::max(1, options.threads); ++i) {
    servers.push_back(restinio::run_async<traits_t>(restinio::own_io_context(), make_settings(), 1));
  }
  if (on_started) on_started();
  for (;;) {
    int sig = 0;
    sigwait(&signals, &sig);
    if (sig != SIGHUP) break;
    if (on_reload) on_reload();
  }
  // Answers what is queued while connections are still open; later posts are refused.
  if (heavy_pool) heavy_pool->shutdown();
  for (auto& server : servers) server->stop();
  for (auto& server : servers) server->wait();
}

}  // namespace web
