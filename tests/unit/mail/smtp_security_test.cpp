// Which transport each [mail] smtp URL gets (issue 14, finding 14).
#include "mail/smtp_security.h"

#include <gtest/gtest.h>

using mail::SmtpTransport;

namespace {
SmtpTransport transport(const std::string& url) {
  auto s = mail::smtp_security(url);
  EXPECT_TRUE(s.has_value()) << url << ": " << (s ? "" : s.error().message);
  return s ? s->transport : SmtpTransport::kPlainLoopback;
}
}  // namespace

TEST(SmtpSecurity, CredentialsAlwaysTravelOverTls) {
  EXPECT_EQ(transport("smtp://user:pass@127.0.0.1:587"), SmtpTransport::kStartTls);
  EXPECT_EQ(transport("smtp://user:pass@mail.example.org:587"), SmtpTransport::kStartTls);
  EXPECT_EQ(transport("smtps://user:pass@mail.example.org:465"), SmtpTransport::kImplicitTls);
  EXPECT_EQ(transport("SMTPS://mail.example.org"), SmtpTransport::kImplicitTls);
}

TEST(SmtpSecurity, PlainOnlyOnLoopback) {
  EXPECT_EQ(transport("smtp://127.0.0.1:25"), SmtpTransport::kPlainLoopback);
  EXPECT_EQ(transport("smtp://127.8.9.10:2525"), SmtpTransport::kPlainLoopback);
  EXPECT_EQ(transport("smtp://localhost"), SmtpTransport::kPlainLoopback);
  EXPECT_EQ(transport("smtp://[::1]:25"), SmtpTransport::kPlainLoopback);
  // Anywhere else the connection is upgraded or not made.
  EXPECT_EQ(transport("smtp://relay.internal:25"), SmtpTransport::kStartTls);
  EXPECT_EQ(transport("smtp://10.0.0.5:25"), SmtpTransport::kStartTls);
}

TEST(SmtpSecurity, OtherSchemesAreRefusedByName) {
  auto r = mail::smtp_security("http://mail.example.org");
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("'http://'"), std::string::npos) << r.error().message;
  EXPECT_FALSE(mail::smtp_security("not a url").has_value());
}
