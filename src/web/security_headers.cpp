#include "web/security_headers.h"

namespace web {

namespace {

// No inline script anywhere (the editor's script is a file; JSON-LD is data, not script);
// inline style attributes remain for newsletter editions shown on the web.
std::string policy(const std::string& form_targets) {
  return "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
         "img-src 'self' data: https:; object-src 'none'; base-uri 'self'; form-action 'self'" +
         (form_targets.empty() ? std::string() : " " + form_targets) + "; frame-ancestors 'none'";
}

}  // namespace

std::string payment_form_targets(const std::string& stripe_api_base) {
  // form-action also governs where a form's redirect may lead: the subscribe and account
  // forms answer 303 to Stripe's hosted Checkout and customer portal.
  std::string out = "https://checkout.stripe.com https://billing.stripe.com";
  auto scheme = stripe_api_base.find("://");
  if (scheme == std::string::npos) return out;
  std::string origin = stripe_api_base.substr(0, stripe_api_base.find('/', scheme + 3));
  // A stand-in or proxy in place of Stripe's API serves its own hosted pages.
  if (origin != "https://api.stripe.com") out += " " + origin;
  return out;
}

void add_security_headers(const Request& req, Response& res, bool https,
                          const std::string& form_targets) {
  res.set_header("X-Content-Type-Options", "nosniff");
  // A URL holding a token (sign-in, confirmation, gift, unsubscribe links) never leaves the
  // site. "same-origin" rather than "no-referrer": under no-referrer browsers send
  // "Origin: null" with the page's own form (the confirm button), which must be refused.
  bool token_url = req.query.count("token") || req.query.count("gift") || req.query.count("t");
  res.set_header("Referrer-Policy", token_url ? "same-origin" : "strict-origin-when-cross-origin");
  if (https) res.set_header("Strict-Transport-Security", "max-age=31536000");
  if (!res.content_type.starts_with("text/html")) return;
  const std::string* own_csp = nullptr;
  for (const auto& [k, v] : res.headers) {
    if (k == "Content-Security-Policy") own_csp = &v;
  }
  // A page that sets its own policy and allows framing by this site (the desk's email
  // preview) may be framed by this site; nothing else may be framed at all.
  bool framed_by_us = own_csp && own_csp->find("frame-ancestors 'self'") != std::string::npos;
  if (!own_csp) res.set_header("Content-Security-Policy", policy(form_targets));
  res.set_header("X-Frame-Options", framed_by_us ? "SAMEORIGIN" : "DENY");
  // The old XSS auditor is off (OWASP's advice: it could be abused; the CSP does the job).
  res.set_header("X-XSS-Protection", "0");
  res.set_header("Permissions-Policy", "camera=(), microphone=(), geolocation=(), usb=(), payment=()");
}

}  // namespace web
