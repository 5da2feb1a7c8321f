// Accounts and the reader's choices: registering from the wall, sign-in links and
// passwords, email verification, the account page, spending a credit, gift links.
// Every POST here checks its CSRF token; pages that carry personal state are private.
#include <map>
#include <nlohmann/json.hpp>

#include "newsletter/personal.h"
#include "web/curator_routes.h"

#include "core/text.h"
#include "core/time.h"
#include "web/session.h"
#include "web/billing_routes.h"
#include "web/site.h"

namespace web {

using nlohmann::json;

namespace {


}  // namespace

Response Site::redirect(const std::string& location) {
  Response res;
  res.status = 303;
  res.content_type = "text/plain; charset=utf-8";
  res.set_header("Location", location);
  res.set_header("Cache-Control", "no-store");
  return res;
}

Response Site::button_page(const Request& req, const ButtonPage& p) {
  // A button, not an automatic action: mail scanners that fetch links do not press it.
  json view;
  view["site"] = site_view("", &req);
  view["page"] = page_meta(p.title, p.description, p.path);
  view["page"]["noindex"] = true;
  view["heading"] = p.heading;
  view["message"] = p.message;
  view["form"] = {{"action", p.action}, {"button", p.button}, {"token", p.token}};
  return render_page("confirm", view);
}

Response Site::message_page(int status, const std::string& heading, const std::string& message,
                            const std::string& link_url, const std::string& link_text) {
  json view;
  view["site"] = site_view("");
  view["page"] = page_meta(heading + " · " + config_.site_name, message, "/");
  view["page"]["noindex"] = true;
  view["heading"] = heading;
  view["message"] = message;
  if (!link_url.empty()) view["link"] = {{"url", link_url}, {"text", link_text}};
  Response res = render_page("message", view, status);
  res.set_header("Cache-Control", "no-store");
  return res;
}

std::optional<Response> Site::check_csrf(Request& req) {
  if (csrf_valid(secret_, req, req.form_value("csrf"), clock_.now())) return std::nullopt;
  return message_page(403, "Form expired",
                      "This form is out of date or was not sent from this site. Please go back, "
                      "reload the page and try again.");
}

Response Site::register_post(Request& req) {
  if (auto bad = check_csrf(req)) return *bad;
  std::string next = accounts::safe_next(req.form_value("next"));
  auto r = accounts_.register_from_wall(req.form_value("email"), next, req.client_ip);
  if (!r) {
    return message_page(status_for(r.error()), "We could not register you", r.error().message,
                        next, "Back to the article");
  }
  if (!r->created) {
    return message_page(200, "Check your inbox",
                        "That address already has an account, so we have sent it a sign-in link. "
                        "Open the link in that message to keep reading.",
                        next, "Back to the article");
  }
  // The article the reader registered from opens at once, without spending a credit.
  if (next.starts_with("/articles/")) {
    std::string slug = next.substr(10);
    auto q = slug.find_first_of("?#");
    if (q != std::string::npos) slug = slug.substr(0, q);
    if (auto a = visible_article(slug, false)) {
      (void)paywall_.unlock_for_registration(r->member.id, a->summary.id);
      events_.record("registration", a->summary.id, "anonymous");
    }
  } else {
    events_.record("registration", 0, "anonymous");
  }
  // Back to where the teaser ended, with a word about the confirmation link just sent.
  std::string back = "/account?notice=registered";
  if (next.starts_with("/articles/") && next.find_first_of("?#") == std::string::npos) {
    back = next + "?registered=1#continue";
  } else if (next.starts_with("/articles/")) {
    back = next;
  }
  Response res = redirect(back);
  res.set_header("Set-Cookie", session_cookie(r->session_token, config_.session_days * 86400, https_));
  return res;
}

Response Site::signin_page(Request& req) {
  json view;
  view["site"] = site_view("/signin", &req);
  view["page"] = page_meta("Sign in · " + config_.site_name, "Sign in to " + config_.site_name,
                           "/signin");
  view["page"]["noindex"] = true;
  view["next"] = accounts::safe_next(req.query_value("next"));
  view["signed_in"] = req.visitor.member.has_value();
  return render_page("signin", view);
}

Response Site::signin_post(Request& req) {
  if (auto bad = check_csrf(req)) return *bad;
  std::string next = accounts::safe_next(req.form_value("next"));
  std::string password = req.form_value("password");
  if (!password.empty()) {
    auto token = accounts_.password_signin(req.form_value("email"), password, req.client_ip);
    if (!token) {
      return message_page(status_for(token.error()), "Sign-in failed", token.error().message,
                          "/signin?next=" + core::url_encode(next), "Try again");
    }
    Response res = redirect(next);
    res.set_header("Set-Cookie", session_cookie(*token, config_.session_days * 86400, https_));
    return res;
  }
  auto ok = accounts_.request_signin_link(req.form_value("email"), next, req.client_ip);
  if (!ok) {
    return message_page(status_for(ok.error()), "We could not send a link", ok.error().message,
                        "/signin?next=" + core::url_encode(next), "Try again");
  }
  return message_page(200, "Check your inbox",
                      "If that address has an account, a sign-in link is on its way. It works "
                      "once and expires in " +
                          std::to_string(config_.signin_link_minutes) + " minutes.");
}

Response Site::signin_confirm_page(Request& req) {
  std::string token = req.query_value("token");
  if (!accounts_.peek_signin_link(token)) {
    return message_page(404, "This link has expired",
                        "Sign-in links work once and only for a few minutes. Ask for a new one.",
                        "/signin", "Sign in");
  }
  return button_page(req, {"Sign in · " + config_.site_name, "Confirm sign-in", "/signin",
                           "Sign in to " + config_.site_name,
                           "Press the button to finish signing in on this device.",
                           "/signin/confirm", "Sign in", token});
}

Response Site::signin_confirm_post(Request& req) {
  if (auto bad = check_csrf(req)) return *bad;
  std::string next;
  auto session = accounts_.confirm_signin_link(req.form_value("token"), next);
  if (!session) {
    return message_page(status_for(session.error()), "This link has expired",
                        session.error().message, "/signin", "Sign in");
  }
  if (!req.session_token.empty()) accounts_.sign_out(req.session_token);
  Response res = redirect(next);
  res.set_header("Set-Cookie", session_cookie(*session, config_.session_days * 86400, https_));
  return res;
}

Response Site::verify_page(Request& req) {
  std::string token = req.query_value("token");
  if (!accounts_.verify_link_valid(token)) {
    return message_page(404, "This link has expired",
                        "Confirmation links work once. If your address is not confirmed yet, ask "
                        "for a new link from your account page.",
                        "/account", "Your account");
  }
  return button_page(req, {"Confirm your address · " + config_.site_name, "Confirm your address",
                           "/verify", "Confirm your email address",
                           "Press the button to confirm this address for your " +
                               config_.site_name + " account.",
                           "/verify", "Confirm my address", token});
}

Response Site::verify_post(Request& req) {
  if (auto bad = check_csrf(req)) return *bad;
  auto session = accounts_.confirm_verification(req.form_value("token"));
  if (!session) {
    return message_page(status_for(session.error()), "This link has expired",
                        session.error().message, "/account", "Your account");
  }
  // The browser that used the link holds the proof: it is signed in afresh.
  if (!req.session_token.empty()) accounts_.sign_out(req.session_token);
  // To the account page, read with the new session: the header shows them signed in.
  Response res = redirect("/account?notice=confirmed");
  res.set_header("Set-Cookie", session_cookie(*session, config_.session_days * 86400, https_));
  return res;
}

Response Site::verify_resend(Request& req) {
  if (auto bad = check_csrf(req)) return *bad;
  auto ok = accounts_.send_verification(*req.visitor.member,
                                        accounts::safe_next(req.form_value("next")));
  if (!ok) return message_page(status_for(ok.error()), "Not sent", ok.error().message);
  return message_page(200, "Check your inbox",
                      "We have sent a new confirmation link to " + req.visitor.member->email + ".",
                      accounts::safe_next(req.form_value("next")), "Back");
}

Response Site::signout_post(Request& req, bool everywhere) {
  if (auto bad = check_csrf(req)) return *bad;
  if (everywhere) {
    accounts_.sign_out_everywhere(req.visitor.member->id);
  } else {
    accounts_.sign_out(req.session_token);
  }
  Response res = redirect("/");
  res.set_header("Set-Cookie", clear_session_cookie(https_));
  return res;
}

Response Site::account_page(Request& req) {
  const auto& m = *req.visitor.member;
  auto now = clock_.now();
  json view;
  view["site"] = site_view("/account", &req);
  view["page"] = page_meta("Your account · " + config_.site_name, "Your account", "/account");
  view["page"]["noindex"] = true;
  view["email"] = m.email;
  view["verified"] = m.verified();
  std::string state;
  switch (req.visitor.state) {
    case paywall::ReaderState::kStaff: state = "Staff (" + std::string(accounts::to_string(m.role)) + ")"; break;
    case paywall::ReaderState::kSubscriber:
      if (!m.subscribed(now)) {
        state = "All-Access through " + req.visitor.institution;
      } else if (m.comp_until && *m.comp_until >= m.paid_until.value_or(0)) {
        state = "All-Access subscriber (complimentary, until " +
                core::format_long_date(*m.comp_until - 1, config_.timezone) + ")";
      } else {
        state = "All-Access subscriber (until " +
                core::format_long_date(*m.paid_until - 1, config_.timezone) + ")";
      }
      break;
    default: state = "Registered reader"; break;
  }
  view["state"] = state;
  bool reader = req.visitor.state == paywall::ReaderState::kRegisteredVerified ||
                req.visitor.state == paywall::ReaderState::kRegisteredUnverified;
  view["reader"] = reader;
  view["credits_left"] = std::to_string(m.verified() ? paywall_.credits_left(m) : 0);
  view["credits_total"] = std::to_string(config_.monthly_credits);
  json unlocked = json::array();
  for (const auto& u : members_.unlocked_articles(m.id)) {
    unlocked.push_back({{"url", article_url(u.slug)},
                        {"headline", u.headline},
                        {"date", core::format_long_date(u.unlocked_at, config_.timezone)}});
  }
  view["unlocked"] = unlocked;
  view["has_unlocked"] = !unlocked.empty();
  json gifts = json::array();
  for (const auto& g : members_.gifts_of(m.id)) {
    gifts.push_back({{"url", article_url(g.slug)},
                     {"headline", g.headline},
                     {"expires", core::format_long_date(g.expires_at, config_.timezone)},
                     {"expired", g.expires_at <= now}});
  }
  view["gifts"] = gifts;
  view["has_gifts"] = !gifts.empty();
  view["subscriber"] = !reader;
  view["gifts_left"] = std::to_string(paywall_.gifts_left(m));
  view["has_password"] = m.has_password;
  // Newsletter switches: subscribers get the Daily and Weekly Review, registered readers
  // the free newsletter (sent once the address is confirmed).
  std::map<std::string, bool> prefs = {{"daily", true}, {"weekly", true}, {"free", true}};
  for (const auto& [k, v] : members_.newsletter_prefs(m.id)) prefs[k] = v;
  json letters = json::array();
  auto add = [&](const char* key, const char* name, const char* about) {
    letters.push_back({{"key", key}, {"name", name}, {"about", about}, {"on", prefs[key]}});
  };
  if (reader) {
    add("free", "The free newsletter", "Weekly highlights from our analysis.");
  } else {
    add("daily", "The Daily Review", "The day's most important news with our take, every morning.");
    add("weekly", "The Weekly Review", "The week's coverage in short, and what is coming.");
  }
  view["newsletters"] = letters;
  view["notice"] = req.query_value("notice") == "newsletters" ? "Your newsletter choices are saved." : "";
  if (req.query_value("notice") == "password") view["notice"] = "Your password is set.";
  if (req.query_value("notice") == "registered") {
    view["notice"] = "Welcome. We sent a link to " + m.email + ": confirm your address to choose " +
                     std::to_string(config_.monthly_credits) + " articles a month to read free.";
  }
  if (req.query_value("notice") == "confirmed") {
    view["notice"] = "Address confirmed. Thank you: you can now choose " +
                     std::to_string(config_.monthly_credits) + " articles to read free every month.";
  }
  view["has_notice"] = !view["notice"].get<std::string>().empty();
  if (billing_routes_) view["billing"] = billing_routes_->account_view(m);
  view["curator"] = curator_routes_->account_view(req);
  return render_page("account", view);
}

Response Site::account_newsletters(Request& req) {
  if (auto bad = check_csrf(req)) return *bad;
  // Each switch is sent as a hidden "shown" field plus a checkbox when on.
  for (const auto& [k, v] : req.form) {
    if (k != "shown") continue;
    bool on = req.form.count(v) > 0 && req.form.find(v)->second == "on";
    auto ok = members_.set_newsletter(req.visitor.member->id, v, on, clock_.now());
    if (!ok) return message_page(400, "Not saved", ok.error().message, "/account", "Back");
  }
  return redirect("/account?notice=newsletters");
}

Response Site::unsubscribe(Request& req, bool confirm) {
  std::string n = req.query_value("n");
  std::string m = req.query_value("m");
  std::string t = req.query_value("t");
  long long member = std::atoll(m.c_str());
  if (!newsletter::valid_newsletter(n) || member <= 0 || std::to_string(member) != m ||
      !newsletters_.unsubscribe_token_valid(member, n, t)) {
    return message_page(400, "This link is not valid",
                        "Use the unsubscribe link from a recent newsletter, or change your "
                        "choices on your account page.",
                        "/account", "Your account");
  }
  const char* name = n == "daily" ? "the Daily Review" : n == "weekly" ? "the Weekly Review"
                                                                       : "the free newsletter";
  if (!confirm) {
    json view;
    view["site"] = site_view("", &req);
    view["page"] = page_meta("Unsubscribe · " + config_.site_name, "Unsubscribe", "/account");
    view["page"]["noindex"] = true;
    view["heading"] = std::string("Unsubscribe from ") + name + "?";
    view["message"] = "You will stop receiving it. Other newsletters are not affected.";
    view["action"] = req.raw_target;
    return render_page("unsubscribe", view);
  }
  auto ok = members_.set_newsletter(member, n, false, clock_.now());
  if (!ok) return message_page(503, "Not unsubscribed", ok.error().message);
  events_.record("unsubscribe", 0, n);
  return message_page(200, "You are unsubscribed",
                      std::string("You will no longer receive ") + name + ".", "/account",
                      "Newsletter preferences");
}

// Editions as web pages, under the same rules as articles: the Daily and Weekly Review
// are for subscribers (a premium-class page), the free newsletter for everyone.
Response Site::edition_page(Request& req) {
  std::string n = req.param("newsletter"), key = req.param("key");
  if (!newsletter::valid_newsletter(n)) return error_page(404, "Page not found", "No such newsletter.");
  auto e = store_.newsletters().find_edition(n, key);
  if (!e) return error_page(404, "Edition not found", "There is no edition for that date.");
  return render_edition(req, *e);
}

Response Site::render_edition(Request& req, const store::Edition& e) {
  // The free newsletter is free to read; the Reviews are for subscribers, like premium
  // articles.
  auto access = e.newsletter == "free" ? content::AccessClass::kFree : content::AccessClass::kPremium;
  paywall::Reader reader;
  reader.state = req.visitor.state;
  auto decision = paywall::decide(reader, access, clock_.now());
  // The edition's own order (the page is shared between readers; each one's mail leads
  // with what they follow).
  std::string body = newsletter::reorder(e.html, {});
  if (!decision.full_text) {
    // The heading and the first item; the rest stays on the server.
    auto next = body.find("</p>");
    body = (next == std::string::npos ? std::string() : body.substr(0, next + 4)) + "</div>";
  }
  std::string path = "/newsletters/" + e.newsletter + "/" + e.key;
  json view;
  view["site"] = site_view("", &req);
  view["page"] = page_meta(e.subject + " · " + config_.site_name, e.subject, path);
  view["subject"] = e.subject;
  view["body_html"] = body;
  if (!decision.full_text) {
    view["wall"] = {{"subscribe", true}, {"next_encoded", core::url_encode(path)},
                    {"signed_in", req.visitor.member.has_value()}};
  }
  return render_page("edition", view);
}

Response Site::account_email(Request& req) {
  if (auto bad = check_csrf(req)) return *bad;
  const auto& m = *req.visitor.member;
  std::string email = core::trim(req.form_value("email"));
  auto step = accounts_.request_email_change(m, email, req.client_ip);
  if (!step) {
    return message_page(status_for(step.error()), "Address not changed", step.error().message,
                        "/account", "Back to your account");
  }
  if (*step == accounts::EmailChangeStep::kApproveFromCurrentAddress) {
    return message_page(200, "Check your inbox",
                        "Your account holds a subscription or a staff role, so we have first sent "
                        "a link to your current address, " + m.email +
                            ", to approve the move to " + accounts::normalize_email(email) +
                            ". Then we will send a link to the new address.",
                        "/account", "Back to your account");
  }
  return message_page(200, "Check your inbox",
                      "We have sent a link to " + accounts::normalize_email(email) +
                          ". Your address changes when you open it; until then you keep using " +
                          m.email + ".",
                      "/account", "Back to your account");
}

Response Site::email_approve_page(Request& req) {
  std::string token = req.query_value("token");
  auto info = accounts_.peek_email_approval(token);
  if (!info) {
    return message_page(404, "This link has expired",
                        "Links to approve a new address work once, for a day. Ask again from your "
                        "account page.",
                        "/account", "Your account");
  }
  return button_page(req, {"Approve a new address · " + config_.site_name,
                           "Approve a new address", "/account/email/approve",
                           "Approve the move to a new address",
                           "Press the button to approve moving your " + config_.site_name +
                               " account to " + info->new_email +
                               ". We will then send a link to that address to confirm it.",
                           "/account/email/approve", "Approve", token});
}

Response Site::email_approve_post(Request& req) {
  if (auto bad = check_csrf(req)) return *bad;
  auto email = accounts_.confirm_email_approval(req.form_value("token"));
  if (!email) {
    return message_page(status_for(email.error()), "Address not changed", email.error().message,
                        "/account", "Your account");
  }
  return message_page(200, "Check the new inbox",
                      "Approved. We have sent a link to " + *email +
                          ": the address changes when it is opened.",
                      "/account", "Your account");
}

Response Site::email_confirm_page(Request& req) {
  std::string token = req.query_value("token");
  auto info = accounts_.peek_email_change(token);
  if (!info) {
    return message_page(404, "This link has expired",
                        "Links to confirm a new address work once, for a day. Ask again from your "
                        "account page.",
                        "/account", "Your account");
  }
  return button_page(req, {"Confirm your new address · " + config_.site_name,
                           "Confirm your new address", "/account/email/confirm",
                           "Confirm your new address",
                           "Press the button to use " + info->new_email + " for your " +
                               config_.site_name + " account.",
                           "/account/email/confirm", "Use this address", token});
}

Response Site::email_confirm_post(Request& req) {
  if (auto bad = check_csrf(req)) return *bad;
  auto m = accounts_.confirm_email_change(req.form_value("token"));
  if (!m) {
    return message_page(status_for(m.error()), "Address not changed", m.error().message,
                        "/account", "Your account");
  }
  return message_page(200, "Address changed",
                      "Your account now uses " + m->email + ". Sign in with it from now on.",
                      "/account", "Your account");
}

Response Site::account_password(Request& req) {
  if (auto bad = check_csrf(req)) return *bad;
  auto ok = accounts_.set_password(*req.visitor.member, req.form_value("password"));
  if (!ok) {
    return message_page(status_for(ok.error()), "Password not set", ok.error().message, "/account",
                        "Back to your account");
  }
  return redirect("/account?notice=password");
}

Response Site::account_export(Request& req) {
  const auto& m = *req.visitor.member;
  json out = {{"email", m.email},
              {"name", m.name},
              {"created_at", core::format_rfc3339(m.created_at)},
              {"email_verified_at", m.verified_at ? core::format_rfc3339(*m.verified_at) : ""},
              {"complimentary_until", m.comp_until ? core::format_rfc3339(*m.comp_until) : ""},
              {"role", std::string(accounts::to_string(m.role))}};
  json unlocked = json::array();
  for (const auto& u : members_.unlocked_articles(m.id)) {
    unlocked.push_back({{"slug", u.slug}, {"headline", u.headline},
                        {"unlocked_at", core::format_rfc3339(u.unlocked_at)}});
  }
  out["unlocked_articles"] = unlocked;
  json gifts = json::array();
  for (const auto& g : members_.gifts_of(m.id)) {
    gifts.push_back({{"slug", g.slug}, {"created_at", core::format_rfc3339(g.created_at)},
                     {"expires_at", core::format_rfc3339(g.expires_at)}});
  }
  out["gift_links"] = gifts;
  // What staff wrote about this reader is theirs to see too.
  if (std::string note = members_.member_note(m.id); !note.empty()) out["staff_note"] = note;
  Response res;
  res.content_type = "application/json; charset=utf-8";
  if (billing_routes_) out["billing"] = billing_routes_->account_view(m);
  json curated = curator_routes_->export_json(m.id);
  for (auto& [k, v] : curated.items()) out[k] = v;
  res.body = out.dump(2, ' ', false, json::error_handler_t::replace);
  res.set_header("Content-Disposition", "attachment; filename=\"meridian-account.json\"");
  return res;
}

Response Site::account_delete(Request& req) {
  if (auto bad = check_csrf(req)) return *bad;
  if (req.form_value("confirm") != "delete") {
    return message_page(400, "Not deleted",
                        "To delete your account, tick the confirmation box and press the button.",
                        "/account", "Back to your account");
  }
  if (billing_routes_) {
    if (auto why = billing_routes_->blocks_deletion(*req.visitor.member)) {
      return message_page(409, "Not deleted", *why, "/account", "Back to your account");
    }
  }
  auto ok = members_.delete_member(req.visitor.member->id);
  if (!ok) return message_page(503, "Not deleted", ok.error().message);
  Response res = message_page(200, "Account deleted",
                              "Your account and everything we kept about it are gone.", "/",
                              "Go to the front page");
  res.set_header("Set-Cookie", clear_session_cookie(https_));
  return res;
}

Response Site::unlock_post(Request& req) {
  if (auto bad = check_csrf(req)) return *bad;
  auto found = visible_article(req.param("slug"), false);
  if (!found) return error_page(404, "Article not found", "We could not find that article.");
  std::string path = article_url(found->summary.slug);
  auto r = paywall_.unlock(req.visitor, found->summary.id, found->summary.access);
  if (!r) {
    return message_page(status_for(r.error()), "Not unlocked", r.error().message, path,
                        "Back to the article");
  }
  if (*r == store::UnlockOutcome::kNoCreditsLeft) {
    return message_page(403, "No free articles left",
                        "You have read your free articles for this month. Subscribe for "
                        "everything, or come back on the first of next month.",
                        "/subscribe", "See subscription options");
  }
  if (*r == store::UnlockOutcome::kUnlocked) {
    events_.record("credit", found->summary.id, state_name(req));
  }
  return redirect(path);
}

Response Site::gift_post(Request& req) {
  if (auto bad = check_csrf(req)) return *bad;
  auto found = visible_article(req.param("slug"), false);
  if (!found) return error_page(404, "Article not found", "We could not find that article.");
  auto token = paywall_.create_gift(req.visitor, found->summary.id);
  std::string path = article_url(found->summary.slug);
  if (!token) {
    return message_page(status_for(token.error()), "No gift link", token.error().message, path,
                        "Back to the article");
  }
  std::string url = base_url_ + path + "?gift=" + *token;
  json view;
  view["site"] = site_view("", &req);
  view["page"] = page_meta("Gift link · " + config_.site_name, "Gift link", path);
  view["page"]["noindex"] = true;
  view["heading"] = "Your gift link";
  view["message"] = "Anyone with this link can read “" + found->summary.headline +
                    "” in full for " + std::to_string(config_.gift_days) +
                    " days, without registering.";
  view["gift_url"] = url;
  view["link"] = {{"url", path}, {"text", "Back to the article"}};
  return render_page("message", view);
}

}  // namespace web
