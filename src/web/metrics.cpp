#include "web/metrics.h"

#include <cstdio>

namespace web {

std::string prometheus_label(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

namespace {

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

void header(std::string& out, const std::string& name, const char* type, const char* help) {
  out += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

}  // namespace

void Metrics::Histogram::add(double seconds) {
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++counts[i];
  }
  ++count;
  sum += seconds;
}

namespace {
constexpr const char* kMethods[] = {"GET", "HEAD", "POST", "OPTIONS", "PUT", "DELETE", "PATCH",
                                    "other"};
int method_index(const std::string& m) {
  for (int i = 0; i < 7; ++i) {
    if (m == kMethods[i]) return i;
  }
  return 7;
}
}  // namespace

void Metrics::observe_request(const std::string& route, const std::string& method, int status,
                              double seconds) {
  int m = method_index(method);
  std::lock_guard lock(mu_);
  ++requests_[{&route, m, status}];
  latency_[&route].add(seconds);
}

void Metrics::observe_cache(const char* cache, const char* result) {
  int i = (cache[0] == 's' ? 0 : 2) + (result[0] == 'h' ? 0 : 1);
  cache_[static_cast<std::size_t>(i)].fetch_add(1, std::memory_order_relaxed);
}

void Metrics::observe_search(double seconds) {
  std::lock_guard lock(mu_);
  search_.add(seconds);
}

void Metrics::observe_webhook(int status) {
  std::lock_guard lock(mu_);
  ++webhooks_[status];
}

std::string Metrics::render(const std::vector<Family>& extra) const {
  std::string out;
  auto histogram = [&](const std::string& name, const std::string& labels, const Histogram& h) {
    std::string sep = labels.empty() ? "" : ",";
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
      char le[32];
      std::snprintf(le, sizeof le, "%g", kBuckets[i]);
      out += name + "_bucket{" + labels + sep + "le=\"" + le + "\"} " +
             std::to_string(h.counts[i]) + "\n";
    }
    out += name + "_bucket{" + labels + sep + "le=\"+Inf\"} " + std::to_string(h.count) + "\n";
    std::string braces = labels.empty() ? "" : "{" + labels + "}";
    out += name + "_sum" + braces + " " + number(h.sum) + "\n";
    out += name + "_count" + braces + " " + std::to_string(h.count) + "\n";
  };
  {
    std::lock_guard lock(mu_);
    header(out, "meridian_http_requests_total", "counter",
           "HTTP requests answered, by route pattern, method and status.");
    // Sorted by route text for a stable exposition.
    std::map<std::tuple<std::string, int, int>, unsigned long long> sorted;
    for (const auto& [k, v] : requests_) sorted[{*k.route, k.method, k.status}] += v;
    for (const auto& [k, v] : sorted) {
      const auto& [route, method, status] = k;
      out += "meridian_http_requests_total{route=\"" + prometheus_label(route) + "\",method=\"" +
             kMethods[method] + "\",status=\"" + std::to_string(status) + "\"} " +
             std::to_string(v) + "\n";
    }
    header(out, "meridian_http_request_duration_seconds", "histogram",
           "Time to answer a request, by route pattern.");
    std::map<std::string, const Histogram*> by_route;
    for (const auto& [route, h] : latency_) by_route[*route] = &h;
    for (const auto& [route, h] : by_route) {
      histogram("meridian_http_request_duration_seconds",
                "route=\"" + prometheus_label(route) + "\"", *h);
    }
    header(out, "meridian_page_cache_requests_total", "counter",
           "Cacheable page requests by cache (shared: anonymous readers; personal) and result.");
    int i = 0;
    for (const char* cache : {"shared", "personal"}) {
      for (const char* result : {"hit", "miss"}) {
        out += std::string("meridian_page_cache_requests_total{cache=\"") + cache +
               "\",result=\"" + result + "\"} " +
               std::to_string(cache_[static_cast<std::size_t>(i++)].load()) + "\n";
      }
    }
    header(out, "meridian_search_duration_seconds", "histogram",
           "Time to answer a search (page or API), rendering included.");
    histogram("meridian_search_duration_seconds", "", search_);
    header(out, "meridian_billing_webhooks_total", "counter",
           "Stripe webhook deliveries by the status we answered.");
    for (const auto& [status, n] : webhooks_) {
      out += "meridian_billing_webhooks_total{status=\"" + std::to_string(status) + "\"} " +
             std::to_string(n) + "\n";
    }
  }
  for (const auto& f : extra) {
    header(out, f.name, f.type.c_str(), f.help.c_str());
    for (const auto& [labels, value] : f.samples) out += f.name + labels + " " + number(value) + "\n";
  }
  return out;
}

}  // namespace web
