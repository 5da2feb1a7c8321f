// Request metrics in Prometheus's text exposition format (version 0.0.4): requests by
// route, method and status; latency histograms by route; page cache hits and misses.
// Gauges that live elsewhere (queue depths, cache bytes, the process) are added by the
// caller at render time. Recording is cheap (one short lock); thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

namespace web {

class Metrics {
 public:
  // `route`: the route's pattern ("/articles/{slug}"), or "unmatched" — a string that
  // outlives the Metrics (the route table's own), recorded by address: no allocation on
  // the request path.
  void observe_request(const std::string& route, const std::string& method, int status,
                       double seconds);
  // `cache`: "shared" or "personal"; `result`: "hit" or "miss".
  void observe_cache(const char* cache, const char* result);
  void observe_search(double seconds);
  void observe_webhook(int status);

  // One gauge or counter added by the caller: name, help, type, and labelled values.
  struct Family {
    std::string name, help, type;
    std::vector<std::pair<std::string, double>> samples;  // labels ("{a=\"b\"}" or ""), value
  };
  std::string render(const std::vector<Family>& extra) const;

  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1,    2.5};

 private:
  struct Histogram {
    std::array<unsigned long long, kBuckets.size()> counts{};
    unsigned long long count = 0;
    double sum = 0;
    void add(double seconds);
  };
  mutable std::mutex mu_;
  struct RequestKey {
    const std::string* route;
    int method;  // index in kMethods
    int status;
    bool operator<(const RequestKey& o) const {
      return std::tie(route, method, status) < std::tie(o.route, o.method, o.status);
    }
  };
  std::map<RequestKey, unsigned long long> requests_;
  std::map<const std::string*, Histogram> latency_;
  std::array<std::atomic<unsigned long long>, 4> cache_{};  // shared/personal × hit/miss
  Histogram search_;
  std::map<int, unsigned long long> webhooks_;
};

// A label value escaped for the exposition format (backslash, quote, newline).
std::string prometheus_label(const std::string& value);

}  // namespace web
