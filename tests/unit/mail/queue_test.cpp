#include <gtest/gtest.h>

#include "mail/queue.h"

TEST(MailQueue, MessagesRoundTripThroughTheStoredForm) {
  mail::Message m;
  m.to = "reader@example.org";
  m.subject = "Confirm your address — «Meridian»";
  m.text = "Line one\nLine two";
  m.html = "<p>Hi</p>";
  m.headers = {{"List-Id", "x <y>"}, {"X-Two", "2"}};
  auto back = mail::message_from_json(mail::to_json(m));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->to, m.to);
  EXPECT_EQ(back->subject, m.subject);
  EXPECT_EQ(back->text, m.text);
  EXPECT_EQ(back->html, m.html);
  EXPECT_EQ(back->headers, m.headers);
  EXPECT_FALSE(mail::message_from_json("{\"subject\":\"no recipient\"}"));
  EXPECT_FALSE(mail::message_from_json("not json"));
}
