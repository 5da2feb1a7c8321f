#include "mail/mailer.h"

#include <gtest/gtest.h>

#include "core/crypto.h"

using namespace mail;

TEST(QuotedPrintable, EncodesWhatMustBeEncodedAndWrapsLines) {
  EXPECT_EQ(quoted_printable("a=b"), "a=3Db");
  EXPECT_EQ(quoted_printable("Côte"), "C=C3=B4te");
  EXPECT_EQ(quoted_printable("trailing \nnext"), "trailing=20\r\nnext");
  std::string long_line(200, 'x');
  std::string out = quoted_printable(long_line);
  std::size_t start = 0;
  while (start < out.size()) {
    auto end = out.find("\r\n", start);
    if (end == std::string::npos) end = out.size();
    EXPECT_LE(end - start, 76u);
    start = end + 2;
  }
  // Decoding the soft breaks gives the text back.
  std::string joined;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out.compare(i, 3, "=\r\n") == 0) {
      i += 2;
      continue;
    }
    joined += out[i];
  }
  EXPECT_EQ(joined, long_line);
}

TEST(Message, HeadersAndMultipartAlternative) {
  core::init_crypto();
  Message m;
  m.to = "reader@example.org";
  m.subject = "The Daily Review — Tuesday";
  m.text = "Hello";
  m.html = "<p>Hello</p>";
  m.headers = {{"List-Unsubscribe", "<https://x/u>"}};
  std::string raw = format_message(m, "Meridian <news@x.example>", 1740821400, "id-1@x.example");
  EXPECT_NE(raw.find("Message-ID: <id-1@x.example>\r\n"), std::string::npos);
  EXPECT_NE(raw.find("Date: Sat, 01 Mar 2025 09:30:00 +0000\r\n"), std::string::npos);
  EXPECT_NE(raw.find("Subject: =?UTF-8?B?"), std::string::npos);  // non-ASCII subject
  EXPECT_NE(raw.find("List-Unsubscribe: <https://x/u>\r\n"), std::string::npos);
  EXPECT_NE(raw.find("Content-Type: multipart/alternative; boundary="), std::string::npos);
  EXPECT_NE(raw.find("Content-Type: text/plain; charset=utf-8"), std::string::npos);
  EXPECT_NE(raw.find("Content-Type: text/html; charset=utf-8"), std::string::npos);
  EXPECT_EQ(address_of("Meridian <news@x.example>"), "news@x.example");
}
