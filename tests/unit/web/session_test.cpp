#include "web/session.h"

#include <gtest/gtest.h>

#include "core/crypto.h"

using namespace web;

namespace {

Request with(std::map<std::string, std::string> headers, std::string remote = "127.0.0.1") {
  Request r;
  r.headers = std::move(headers);
  r.remote_ip = std::move(remote);
  return r;
}

}  // namespace

TEST(Cookies, FindsTheSessionCookieAmongOthers) {
  auto r = with({{"cookie", "theme=dark; meridian_session=abc123; other=x"}});
  EXPECT_EQ(cookie_value(r, "meridian_session"), "abc123");
  EXPECT_EQ(cookie_value(r, "missing"), "");
  EXPECT_NE(session_cookie("t", 60, true).find("; HttpOnly; SameSite=Lax; Secure"),
            std::string::npos);
  EXPECT_EQ(session_cookie("t", 60, false).find("Secure"), std::string::npos);
}

TEST(Csrf, SessionTokensBindToTheSession) {
  core::init_crypto();
  Request r = with({});
  r.session_token = "session-one";
  std::string good = csrf_for_session("secret", "session-one");
  EXPECT_TRUE(csrf_valid("secret", r, good, 1000));
  EXPECT_FALSE(csrf_valid("secret", r, csrf_for_session("secret", "session-two"), 1000));
  EXPECT_FALSE(csrf_valid("other-secret", r, good, 1000));
  EXPECT_FALSE(csrf_valid("secret", r, "", 1000));
  // An anonymous token is no good once signed in.
  EXPECT_FALSE(csrf_valid("secret", r, csrf_anonymous("secret", 1000, "p"), 1000));
}

const std::string kPre = "pre-session-value-aaaaaa";

TEST(Csrf, AnonymousTokensExpireAfterADay) {
  core::init_crypto();
  Request r = with({{"cookie", std::string("meridian_pre=") + kPre}});
  auto t = csrf_anonymous("secret", 1000000, kPre);
  EXPECT_TRUE(csrf_valid("secret", r, t, 1000000 + 3600));
  EXPECT_FALSE(csrf_valid("secret", r, t, 1000000 + 86401));
  EXPECT_FALSE(csrf_valid("secret", r, "a.1000000.forged", 1000000));
  EXPECT_FALSE(csrf_valid("secret", r, csrf_anonymous("secret", 1000000 + 7200, kPre), 1000000));
}

TEST(Csrf, AnonymousTokensBindToThePreSessionCookie) {
  // Login CSRF: a token the attacker fetched with their own browser is useless in the
  // victim's, which has another pre-session cookie, or none.
  core::init_crypto();
  auto attackers = csrf_anonymous("secret", 1000000, kPre);
  Request victim = with({{"cookie", "meridian_pre=victims-own-value-bbbbbbbb"}});
  EXPECT_FALSE(csrf_valid("secret", victim, attackers, 1000000));
  EXPECT_FALSE(csrf_valid("secret", with({}), attackers, 1000000));
  EXPECT_FALSE(csrf_valid("secret", with({{"cookie", "meridian_pre=short"}}),
                          csrf_anonymous("secret", 1000000, "short"), 1000000));
  EXPECT_NE(pre_session_cookie("v", false).find("HttpOnly; SameSite=Lax"), std::string::npos);
}

TEST(SameOrigin, RejectsOtherSitesAcceptsOurs) {
  EXPECT_TRUE(same_origin(with({{"origin", "https://news.example"}}), "https://news.example"));
  EXPECT_FALSE(same_origin(with({{"origin", "https://evil.example"}}), "https://news.example"));
  EXPECT_FALSE(same_origin(with({{"referer", "https://evil.example/x"}}), "https://news.example"));
  EXPECT_TRUE(same_origin(with({{"referer", "https://news.example/articles/a"}}),
                          "https://news.example"));
  EXPECT_TRUE(same_origin(with({}), "https://news.example"));  // the token decides
  // A sandboxed frame on any site sends "Origin: null": never this site.
  EXPECT_FALSE(same_origin(with({{"origin", "null"}}), "https://news.example"));
  EXPECT_FALSE(same_origin(with({{"origin", "null"}, {"referer", "https://news.example/a"}}),
                           "https://news.example"));
}

TEST(ClientIp, BelievesForwardedForOnlyFromTrustedProxies) {
  std::vector<core::Cidr> proxies = {*core::parse_cidr("10.0.0.0/8")};
  auto direct = with({{"x-forwarded-for", "203.0.113.5"}}, "198.51.100.1");
  EXPECT_EQ(client_ip(direct, proxies), "198.51.100.1");  // spoofed header ignored
  auto proxied = with({{"x-forwarded-for", "203.0.113.5, 10.1.1.1"}}, "10.0.0.2");
  EXPECT_EQ(client_ip(proxied, proxies), "203.0.113.5");
  auto chain = with({{"x-forwarded-for", "1.2.3.4, 203.0.113.5"}}, "10.0.0.2");
  EXPECT_EQ(client_ip(chain, proxies), "203.0.113.5");  // the first untrusted hop from the right
  EXPECT_EQ(client_ip(proxied, {}), "10.0.0.2");
}

TEST(Cidr, MatchesIpv4AndIpv6Ranges) {
  auto c = core::parse_cidr("192.0.2.77/24");
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->contains(*core::parse_ip("192.0.2.1")));
  EXPECT_FALSE(c->contains(*core::parse_ip("192.0.3.1")));
  auto six = core::parse_cidr("2001:db8::/32");
  EXPECT_TRUE(six->contains(*core::parse_ip("2001:db8:ffff::1")));
  EXPECT_FALSE(six->contains(*core::parse_ip("2001:db9::1")));
  EXPECT_FALSE(core::parse_cidr("192.0.2.0/33"));
  EXPECT_FALSE(core::parse_cidr("not-an-ip"));
  EXPECT_TRUE(core::parse_cidr("198.51.100.7")->contains(*core::parse_ip("198.51.100.7")));
}
