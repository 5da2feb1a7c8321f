#include "core/crypto.h"

#include <sodium.h>

#include <pthread.h>

#include <atomic>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace core {

void init_crypto() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

std::string base64url(std::string_view bytes) {
  std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                  '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.size() - 1);  // drop the terminating NUL
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  std::string out(text.size(), '\0');
  size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

namespace {

// Bumped in a forked child, so that it never repeats its parent's stream.
std::atomic<unsigned> fork_generation{0};

// A fast-key-erasure generator per thread (after Bernstein): a 256-bit key from the kernel;
// each call runs ChaCha20 under it for a fresh key and the output, then forgets the old
// key (what a call returned cannot be recomputed from a later state). The kernel is asked
// once per thread instead of once per token: every anonymous reader's first page mints one.
void random_bytes(unsigned char* out, std::size_t n) {
  static const bool registered = [] {
    return pthread_atfork(nullptr, nullptr, [] { fork_generation.fetch_add(1); }) == 0;
  }();
  (void)registered;
  constexpr std::size_t kKey = crypto_stream_chacha20_KEYBYTES;
  if (n > 256) {
    randombytes_buf(out, n);
    return;
  }
  thread_local unsigned char key[kKey];
  thread_local bool seeded = false;
  thread_local unsigned generation = 0;
  unsigned now = fork_generation.load(std::memory_order_relaxed);
  if (!seeded || generation != now) {
    randombytes_buf(key, sizeof key);
    seeded = true;
    generation = now;
  }
  unsigned char block[kKey + 256];
  static const unsigned char nonce[crypto_stream_chacha20_NONCEBYTES] = {};
  crypto_stream_chacha20(block, kKey + n, nonce, key);
  std::memcpy(key, block, kKey);
  std::memcpy(out, block + kKey, n);
  sodium_memzero(block, sizeof block);
}

}  // namespace

std::string random_token(std::size_t bytes) {
  std::string buf(bytes, '\0');
  random_bytes(reinterpret_cast<unsigned char*>(buf.data()), buf.size());
  return base64url(buf);
}

std::string token_hash(std::string_view token) {
  unsigned char h[32];
  crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(token.data()),
                     token.size(), nullptr, 0);
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, h, sizeof h);
  return hex;
}

namespace {

void hmac_raw(std::string_view key, std::string_view message, unsigned char out[32]) {
  // The keyed state (two hash blocks of work) is kept per thread for the last key used: a
  // page with an anonymous form signs a token per request, always with the same key.
  thread_local std::string last_key;
  thread_local crypto_auth_hmacsha256_state keyed;
  if (last_key.empty() || key != last_key) {
    crypto_auth_hmacsha256_init(&keyed, reinterpret_cast<const unsigned char*>(key.data()),
                                key.size());
    last_key.assign(key);
  }
  crypto_auth_hmacsha256_state st = keyed;
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(message.data()),
                                message.size());
  crypto_auth_hmacsha256_final(&st, out);
  sodium_memzero(&st, sizeof st);
}

}  // namespace

std::string hmac_sha256(std::string_view key, std::string_view message) {
  unsigned char mac[32];
  hmac_raw(key, message, mac);
  return base64url(std::string_view(reinterpret_cast<char*>(mac), sizeof mac));
}

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
  unsigned char mac[32];
  hmac_raw(key, message, mac);
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return hex;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string hash_password(std::string_view password) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::runtime_error("out of memory hashing a password");
  }
  return out;
}

bool verify_password(std::string_view stored_hash, std::string_view password) {
  std::string h(stored_hash);
  return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

}  // namespace core
