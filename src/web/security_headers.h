// The security headers every response gets, after caching: a Content-Security-Policy
// without inline script (a response that sets its own keeps it), nosniff, a Referrer-
// Policy that keeps token URLs on the site, frame and permission policies, and HSTS
// when the site is served over https. See docs/security.md. Pure.
#pragma once

#include "web/http.h"

namespace web {

void add_security_headers(const Request& req, Response& res, bool https);

}  // namespace web
