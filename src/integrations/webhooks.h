// Outgoing webhooks: events (article.published, article.updated, member.created,
// subscription.started, subscription.ended) POSTed as JSON to the endpoints an admin
// configured in /admin/integrations, signed like Stripe's (header Meridian-Signature:
// t=<unix>,v1=<hex HMAC-SHA256 of "t.body" under the endpoint's secret>), through a
// durable queue in the database: each delivery is retried with back-off (from
// retry_seconds, doubling, up to an hour; ten attempts) and logged. member.created is
// found by the worker itself (new members since the last it announced), so members made by
// any process (CLI imports too) are announced. Thread-safe; one worker thread.
#pragma once

#include <chrono>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "core/clock.h"
#include "core/periodic.h"
#include "core/result.h"
#include "store/integration_store.h"

namespace integrations {

const std::vector<std::string>& webhook_events();

class Webhooks {
 public:
  // `base_url`: the public site address, for article links in events.
  Webhooks(store::IntegrationStore& store, const core::Clock& clock, std::string base_url,
           int retry_seconds = 10);
  ~Webhooks();

  // Queues `type` with `data` for every endpoint that wants it (durable; sent by the worker).
  // `once_key` (optional) names the happening, so that it is queued once per endpoint
  // however many workers find it.
  void emit(const std::string& type, const nlohmann::json& data, const std::string& once_key = {});
  core::Result<long long> add_endpoint(const std::string& url,
                                       const std::vector<std::string>& events,
                                       std::string& secret_out);

  void start();  // the worker (serve)
  void stop();
  // One round in this thread: announce new members, send what is due. Returns how many
  // deliveries succeeded.
  int work_once();

 private:
  bool send(const store::WebhookDelivery& d, int& status, std::string& error);

  store::IntegrationStore& store_;
  const core::Clock& clock_;
  std::string base_url_;
  int retry_seconds_;
  core::Periodic loop_;  // last: stops before the rest goes
};

}  // namespace integrations
