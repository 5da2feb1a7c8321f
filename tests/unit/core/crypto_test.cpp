// Tokens: distinct across calls, threads and a fork (the per-thread generator must never
// hand a child process its parent's next token).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "core/crypto.h"

namespace {

TEST(RandomToken, HasTheAskedLengthAndNeverRepeats) {
  core::init_crypto();
  EXPECT_EQ(core::random_token(18).size(), 24u);  // base64url of 18 bytes
  EXPECT_EQ(core::random_token(32).size(), 43u);
  EXPECT_EQ(core::random_token(300).size(), 400u);  // long ones come from the kernel directly
  std::set<std::string> seen;
  std::mutex mu;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5000; ++i) {
        auto token = core::random_token(18);
        std::lock_guard lock(mu);
        EXPECT_TRUE(seen.insert(token).second) << "repeated " << token;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(seen.size(), 20000u);
}

TEST(RandomToken, AForkedChildDoesNotRepeatItsParent) {
  core::init_crypto();
  (void)core::random_token(18);  // this thread's generator is seeded
  int pipefd[2];
  ASSERT_EQ(::pipe(pipefd), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::string token = core::random_token(18);
    ssize_t n = ::write(pipefd[1], token.data(), token.size());
    ::_exit(n == static_cast<ssize_t>(token.size()) ? 0 : 1);
  }
  ::close(pipefd[1]);
  std::string parent = core::random_token(18);
  char buf[64] = {};
  ssize_t n = ::read(pipefd[0], buf, sizeof buf);
  ::close(pipefd[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_EQ(n, 24);
  EXPECT_NE(std::string(buf, 24), parent);
}

// Signatures (webhooks, CSRF, unsubscribe links) are RFC 4231's HMAC-SHA-256, also when
// keys alternate (the keyed state is kept per thread for the last key).
TEST(Crypto, HmacMatchesRfc4231WhicheverKeyCameBefore) {
  const std::string key1(20, '\x0b');
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(core::hmac_sha256_hex(key1, "Hi There"),
              "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    EXPECT_EQ(core::hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  }
  // A key longer than a block is hashed first (RFC 4231 test case 6).
  EXPECT_EQ(core::hmac_sha256_hex(std::string(131, '\xaa'),
                                  "Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  EXPECT_EQ(core::hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

}  // namespace
