#include <gtest/gtest.h>

#include "web/multipart.h"

TEST(Multipart, ParsesFieldsAndFiles) {
  std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\ntoken\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"hero\"; filename=\"a.png\"\r\n"
      "Content-Type: image/png\r\n\r\n\x89PNG\r\n\x1a\n";
  body += std::string("\0\0bin", 5);  // binary data, NULs included
  body += "\r\n--XyZ--\r\n";
  auto parts = web::parse_multipart("multipart/form-data; boundary=XyZ", body);
  ASSERT_TRUE(parts);
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].name, "csrf");
  EXPECT_EQ((*parts)[0].data, "token");
  EXPECT_EQ((*parts)[1].name, "hero");
  EXPECT_EQ((*parts)[1].filename, "a.png");
  EXPECT_EQ((*parts)[1].content_type, "image/png");
  EXPECT_TRUE((*parts)[1].data.starts_with("\x89PNG\r\n"));
  EXPECT_EQ((*parts)[1].data.size(), 13u);  // 8 bytes of PNG signature + 5
}

TEST(Multipart, RejectsMalformedBodies) {
  EXPECT_FALSE(web::parse_multipart("multipart/form-data", "--x\r\n"));
  EXPECT_FALSE(web::parse_multipart("text/plain; boundary=x", "--x--"));
  EXPECT_FALSE(web::parse_multipart("multipart/form-data; boundary=x",
                                    "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno end"));
}
