#include "web/metrics_routes.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/crypto.h"

namespace web {

double process_rss_bytes() {
  std::ifstream statm("/proc/self/statm");
  long long pages_total = 0, resident = 0;
  if (!(statm >> pages_total >> resident)) return 0;
  return static_cast<double>(resident) * static_cast<double>(::sysconf(_SC_PAGESIZE));
}

double process_open_sockets() {
  std::error_code ec;
  double n = 0;
  for (const auto& fd : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
    auto target = std::filesystem::read_symlink(fd.path(), ec);
    if (!ec && target.native().starts_with("socket:")) ++n;
  }
  return n;
}

void MetricsRoutes::add_routes(Router& router) {
  router.add(Route{"GET", "/metrics", Audience::kPublic,
                   [this](Request& req) { return scrape(req); }, false, {}});
}

Response MetricsRoutes::scrape(Request& req) {
  const std::string& token = d_.config.metrics_token;
  const std::string* auth = req.header("authorization");
  if (token.empty() || !auth || !auth->starts_with("Bearer ") ||
      !core::constant_time_equal(auth->substr(7), token)) {
    return d_.not_found();
  }
  using Family = Metrics::Family;
  std::vector<Family> extra = d_.site_gauges ? d_.site_gauges() : std::vector<Family>{};
  auto& mail = d_.store.mail_queue();
  auto failed = mail.failed_mail();
  extra.push_back({"meridian_mail_queue_messages", "Account mail waiting to go out.", "gauge",
                   {{"", static_cast<double>(mail.queued_mail())}}});
  extra.push_back({"meridian_mail_failed_messages",
                   "Account mail the server refused for good, kept until the configuration changes.",
                   "gauge", {{"", static_cast<double>(failed.count)}}});
  Family deliveries{"meridian_newsletter_deliveries",
                    "Deliveries of the ten latest editions by newsletter and state.", "gauge", {}};
  std::map<std::pair<std::string, std::string>, double> sums;
  for (const auto& e : d_.store.newsletters().recent_editions("", 10)) {
    sums[{e.newsletter, "sent"}] += e.counts.sent;
    sums[{e.newsletter, "failed"}] += e.counts.failed;
    sums[{e.newsletter, "pending"}] += e.counts.pending;
  }
  for (const auto& [k, v] : sums) {
    deliveries.samples.push_back(
        {"{newsletter=\"" + prometheus_label(k.first) + "\",state=\"" + k.second + "\"}", v});
  }
  extra.push_back(std::move(deliveries));
  auto db = d_.store.db_stats();
  extra.push_back({"meridian_db_statements_total", "SQL statements run by this process.",
                   "counter", {{"", static_cast<double>(db.statements)}}});
  extra.push_back({"meridian_db_seconds_total", "Time spent running SQL statements.", "counter",
                   {{"", db.seconds}}});
  extra.push_back({"meridian_process_resident_memory_bytes", "Resident memory of the process.",
                   "gauge", {{"", process_rss_bytes()}}});
  extra.push_back({"meridian_process_open_sockets",
                   "Open sockets (client connections, the listener, outgoing calls).", "gauge",
                   {{"", process_open_sockets()}}});
  Response res;
  res.content_type = "text/plain; version=0.0.4; charset=utf-8";
  res.body = d_.metrics.render(extra);
  res.set_header("Cache-Control", "no-store");
  return res;
}

}  // namespace web
