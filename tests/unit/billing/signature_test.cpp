// Stripe-Signature verification: a header made by the official stripe npm package
// (stripe.webhooks.generateTestHeaderString, v23) is accepted; every way a delivery can be
// forged or replayed is refused.
#include <gtest/gtest.h>

#include "billing/signature.h"
#include "core/crypto.h"

namespace {

using billing::SignatureCheck;
using billing::verify_signature;

const std::string kBody = R"({"id":"evt_1","object":"event","type":"invoice.paid"})";
const std::string kSecret = "whsec_test_secret";
// generateTestHeaderString({payload: kBody, secret: kSecret, timestamp: 1796000000})
const std::string kHeader =
    "t=1796000000,v1=ca73691fa7f6d08238688c740af04f21807e192c3302b02d759f4762aeebdeeb";
constexpr core::UnixTime kT = 1796000000;

class Signature : public ::testing::Test {
 protected:
  void SetUp() override { core::init_crypto(); }
};

TEST_F(Signature, AcceptsTheOfficialLibrarysHeader) {
  EXPECT_EQ(verify_signature(kHeader, kBody, {kSecret}, kT + 10), SignatureCheck::kValid);
  EXPECT_EQ(billing::sign_payload(kBody, kSecret, kT), kHeader);
}

TEST_F(Signature, RefusesAChangedBodyOrAnotherSecret) {
  std::string changed = kBody;
  changed[8] = '2';
  EXPECT_EQ(verify_signature(kHeader, changed, {kSecret}, kT), SignatureCheck::kMismatch);
  EXPECT_EQ(verify_signature(kHeader, kBody + " ", {kSecret}, kT), SignatureCheck::kMismatch);
  EXPECT_EQ(verify_signature(kHeader, kBody, {"whsec_other"}, kT), SignatureCheck::kMismatch);
  EXPECT_EQ(verify_signature(kHeader, kBody, {}, kT), SignatureCheck::kMismatch);
  EXPECT_EQ(verify_signature(kHeader, kBody, {""}, kT), SignatureCheck::kMismatch);
}

TEST_F(Signature, RefusesTimestampsOutsideFiveMinutes) {
  EXPECT_EQ(verify_signature(kHeader, kBody, {kSecret}, kT + 300), SignatureCheck::kValid);
  EXPECT_EQ(verify_signature(kHeader, kBody, {kSecret}, kT + 301), SignatureCheck::kStale);
  EXPECT_EQ(verify_signature(kHeader, kBody, {kSecret}, kT - 301), SignatureCheck::kStale);
  // A replay with a fresh timestamp but the old signature does not match.
  std::string replay = "t=" + std::to_string(kT + 1000) + kHeader.substr(kHeader.find(','));
  EXPECT_EQ(verify_signature(replay, kBody, {kSecret}, kT + 1000), SignatureCheck::kMismatch);
}

TEST_F(Signature, TriesEveryCandidateAndEverySecret) {
  std::string v1 = kHeader.substr(kHeader.find("v1="));
  std::string several = "t=1796000000,v1=" + std::string(64, '0') + ",v0=abc," + v1;
  EXPECT_EQ(verify_signature(several, kBody, {kSecret}, kT), SignatureCheck::kValid);
  // Rolling secrets: the old one still listed.
  EXPECT_EQ(verify_signature(kHeader, kBody, {"whsec_new", kSecret}, kT), SignatureCheck::kValid);
  // Only v1 counts: the same value under another scheme is not a signature.
  std::string v0 = "t=1796000000,v0=" + v1.substr(3);
  EXPECT_EQ(verify_signature(v0, kBody, {kSecret}, kT), SignatureCheck::kMalformed);
}

TEST_F(Signature, RefusesMissingAndMalformedHeaders) {
  EXPECT_EQ(verify_signature("", kBody, {kSecret}, kT), SignatureCheck::kMissing);
  EXPECT_EQ(verify_signature("v1=abc", kBody, {kSecret}, kT), SignatureCheck::kMalformed);
  EXPECT_EQ(verify_signature("t=,v1=abc", kBody, {kSecret}, kT), SignatureCheck::kMalformed);
  EXPECT_EQ(verify_signature("t=12x,v1=abc", kBody, {kSecret}, kT), SignatureCheck::kMalformed);
  EXPECT_EQ(verify_signature("t=1796000000", kBody, {kSecret}, kT), SignatureCheck::kMalformed);
  EXPECT_EQ(verify_signature("garbage", kBody, {kSecret}, kT), SignatureCheck::kMalformed);
  // Upper-case hex is not what Stripe sends: no match, never a crash.
  std::string upper = kHeader;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_NE(verify_signature(upper, kBody, {kSecret}, kT), SignatureCheck::kValid);
}

}  // namespace
