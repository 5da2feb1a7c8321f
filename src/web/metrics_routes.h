// GET /metrics: Prometheus text for operators' monitoring. Answers only to
// `Authorization: Bearer <[metrics] token>`; without a token configured, or without the
// right header, it is a 404 like any unknown page. A module of its own: it sees the
// request metrics, the store's queue depths and the process, nothing else.
#pragma once

#include <functional>
#include <vector>

#include "core/config.h"
#include "store/store.h"
#include "web/metrics.h"
#include "web/router.h"

namespace web {

struct MetricsDeps {
  Metrics& metrics;
  store::Store& store;
  const core::Config& config;
  // Gauges only the site knows (page cache bytes and entries).
  std::function<std::vector<Metrics::Family>()> site_gauges;
  // The site's own 404 page, so a refused scrape looks like any missing page.
  std::function<Response()> not_found;
};

class MetricsRoutes {
 public:
  explicit MetricsRoutes(MetricsDeps deps) : d_(std::move(deps)) {}
  void add_routes(Router& router);

 private:
  Response scrape(Request& req);
  MetricsDeps d_;
};

// Resident memory of this process in bytes, and its open sockets (listening included),
// from /proc; 0 when unavailable.
double process_rss_bytes();
double process_open_sockets();

}  // namespace web
