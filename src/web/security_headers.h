// The security headers every response gets, after caching: a Content-Security-Policy
// without inline script (a response that sets its own keeps it), nosniff, a Referrer-
// Policy that keeps token URLs on the site, frame and permission policies, and HSTS
// when the site is served over https. See docs/security.md. Pure.
#pragma once

#include <string>

#include "web/http.h"

namespace web {

// `form_targets`: origins besides 'self' that forms may lead to (payment_form_targets).
void add_security_headers(const Request& req, Response& res, bool https,
                          const std::string& form_targets = "");
// Stripe's hosted Checkout and customer portal origins, and the API base's origin when it
// is not Stripe's own (a stand-in in tests).
std::string payment_form_targets(const std::string& stripe_api_base);

}  // namespace web
